"""No uploaded dataset's key in any log: ``upload-…`` in a log line becomes ``upload-[redacted]``.

An uploaded dataset (/upload, ``analytics.upload``) is reached only by its key, which is in the
address of its pages (``/region/upload-…/DE11``, ``/map?dataset=upload-…``) and so in the request
line, the query string and the Referer of every request from those pages. :func:`install` makes
every log record of the process redacted when it is created (a log-record factory, so every logger
and handler is covered, whenever it is configured): gunicorn's access log (its atoms: request
line, path, query, Referer and any header), werkzeug's request lines of the development server,
the app's own messages and the tracebacks of logged exceptions. gunicorn.conf.py and the app
(``pages.upload.endpoint.init_app``) call it; calling it again changes nothing.
"""
from __future__ import annotations

import logging
import re

PATTERN = re.compile(r"upload-[A-Za-z0-9_\-]+")
REDACTED = "upload-[redacted]"
_INSTALLED: list = []


def redact(value):
    """``value`` with every upload key replaced (strings only; anything else as it is)."""
    if isinstance(value, str) and "upload-" in value:
        return PATTERN.sub(REDACTED, value)
    if isinstance(value, bytes) and b"upload-" in value:
        return PATTERN.sub(REDACTED, value.decode("utf-8", "replace"))
    return value


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record's message, its arguments (a tuple, or a mapping such as gunicorn's access
    atoms, changed in place) and the text of its exception."""
    record.msg = redact(record.msg)
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(redact(a) for a in args)
    elif isinstance(args, dict):
        for k, v in list(args.items()):
            r = redact(v)
            if r is not v:
                dict.__setitem__(args, k, r)
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactFilter(logging.Filter):
    """The same redaction as a filter, for a handler configured elsewhere (e.g. a logging dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    if _INSTALLED:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return redact_record(previous(*args, **kwargs))

    factory.redacting = True
    logging.setLogRecordFactory(factory)
    _INSTALLED.append(factory)
