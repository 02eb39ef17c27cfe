"""What every view of the content blueprint shares: the blueprint, the extensions (login manager,
CSRF, rate limiter), the current user, role checks, rendering and error pages."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from analytics.content import ContentError, NotFound, PermissionDenied, accounts
from analytics.content.documents import MAX_BYTES

bp = Blueprint("content", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web-static")
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)  # storage and limits come from the app's config (init_app)

FORM_LIMIT = 256 * 1024  # bytes of a form post (everything but uploads)
UPLOAD_LIMIT = MAX_BYTES + 64 * 1024  # the file and its metadata fields


class WebUser(UserMixin):
    """Flask-Login's view of a content account."""

    def __init__(self, user: accounts.User):
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return self.user.confirmed


def db_url() -> str | None:
    return current_app.config.get("CLUSTER_LIBRARY_URL") or None


def upload_dir() -> str | None:
    return current_app.config.get("CLUSTER_UPLOAD_DIR") or None


def me() -> accounts.User | None:
    """The logged-in account, or None for a visitor."""
    if current_user.is_authenticated:
        return current_user.user
    return None


def role_required(role: str):
    """Visitors are sent to the login page; a logged-in user without the role gets 403."""
    def deco(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = me()
            if user is None:
                return login_manager.unauthorized()
            if not user.can(role):
                abort(403)
            return view(*args, **kwargs)
        return inner
    return deco


def limit(config_key: str):
    """A rate limit on POST read from the app's config at request time (tests may lower it)."""
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"],
                         error_message="Too many attempts; wait a little and try again.")


def safe_next(target: str | None, default: str = "/account/submissions") -> str:
    """Only a path on this site (no scheme, no host, no //) is followed after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def render(template: str, status: int = 200, **ctx):
    return render_template(template, me=me(), **ctx), status


def form_errors(form, errors: dict[str, str]) -> None:
    """Put the service layer's field errors on the form's fields (or on the form)."""
    for name, message in errors.items():
        fld = getattr(form, name, None)
        if fld is not None and hasattr(fld, "errors"):
            fld.errors = [*list(fld.errors or ()), message]
        else:
            form.form_errors.append(f"{name}: {message}")


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        return WebUser(accounts.get_user(int(user_id), url=db_url()))
    except (NotFound, ValueError):
        return None


@bp.before_request
def _before():
    # bodies are bounded before anything reads them (werkzeug answers 413 beyond)
    request.max_content_length = UPLOAD_LIMIT if request.endpoint == "content.upload" else FORM_LIMIT
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.after_request
def _headers(response):
    # nosniff, framing and referrer headers: app-wide in web/security.py
    if request.endpoint != "content.static":
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _error(status: int, title: str, message: str):
    return render("error.html", status, title=title, message=message)


@bp.errorhandler(CSRFError)
def _csrf_error(exc):
    return _error(400, "Form expired", "The form was too old or not sent from this site; nothing was saved. "
                                       "Open the page again and resend.")


@bp.errorhandler(400)
def _bad_request(exc):
    return _error(400, "Bad request", getattr(exc, "description", None) or "The request could not be read.")


@bp.errorhandler(403)
def _forbidden(exc):
    return _error(403, "Not allowed", "Your role does not allow this.")


@bp.errorhandler(404)
def _not_found(exc):
    return _error(404, "Not found", getattr(exc, "description", None) or "There is nothing here.")


@bp.errorhandler(413)
def _too_large(exc):
    return _error(413, "Too large", f"The upload is larger than {MAX_BYTES // (1024 * 1024)} MB; nothing was saved.")


@bp.errorhandler(429)
def _too_many(exc):
    return _error(429, "Too many requests",
                  "Too many attempts from your address in a short time; wait a little and try again.")


@bp.errorhandler(NotFound)
def _content_not_found(exc):
    return _error(404, "Not found", str(exc))


@bp.errorhandler(PermissionDenied)
def _denied(exc):
    return _error(403, "Not allowed", str(exc))


@bp.errorhandler(ContentError)
def _content_error(exc):
    return _error(400, "Not possible", str(exc))
