"""App-wide HTTP hardening: security headers (Flask-Talisman), the request-body limit, no version
disclosure.

- **CSP**: scripts only from this origin plus the sha256 hashes of the inline scripts Dash writes
  into its index (``Dash.csp_hashes``: the renderer start and the clientside callbacks); styles
  from this origin and inline (Dash components set ``style`` attributes); images, fonts and the
  map's web workers also from ``data:``/``blob:`` (MapLibre builds its worker from a blob);
  ``connect-src 'self'``: the pages never call another host. ``frame-ancestors 'none'`` (with
  ``X-Frame-Options: DENY``): no page may be framed; embeds are not offered.
- ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin``. HTTPS redirects and
  HSTS only when ``CLUSTER_SECURE_COOKIES=1`` (behind TLS).
- **Bodies**: 1 MB for every request (callbacks included); the content blueprint allows its
  document upload more (``web.core``). Beyond, werkzeug answers 413 before the body is read.
- **No versions**: the Dash config sent to the browser leaves out the Dash, Plotly and Python
  versions; gunicorn's ``Server`` header names no version.
"""
from __future__ import annotations

import os

import dash
from flask import Flask, abort, request
from flask_talisman import Talisman

BODY_LIMIT = 1024 * 1024  # bytes; callbacks carry at most a few kB of state
_UNDISCLOSED = ("dash_version", "python_version", "dash_version_url", "ddk_version", "plotly_version")


class Dash(dash.Dash):
    """``dash.Dash`` that does not tell the browser which versions it runs, and that asks for
    plotly.js with the page (a ``preload`` link) instead of after the first layout callback."""

    def _config(self):
        config = super()._config()
        for key in _UNDISCLOSED:
            config.pop(key, None)
        return config

    def interpolate_index(self, **kwargs):
        prefix = self.config.requests_pathname_prefix
        preload = (f'<link rel="preload" as="script" '
                   f'href="{prefix}_dash-component-suites/plotly/package_data/plotly.min.js">')
        kwargs["metas"] = kwargs.get("metas", "") + preload
        return super().interpolate_index(**kwargs)


def policy(app: dash.Dash) -> dict:
    """The Content-Security-Policy of every response (hashes of Dash's inline scripts)."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def harden(app: dash.Dash) -> Flask:
    """Apply the headers and the body limit to ``app.server``; call once every callback is
    registered (the CSP hashes the inline clientside callbacks)."""
    server = app.server
    if server.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None (no limit)
        server.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT
    secure = os.environ.get("CLUSTER_SECURE_COOKIES") == "1"
    talisman = Talisman(server, content_security_policy=policy(app), force_https=secure,
                        strict_transport_security=secure, session_cookie_secure=secure, frame_options="DENY",
                        referrer_policy="same-origin", x_content_type_options=True, x_xss_protection=False)
    done = []

    @server.before_request
    def _bounded_body():  # refuse by the declared length, before anything (Dash reads bodies silently) reads it
        from web.core import UPLOAD_LIMIT

        limit = UPLOAD_LIMIT if request.endpoint == "content.upload" else request.max_content_length
        if limit is not None and request.content_length is not None and request.content_length > limit:
            abort(413)

    @server.before_request
    def _hash_late_scripts():  # Dash Pages adds its inline scripts at the first request (after Dash's own hook)
        if not done:
            talisman.content_security_policy = policy(app)
            done.append(True)

    return server
