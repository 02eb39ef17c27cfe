"""The document library: PDFs uploaded by editors, moderated, searchable and downloadable.

* **Type by content**, not by the name: the first bytes must be ``%PDF-1.x`` and the end must
  hold ``startxref`` … ``%%EOF`` (what every PDF reader looks for first); anything else is refused.
* **Size**: at most :data:`MAX_BYTES` (10 MB), counted while the stream is copied (the web layer
  also refuses a larger request before reading it).
* **Storage** outside the web root, in ``CLUSTER_UPLOAD_DIR`` (default ``data/uploads/``, mode
  700, with a ``.gitignore``), under a random name (:data:`STORED_RE`); the user's file name is
  only ever a download name: a name with a folder part, ``..`` or control characters is refused,
  and the stored download name keeps letters, digits, ``._-`` and spaces.
* **Moderation** like profiles: an editor's upload is pending until a moderator approves it (a
  moderator's or admin's own upload is approved at once); a rejection needs a reason.
* **Search**: text in title and abstract, region, category, year. A document tagged with a region
  is found for that region, the regions inside it (a ``DE`` document shows for ``DE11``) and the
  regions containing it (a ``DE11`` document shows for ``DE`` and ``DE1``).
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, insert, select, update

from analytics.content import ContentError, NotFound, audit, db
from analytics.content.accounts import User, require
from analytics.content.models import documents
from analytics.content.organisations import FieldErrors, split_ids

UPLOAD_ENV = "CLUSTER_UPLOAD_DIR"
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
STORED_RE = re.compile(r"^[0-9a-f]{32}\.pdf$")
_REGION_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")
_CAT_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PDF_HEAD = re.compile(rb"^%PDF-[12]\.\d")


class DocumentError(ContentError):
    """An upload refused (the message is for the user)."""


class TooLarge(DocumentError):
    pass


class NotPdf(DocumentError):
    pass


class BadFilename(DocumentError):
    pass


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    abstract: str | None
    regions: list[str]
    categories: list[str]
    year: int | None
    filename: str
    stored_name: str
    size: int
    sha256: str
    uploader_id: int
    status: str
    reason: str | None
    reviewer_id: int | None
    created_at: datetime
    updated_at: datetime
    reviewed_at: datetime | None

    @property
    def download_href(self) -> str:
        return f"/library/{self.id}/download"

    def record(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _doc(row) -> Document:
    m = dict(row._mapping)
    m["regions"] = split_ids(m["regions"])
    m["categories"] = split_ids(m["categories"])
    return Document(**m)


def upload_dir(override: str | os.PathLike | None = None) -> Path:
    """Where the files are (created, mode 700, with a ``.gitignore`` that ignores everything)."""
    path = Path(override or os.environ.get(UPLOAD_ENV) or db.data_dir() / "uploads").expanduser().resolve()
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    ignore = path / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return path


def check_filename(name: str | None) -> str:
    """The safe download name of an uploaded file's name; :class:`BadFilename` for a name with a
    folder part, ``..``, a leading dot or control characters."""
    name = (name or "").strip()
    if not name:
        raise BadFilename("The file has no name.")
    if ("/" in name or "\\" in name or ".." in name or name.startswith(".") or ":" in name
            or any(ord(c) < 32 or ord(c) == 127 for c in name)):
        raise BadFilename("The file name is not acceptable: no folders, '..', ':' or leading dots.")
    if len(name) > 200:
        raise BadFilename("The file name is too long (at most 200 characters).")
    safe = re.sub(r"[^\w.\- ]+", "_", name).strip(" ._") or "document"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    return safe


def check_pdf(head: bytes, tail: bytes) -> None:
    """Refuse anything whose bytes are not a PDF's (the name is not looked at)."""
    if not _PDF_HEAD.match(head):
        raise NotPdf("Only PDF documents can be uploaded (this file's content is not a PDF).")
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise NotPdf("This PDF looks damaged or truncated (no trailer at its end); it was not accepted.")


