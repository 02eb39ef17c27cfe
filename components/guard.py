"""The last line of the validation boundary: nothing a browser (or a hand-made request) sends
ends in a 500 or a traceback.

- A callback that raises (a value of the wrong type, an unknown id, a range it cannot use)
  changes nothing on the page; the shell's alert says so in one sentence and the server log
  keeps the traceback (``on_callback_error``, passed to ``Dash(on_error=...)``).
- A callback request Dash itself cannot read (no ``output``, unknown callback, malformed
  ``inputs``, a JSON ``null`` body) is answered 400 with a one-line JSON message instead of 500
  (``init_app``). Bodies over the limit get werkzeug's 413 (``web.security``).
- The content database being unreachable is said without its internals (``DB_DOWN``): a page
  of the content blueprint answers 503 with that sentence, a callback shows it in the alert.

The pages validate their own inputs first (the routes' parameter declarations,
``components.routes``); this net catches what slips through.
"""
from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import set_props
from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from components import ids

log = logging.getLogger("cluster.guard")
MESSAGE = ("Some values this page sent could not be used, so nothing was changed. Pick again, or reload the "
           "page (every setting is in its address).")
DB_DOWN = "The saved content is not reachable just now; the statistics still work. Try again in a minute."


def alert() -> dbc.Alert:
    """The shell's alert for :data:`MESSAGE` (hidden until a callback fails)."""
    return dbc.Alert(id=ids.INPUT_ERROR, is_open=False, dismissable=True, color="warning", duration=12000,
                     className="small py-2 mx-3")  # Bootstrap alerts carry role="alert"


def _database_down(exc: Exception) -> bool:
    return isinstance(exc, (OperationalError, DBAPIError)) and not isinstance(exc, HTTPException)


def on_callback_error(err: Exception):
    """``Dash(on_error=...)``: log it, tell the user, change nothing."""
    body = request.get_json(silent=True)
    cb = body.get("output", "?") if isinstance(body, dict) else "?"
    log.warning("callback %s failed on its input: %s: %s", str(cb)[:200], type(err).__name__, str(err)[:300],
                exc_info=err)
    try:
        set_props(ids.INPUT_ERROR, {"children": DB_DOWN if _database_down(err) else MESSAGE, "is_open": True})
    except Exception:  # noqa: BLE001 - outside a callback context
        pass
    return None


def init_app(server: Flask) -> None:
    """Callback requests Dash cannot dispatch answer 400 (JSON), not 500."""

    @server.errorhandler(Exception)
    def _unhandled(exc):
        if isinstance(exc, HTTPException):
            return exc
        if _database_down(exc):
            log.error("content database unreachable on %s: %s", request.path, type(exc).__name__)
            return (f"<!doctype html><title>Not reachable just now</title><h1>Not reachable just now</h1>"
                    f"<p>{DB_DOWN}</p><p><a href=\"/\">Back to the observatory</a></p>"), 503, {"Retry-After": "60"}
        log.error("unhandled error on %s", request.path, exc_info=exc)
        if request.path.endswith("/_dash-update-component"):
            return jsonify(error="This request could not be read as a callback of this app."), 400
        return ("<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1>"
                "<p>The page could not be produced. Nothing you saved is lost; go back and try again.</p>"), 500
