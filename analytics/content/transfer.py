"""Export all user content to one zip file, and restore it into an empty database.

The file (``python -m analytics content export FILE``; mode 600) is a zip with ``content.json``
and ``files/<stored name>`` for every document. ``content.json`` holds:

* **users, with their Argon2 password hashes**, so that a restore keeps every login working (the
  file is therefore as sensitive as the database: keep it private). No tokens are exported —
  there are none to export: confirmation tokens are signed and never stored; the secret key is
  not part of the export (a restore on another server with another key only invalidates
  unconfirmed links and sessions);
* the organisation profiles that differ from the seed: user-created (``user-<n>``), edited
  through moderation, claimed, hidden, or referred to by a revision; unedited seed rows are not
  exported (``organisations import`` brings them back);
* every revision (its profile by key), every document's metadata (files beside), the audit log.

``content import FILE`` (:func:`import_content`) needs a database without users, revisions and
documents (the seed may already be imported: exported profiles replace the seed rows of the same
key). Ids of users, revisions and documents are kept; profiles are matched by key; audit rows are
appended. A file whose content does not match its recorded SHA-256 is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, or_, select, text, update

from analytics.content import ContentError, audit, db
from analytics.content.documents import STORED_RE, upload_dir
from analytics.content.models import audit_log, documents, organisations, revisions, users

FORMAT = "cluster-observatory-content"
VERSION = 1
_DATETIME_COLUMNS = {"confirmed_at", "created_at", "updated_at", "edited_at", "reviewed_at", "at"}


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def _parse(row: dict) -> dict:
    out = dict(row)
    for k in _DATETIME_COLUMNS & out.keys():
        if out[k]:
            dt = datetime.fromisoformat(out[k])
            out[k] = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return out


def export_content(path: str | os.PathLike, *, url: str | None = None,
                   upload_dir_override: str | os.PathLike | None = None) -> dict[str, int]:
    """Write the content to ``path`` (a zip); returns the counts written."""
    path = Path(path)
    with db.engine(url).connect() as conn:
        user_rows = [dict(r._mapping) for r in conn.execute(select(users).order_by(users.c.id))]
        referenced = select(revisions.c.org_id).where(revisions.c.org_id.is_not(None))
        org_rows = [dict(r._mapping) for r in conn.execute(select(organisations).where(or_(
            organisations.c.key.like("user-%"), organisations.c.edited_at.is_not(None),
            organisations.c.owner_user_id.is_not(None), organisations.c.status != "published",
            organisations.c.id.in_(referenced))).order_by(organisations.c.id))]
        rev_rows = [dict(r._mapping) for r in conn.execute(
            select(revisions, organisations.c.key.label("org_key"))
            .select_from(revisions.outerjoin(organisations, revisions.c.org_id == organisations.c.id))
            .order_by(revisions.c.id))]
        doc_rows = [dict(r._mapping) for r in conn.execute(select(documents).order_by(documents.c.id))]
        log_rows = [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    for r in rev_rows:
        r.pop("org_id")
    for r in org_rows:
        r.pop("id")
    payload = {"format": FORMAT, "version": VERSION, "exported_at": datetime.now(UTC).isoformat(),
               "users": [_jsonable(r) for r in user_rows], "organisations": [_jsonable(r) for r in org_rows],
               "revisions": [_jsonable(r) for r in rev_rows], "documents": [_jsonable(r) for r in doc_rows],
               "audit_log": [_jsonable(r) for r in log_rows]}
    folder = upload_dir(upload_dir_override)
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("content.json", json.dumps(payload, ensure_ascii=False, indent=1))
            for d in doc_rows:
                src = folder / d["stored_name"]
                if STORED_RE.match(d["stored_name"]) and src.is_file():
                    zf.write(src, f"files/{d['stored_name']}")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return {k: len(payload[k]) for k in ("users", "organisations", "revisions", "documents", "audit_log")}


def _read(path: Path) -> tuple[dict, dict[str, bytes]]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError(f"{path}: not a content export ({exc}).") from None
    with zf:
        try:
            payload = json.loads(zf.read("content.json"))
        except (KeyError, ValueError):
            raise ContentError(f"{path}: no readable content.json inside.") from None
        if payload.get("format") != FORMAT or payload.get("version") != VERSION:
            raise ContentError(f"{path}: not a version-{VERSION} content export.")
        files = {}
        for d in payload.get("documents", []):
            name = d.get("stored_name", "")
            if not STORED_RE.match(name):  # no path of the archive reaches the file system
                raise ContentError(f"{path}: a document has an unexpected stored name {name!r}.")
            try:
                data = zf.read(f"files/{name}")
            except KeyError:
                raise ContentError(f"{path}: the file of document #{d.get('id')} is missing.") from None
            if hashlib.sha256(data).hexdigest() != d.get("sha256"):
                raise ContentError(f"{path}: the file of document #{d.get('id')} does not match its checksum.")
            files[name] = data
    return payload, files


def import_content(path: str | os.PathLike, *, url: str | None = None,
                   upload_dir_override: str | os.PathLike | None = None) -> dict[str, int]:
    """Restore an export into a database without users, revisions and documents."""
    payload, files = _read(Path(path))
    folder = upload_dir(upload_dir_override)
    written: list[Path] = []
    try:
        with db.engine(url).begin() as conn:
            for table in (users, revisions, documents):
                if conn.execute(select(func.count()).select_from(table)).scalar():
                    raise ContentError(f"The database already has {table.name}; import needs an empty one.")
            if payload["users"]:
                conn.execute(insert(users), [_parse(r) for r in payload["users"]])
            key_to_id = {}
            existing = {r.key: r.id for r in conn.execute(select(organisations.c.key, organisations.c.id))}
            for r in payload["organisations"]:
                row = _parse(r)
                if row["key"] in existing:
                    conn.execute(update(organisations).where(organisations.c.id == existing[row["key"]]).values(**row))
                    key_to_id[row["key"]] = existing[row["key"]]
                else:
                    key_to_id[row["key"]] = conn.execute(insert(organisations).values(**row)).inserted_primary_key[0]
            rev_rows = []
            for r in payload["revisions"]:
                row = _parse(r)
                key = row.pop("org_key", None)
                if key is not None and key not in key_to_id:
                    raise ContentError(f"Revision #{row['id']} refers to profile {key!r}, which the file lacks.")
                row["org_id"] = key_to_id.get(key)
                rev_rows.append(row)
            if rev_rows:
                conn.execute(insert(revisions), rev_rows)
            if payload["documents"]:
                conn.execute(insert(documents), [_parse(r) for r in payload["documents"]])
            logs = [{k: v for k, v in _parse(r).items() if k != "id"} for r in payload["audit_log"]]
            if logs:
                conn.execute(insert(audit_log), logs)
            if conn.dialect.name == "postgresql":
                for table in (users, organisations, revisions, documents):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1))"))
            counts = {k: len(payload[k]) for k in ("users", "organisations", "revisions", "documents", "audit_log")}
            for name, data in files.items():
                target = folder / name
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                written.append(target)
            audit.record(conn, "cli", "content", "import", "import_content", None, counts)
    except Exception:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return counts