def clean_meta(meta: dict) -> dict:
    errors: dict[str, str] = {}
    title = (meta.get("title") or "").strip()
    if not 3 <= len(title) <= 300:
        errors["title"] = "a title of 3–300 characters is needed"
    abstract = (meta.get("abstract") or "").strip() or None
    if abstract and len(abstract) > 5000:
        errors["abstract"] = "at most 5000 characters"
    regions = split_ids(meta.get("regions"))
    if any(not _REGION_RE.match(r) for r in regions) or len(regions) > 50:
        errors["regions"] = "region ids (e.g. DE11, 26), at most 50"
    cats = split_ids(meta.get("categories"))
    if any(not _CAT_RE.match(c) for c in cats) or len(cats) > 40:
        errors["categories"] = "category ids (e.g. automotive), at most 40"
    year = meta.get("year")
    if year in (None, ""):
        year = None
    else:
        try:
            year = int(str(year).strip())
        except ValueError:
            errors["year"] = "a year such as 2021"
        else:
            if not 1900 <= year <= datetime.now(UTC).year + 1:
                errors["year"] = f"between 1900 and {datetime.now(UTC).year + 1}"
    if errors:
        raise FieldErrors(errors)
    return {"title": title, "abstract": abstract, "regions": ";".join(r.upper() for r in regions) or None,
            "categories": ";".join(cats) or None, "year": year}


