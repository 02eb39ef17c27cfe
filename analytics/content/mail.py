"""Outgoing mail through a configurable backend; this project never sends real mail.

``CLUSTER_MAIL_BACKEND``:

* ``log`` (default): the mail — including a confirmation link, which is the point of it, so an
  operator can pass it on — is written to the server log (logger ``analytics.content.mail``,
  level WARNING, marked ``[mail not sent: log backend — contains a one-time link]``);
* ``memory``: appended to :data:`outbox` (tests read it).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from analytics.content import ContentError

BACKEND_ENV = "CLUSTER_MAIL_BACKEND"
BACKENDS = ("log", "memory")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    sent_at: datetime


outbox: list[Message] = []


def backend() -> str:
    name = (os.environ.get(BACKEND_ENV) or "log").strip().lower()
    if name not in BACKENDS:
        raise ContentError(f"{BACKEND_ENV}={name!r}: use one of {', '.join(BACKENDS)}")
    return name


def send(to: str, subject: str, body: str) -> Message:
    msg = Message(to=to, subject=subject, body=body, sent_at=datetime.now(UTC))
    if backend() == "memory":
        outbox.append(msg)
    else:
        log.warning("[mail not sent: log backend — contains a one-time link] To: %s | Subject: %s\n%s",
                    to, subject, body)
    return msg
