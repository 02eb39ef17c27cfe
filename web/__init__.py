"""The server side of collaboration: accounts, moderated organisation profiles, the document
library and administration, as a Flask blueprint with server-rendered forms (Jinja, not Dash),
mounted on the Dash app's Flask server by :func:`init_app`.

Routes: ``/account/{register,confirm/<token>,login,logout,submissions}``, ``/organisations/new``,
``/organisation/<key>/{edit,claim}``, ``/moderation`` (+ ``/moderation/revision/<id>/{approve,reject}``,
``/moderation/document/<id>/{approve,reject,delete}``, ``/moderation/organisation/<key>/{delete,publish}``),
``/admin/users`` (+ ``/admin/users/<id>/role``), ``/admin/audit``, ``/library``, ``/library/upload``,
``/library/<id>/download``; static files under ``/web-static/``.

**CSRF scope.** ``CSRFProtect`` is initialised with ``WTF_CSRF_CHECK_DEFAULT = False`` and the
blueprint calls ``csrf.protect()`` before each of its own non-GET requests (and every form is a
Flask-WTF form carrying the token). Dash's endpoints (``/_dash-update-component`` …) are thus not
checked: the Dash renderer sends no token, and its callbacks are JSON posts, which a cross-site
HTML form cannot send; protecting the blueprint only keeps Dash untouched and still covers every
form that changes content.

**Rate limits** (Flask-Limiter, per client address; memory storage unless
``CLUSTER_RATELIMIT_STORAGE`` is e.g. ``redis://host:6379``): POSTs to login
(``CLUSTER_RATELIMIT_LOGIN``, default 10/minute), registration (5/hour) and uploads (20/hour);
nothing else (no default limits, so Dash is never limited). A hit answers 429 with a message.

**Session cookie**: HttpOnly, SameSite=Lax, Secure when ``CLUSTER_SECURE_COOKIES=1``; the key is
``CLUSTER_SECRET_KEY`` or the generated ``data/secret_key``.
"""
from __future__ import annotations

import os

from flask import Flask

from analytics.content.accounts import secret_key
from web import accounts as _accounts  # noqa: F401 - the views register themselves on the blueprint
from web import admin as _admin  # noqa: F401
from web import documents as _documents  # noqa: F401
from web import moderation as _moderation  # noqa: F401
from web import organisations as _organisations  # noqa: F401
from web.core import bp, csrf, limiter, login_manager, render

DEFAULT_LIMITS = {"CLUSTER_RATELIMIT_LOGIN": "10/minute", "CLUSTER_RATELIMIT_REGISTER": "5/hour",
                  "CLUSTER_RATELIMIT_UPLOAD": "20/hour"}


def init_app(server: Flask, *, url: str | None = None, upload_dir: str | None = None) -> Flask:
    """Set up sessions, Flask-Login, CSRF, the rate limiter and the blueprint on ``server``.
    ``url``: the content database (default ``CLUSTER_LIBRARY_URL`` / data/library.sqlite);
    ``upload_dir``: where documents are stored (default ``CLUSTER_UPLOAD_DIR`` / data/uploads)."""
    cfg = server.config
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = secret_key()
    if url:
        cfg["CLUSTER_LIBRARY_URL"] = url
    if upload_dir:
        cfg["CLUSTER_UPLOAD_DIR"] = upload_dir
    secure = os.environ.get("CLUSTER_SECURE_COOKIES") == "1"
    cfg.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
               REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure)
    cfg.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # only the blueprint's views are checked (see above)
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", 4 * 3600)
    cfg.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("CLUSTER_RATELIMIT_STORAGE") or "memory://")
    cfg.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    for key, value in DEFAULT_LIMITS.items():
        cfg.setdefault(key, os.environ.get(key) or value)
    csrf.init_app(server)
    login_manager.init_app(server)
    login_manager.login_view = "content.login"
    login_manager.login_message = "Log in to do this."
    limiter.init_app(server)
    if bp.name not in server.blueprints:
        server.register_blueprint(bp)
        _answer_get_on_actions(server)
    return server


def _answer_get_on_actions(server: Flask) -> None:
    """A GET on a POST-only action (``/moderation/revision/1/approve`` typed in the address bar)
    would otherwise fall through to Dash's catch-all page; answer it with a clear 405 instead."""
    actions = [r for r in server.url_map.iter_rules()
               if r.endpoint.startswith(bp.name + ".") and "GET" not in (r.methods or ())]
    for rule in actions:
        server.add_url_rule(rule.rule, endpoint=rule.endpoint + "__get", view_func=_post_only, methods=["GET"])


def _post_only(**_kwargs):
    body, status = render("error.html", 405, title="Not a page",
                          message="This address is a button's action (it changes something): "
                                  "use the button on its page. Nothing was changed.")
    return body, status, {"Allow": "POST"}