def save_upload(actor: User, stream: BinaryIO, filename: str | None, meta: dict, *, url: str | None = None,
                upload_dir_override: str | os.PathLike | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Check and store an uploaded PDF with its metadata (pending; approved at once for moderators)."""
    require(actor, "editor")
    safe_name = check_filename(filename)
    clean = clean_meta(meta)
    folder = upload_dir(upload_dir_override)
    stored = f"{secrets.token_hex(16)}.pdf"
    part = folder / f".part-{secrets.token_hex(8)}"
    digest, size, head, tail = hashlib.sha256(), 0, b"", b""
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
                if len(head) < 16:
                    head = (head + chunk)[:16]
                tail = (tail + chunk)[-2048:]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise NotPdf("The file is empty.")
        check_pdf(head, tail)
        os.replace(part, folder / stored)
    finally:
        part.unlink(missing_ok=True)
    now = datetime.now(UTC)
    approved = actor.can("moderator")
    try:
        with db.engine(url).begin() as conn:
            doc_id = conn.execute(insert(documents).values(
                **clean, filename=safe_name, stored_name=stored, size=size, sha256=digest.hexdigest(),
                uploader_id=actor.id, status="approved" if approved else "pending",
                reviewer_id=actor.id if approved else None, reviewed_at=now if approved else None,
                created_at=now, updated_at=now)).inserted_primary_key[0]
            doc = _doc(conn.execute(select(documents).where(documents.c.id == doc_id)).one())
            audit.record(conn, actor, "document", doc_id, "upload", None, doc.record())
    except Exception:
        (folder / stored).unlink(missing_ok=True)
        raise
    return doc


# ---------------------------------------------------------------------------- queries

def get_document(doc_id: int, *, url: str | None = None) -> Document:
    with db.engine(url).connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == int(doc_id))).first()
    if row is None:
        raise NotFound(f"No document #{doc_id}.")
    return _doc(row)


def _all(url: str | None, *where) -> list[Document]:
    q = select(documents).order_by(documents.c.year.desc(), documents.c.id.desc())
    for w in where:
        q = q.where(w)
    with db.engine(url).connect() as conn:
        return [_doc(r) for r in conn.execute(q)]


def _in_region(doc: Document, region_id: str) -> bool:
    r = region_id.strip().upper()
    return any(r.startswith(d.upper()) or d.upper().startswith(r) for d in doc.regions)


def search_documents(text: str | None = None, region_id: str | None = None, category_id: str | None = None,
                     year: int | None = None, *, status: str = "approved", url: str | None = None) -> list[Document]:
    """Documents (approved by default) whose title or abstract contains ``text`` (any case), tagged
    with the region (or a region containing it or inside it), the category and the year; newest first."""
    out = _all(url, documents.c.status == status) if status else _all(url)
    if text and text.strip():
        t = text.strip().casefold()
        out = [d for d in out if t in f"{d.title}\n{d.abstract or ''}".casefold()]
    if region_id:
        out = [d for d in out if _in_region(d, region_id)]
    if category_id:
        out = [d for d in out if category_id in d.categories]
    if year:
        out = [d for d in out if d.year == int(year)]
    return out


def documents_for(region_id: str | None = None, category_id: str | None = None, *,
                  url: str | None = None) -> list[Document]:
    """Approved documents for a region page and/or a category page."""
    return search_documents(region_id=region_id, category_id=category_id, url=url)


def documents_by(user_id: int, *, url: str | None = None) -> list[Document]:
    return _all(url, documents.c.uploader_id == int(user_id))


def pending_documents(*, url: str | None = None) -> list[Document]:
    return sorted(_all(url, documents.c.status == "pending"), key=lambda d: d.id)


def can_download(user: User | None, doc: Document) -> bool:
    if doc.status == "approved":
        return True
    return user is not None and (user.id == doc.uploader_id or user.can("moderator"))


def document_file(doc: Document, *, upload_dir_override: str | os.PathLike | None = None) -> Path:
    """The stored file of a document (always a random name inside the upload dir)."""
    if not STORED_RE.match(doc.stored_name):
        raise NotFound("The document's file is missing.")
    folder = upload_dir(upload_dir_override)
    path = (folder / doc.stored_name).resolve()
    if path.parent != folder or not path.is_file():
        raise NotFound("The document's file is missing.")
    return path


# ---------------------------------------------------------------------------- moderation

def _review(actor: User, doc_id: int, status: str, reason: str | None, action: str, url) -> Document:
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(documents).where(documents.c.id == int(doc_id))).first()
        if row is None:
            raise NotFound(f"No document #{doc_id}.")
        before = _doc(row)
        if before.status != "pending":
            raise ContentError(f"Document #{doc_id} was already {before.status}.")
        conn.execute(update(documents).where(documents.c.id == before.id).values(
            status=status, reason=reason, reviewer_id=actor.id, reviewed_at=now, updated_at=now))
        after = _doc(conn.execute(select(documents).where(documents.c.id == before.id)).one())
        audit.record(conn, actor, "document", before.id, action, before.record(), after.record())
    return after


def approve_document(actor: User, doc_id: int, *, url: str | None = None) -> Document:
    require(actor, "moderator")
    return _review(actor, doc_id, "approved", None, "approve", url)


def reject_document(actor: User, doc_id: int, reason: str, *, url: str | None = None) -> Document:
    require(actor, "moderator")
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": "a reason is needed (the uploader sees it)"})
    return _review(actor, doc_id, "rejected", reason[:2000], "reject", url)


def delete_document(actor: User, doc_id: int, *, url: str | None = None,
                    upload_dir_override: str | os.PathLike | None = None) -> None:
    """Moderators: remove a document and its file (the audit log keeps its metadata)."""
    require(actor, "moderator")
    with db.engine(url).begin() as conn:
        row = conn.execute(select(documents).where(documents.c.id == int(doc_id))).first()
        if row is None:
            raise NotFound(f"No document #{doc_id}.")
        doc = _doc(row)
        conn.execute(delete(documents).where(documents.c.id == doc.id))
        audit.record(conn, actor, "document", doc.id, "delete", doc.record(), None)
    if STORED_RE.match(doc.stored_name):
        (upload_dir(upload_dir_override) / doc.stored_name).unlink(missing_ok=True)
