"""The audit log: who changed what, when, with the entity before and after (JSON).

:func:`record` is called with the connection of the change's own transaction, so a change and its
log row are committed together or not at all. The largest log id is the content's version
(:func:`content_version`), which the published views use to know when to reload.
Password hashes are never written to the log.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from analytics.content import db
from analytics.content.models import audit_log

SECRET_KEYS = {"password_hash", "password", "token"}


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def dumps(data: dict | None) -> str | None:
    if data is None:
        return None
    clean = {k: v for k, v in dict(data).items() if k not in SECRET_KEYS}
    return json.dumps(clean, default=_default, ensure_ascii=False, sort_keys=True)


def record(conn: Connection, actor, entity: str, entity_id, action: str,
           before: dict | None = None, after: dict | None = None) -> int:
    """Write one log row inside ``conn``'s transaction. ``actor``: a user (anything with ``id`` and
    ``email``), or a string such as ``"cli"`` / ``"system"``."""
    user_id = getattr(actor, "id", None)
    name = getattr(actor, "email", None) or (actor if isinstance(actor, str) else None)
    res = conn.execute(insert(audit_log).values(
        at=datetime.now(UTC), user_id=user_id, actor=name, entity=entity,
        entity_id=None if entity_id is None else str(entity_id), action=action,
        before=dumps(before), after=dumps(after)))
    return res.inserted_primary_key[0]


def entries(entity: str | None = None, entity_id=None, limit: int | None = 200, *,
            url: str | None = None) -> list[dict[str, Any]]:
    """Log rows, newest first, with ``before``/``after`` decoded."""
    q = select(audit_log).order_by(audit_log.c.id.desc())
    if entity:
        q = q.where(audit_log.c.entity == entity)
    if entity_id is not None:
        q = q.where(audit_log.c.entity_id == str(entity_id))
    if limit:
        q = q.limit(limit)
    with db.engine(url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    for r in rows:
        r["before"] = json.loads(r["before"]) if r["before"] else None
        r["after"] = json.loads(r["after"]) if r["after"] else None
    return rows


def content_version(*, url: str | None = None) -> int:
    """The largest audit id: changes whenever any content changes (0 on an empty database)."""
    with db.engine(url).connect() as conn:
        return int(conn.execute(select(func.max(audit_log.c.id))).scalar() or 0)
