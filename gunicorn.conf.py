"""gunicorn settings of `make run` and of production (``gunicorn -c gunicorn.conf.py app:server``).

Workers: $WEB_CONCURRENCY, else one per core (at most 4: each holds the request state, the data
are shared). The app is loaded once in the master (``preload_app``) with the tables read before
the fork, so workers share them copy-on-write. Bind: $HOST:$PORT (default 127.0.0.1:8050).

Logs: no access log unless $ACCESS_LOG names one; every log line (access log included: request
line, query, Referer) has uploaded datasets' keys redacted (web/log_redact.py, installed here for
the master and its workers, and by the app itself).
"""
import os

from web.log_redact import install as _redact_upload_keys

_redact_upload_keys()

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(os.cpu_count() or 1, 4))
preload_app = os.environ.get("CLUSTER_PRELOAD", "1") != "0"  # 0: each worker reads the data itself
timeout = 60
graceful_timeout = 20
limit_request_line = 8190
accesslog = os.environ.get("ACCESS_LOG")  # unset: no access log (uploads' ids must not reach logs)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning")


def on_starting(server):
    if preload_app:
        from analytics.serving.store import preload

        preload()


def when_ready(server):
    """Before the workers fork: the static scripts compressed once (at the highest level when
    ``python -m web.static_compression`` made it before, as ``make run`` does), so every worker
    serves the same bytes (web/static_compression.py)."""
    if preload_app:
        from web.static_compression import warm

        n = warm(server.app.wsgi())
        server.log.info("static files precompressed: %d", n)
