"""Organisation profiles: the imported seed, moderated creates, edits and claims, and the published
frame the pages read.

* **Moderation.** An editor's create, edit or claim is a pending *revision* (proposed fields as
  JSON, the profile's version it was based on); a moderator approves it (the change is applied and
  the profile's version goes up) or rejects it with a reason the author sees. A moderator's or
  admin's own change is applied at once (still recorded as an approved revision).
* **Who may propose an edit.** An editor may edit a profile they own or one nobody has claimed;
  a profile claimed by someone else only by its owner (and moderators).
* **Placing** (:func:`clean_fields`, at submission, never at approval): a proposed profile is
  located like the seed (:func:`analytics.sources.organisations.place`). A region id it gives must be
  a NUTS 2021 level-2 code of its country (Europe) or a US state's 2-digit FIPS code, and its name
  is filled from the official one when left empty ("given by the organisation (NUTS 2021 DE23)");
  without one, a European profile's country and city go through the seed's Locator (region, name,
  GeoNames point and method, or "region unknown" with the reason). Nothing is guessed. Category ids
  must be the project's (an edit may keep those its profile already has).
* **Concurrency.** Each edit records ``base_version``. A save whose base is stale is refused
  (:class:`~analytics.content.StaleVersion`; the form shows the typed text again). Approving a
  revision whose base is stale is refused too: the revision is closed as rejected with a
  "stale" reason and keeps the editor's text. Applying is a compare-and-set on the version
  (``UPDATE … WHERE version = base``), so two approvals can never both win.
* **Seed import** (:func:`import_seed`) is idempotent. Rule: a profile changed through moderation
  (``edited_at`` set — its owner's or anyone's approved edit) is never overwritten by a re-import;
  an unedited seed row is updated when the seed changed (its version goes up, so an edit begun
  on the old text is stale). Status (hidden), owner and user-created profiles (``user-<n>``)
  are never touched; seed rows that disappear from the seed are kept.
* **Published view** (:func:`published_organisations`): a DataFrame held in the process per
  :func:`content_version` (the largest audit id, one cheap query), so a change shows on the next
  read in every process.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from analytics.content import ContentError, NotFound, PermissionDenied, StaleVersion, audit, db
from analytics.content.accounts import User, require
from analytics.content.models import SEED_FIELDS, audit_log, organisations, revisions, users
from analytics.serving.library import default_url
from analytics.sources.organisations import GIVEN_METHOD, LOCATED, UNKNOWN, PlaceError

log = logging.getLogger(__name__)

AUTOSEED_ENV = "CLUSTER_CONTENT_AUTOSEED"
DATASETS = ("eu", "us")
EDITABLE = ("name", "country", "city", "region_id", "region_name", "lat", "lon", "ecosystem", "ecosystem_name",
            "categories", "type", "website", "description")
CREATE_FIELDS = ("dataset", *EDITABLE)
PUBLISHED_COLUMNS = ["id", *SEED_FIELDS, "org_pk", "owner", "updated_at"]
USER_LOCATE_METHOD = GIVEN_METHOD  # "given by the organisation (NUTS 2021 DE23)" / "(US state FIPS 26)"
LOCATE_FIELDS = ("locate_status", "locate_method")
NUTS_TO_ISO = {"EL": "GR", "UK": "GB"}
NOT_YOURS = ("This profile is managed by its owner; you can propose edits only to profiles you own or that nobody "
             "has claimed.")
STALE_REASON = ("Stale: the profile changed since this edit began (it was based on version {base}; the profile is "
                "now at version {current}). The editor's text is kept in this rejected/stale revision; start a new "
                "edit from it.")
STALE_APPROVE = ("The profile changed since this edit began; the editor's text is kept in the rejected/stale "
                 "revision #{rev} (based on version {base}, the profile is at version {current}).")
STALE_FORM = ("The profile changed since you began this edit (version {base} → {current}); nothing was saved. "
              "Your text is kept below: compare it with the current profile and save again.")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CAT_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_WEB_RE = re.compile(r"^https?://[^\s<>\"']{3,490}$", re.IGNORECASE)
LIMITS = {"name": 300, "city": 200, "region_name": 200, "ecosystem_name": 200, "type": 100, "website": 500,
          "description": 5000}


class FieldErrors(ContentError):
    """Proposed fields refused; ``errors`` maps a field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Revision:
    id: int
    kind: str
    org_id: int | None
    org_key: str | None
    org_name: str | None
    fields: dict[str, Any]
    base_version: int | None
    author_id: int
    author_email: str | None
    status: str
    reason: str | None
    reviewer_id: int | None
    created_at: datetime
    reviewed_at: datetime | None
    current_version: int | None = None
    current: dict[str, Any] = field(default_factory=dict)  # the profile's fields now (edits: to compare)

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, current value, proposed value): what an edit changes, or a new profile's fields."""
        if self.kind == "claim":
            return []
        if self.kind == "create":
            return [(k, None, v) for k, v in self.fields.items() if v not in (None, "")]
        def same(v):
            return "" if v is None else str(v)
        return [(k, self.current.get(k), v) for k, v in self.fields.items() if same(self.current.get(k)) != same(v)]

    @property
    def stale(self) -> bool:
        return self.kind == "edit" and self.current_version is not None and self.base_version != self.current_version


# ---------------------------------------------------------------------------- validation

def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    return s or None


def split_ids(value) -> list[str]:
    """Ids from a list or a ';'/','/space separated string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[;,\s]+", str(value))
    out: list[str] = []
    for p in parts:
        p = str(p).strip()
        if p and p not in out:
            out.append(p)
    return out


def clean_fields(fields: dict, creating: bool = False, *, dataset: str | None = None,
                 current: dict | None = None) -> dict[str, Any]:
    """The proposed fields, checked and normalised; :class:`FieldErrors` lists what is wrong.

    The profile is then placed like the seed (:func:`place_fields`): a given region id must be a
    NUTS 2021 level-2 code (Europe) or a US state's FIPS code; without one a European profile's
    country and city are located by the seed's rules; the result adds ``locate_status`` and
    ``locate_method``. Category ids must be the project's (:func:`known_categories`); an edit may
    keep the ids its profile already has. ``dataset`` / ``current``: the edited profile's."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in (CREATE_FIELDS if creating else EDITABLE):
        raw = fields.get(name)
        value = _text(raw)
        if name in LIMITS and value and len(value) > LIMITS[name]:
            errors[name] = f"at most {LIMITS[name]} characters"
            continue
        if name == "dataset":
            if value not in DATASETS:
                errors[name] = "choose eu or us"
        elif name == "name":
            if not value or len(value) < 2:
                errors[name] = "a name of at least 2 characters is needed"
        elif name == "country":
            if value:
                value = value.upper()
                if not re.fullmatch(r"[A-Z]{2}", value):
                    errors[name] = "a two-letter country code (e.g. DE, US)"
                value = NUTS_TO_ISO.get(value, value)  # Eurostat's EL / UK are ISO's GR / GB
        elif name in ("region_id", "ecosystem"):
            if value and not _ID_RE.match(value):
                errors[name] = "letters, digits, '_', '-' or '.' only"
        elif name in ("lat", "lon"):
            if value is not None:
                try:
                    value = float(value.replace(",", "."))
                except ValueError:
                    errors[name] = "a number"
                    continue
                bound = 90 if name == "lat" else 180
                if not -bound <= value <= bound or math.isnan(value):
                    errors[name] = f"between -{bound} and {bound}"
        elif name == "categories":
            ids = split_ids(raw)
            bad = [c for c in ids if not _CAT_RE.match(c)]
            if bad:
                errors[name] = f"not category ids: {', '.join(bad[:5])}"
            elif len(ids) > 40:
                errors[name] = "at most 40 categories"
            else:
                kept = set(split_ids((current or {}).get("categories")))
                known = known_categories()
                unknown = [c for c in ids if known is not None and c not in known and c not in kept]
                if unknown:
                    errors[name] = (f"not categories of the Observatory: {', '.join(unknown[:10])}"
                                    f"{' …' if len(unknown) > 10 else ''} (use the ids of the category pages, "
                                    "e.g. automotive or information_technology_and_analytical_instruments)")
            value = ";".join(ids) or None
        elif name == "website":
            if value and not _WEB_RE.match(value):
                errors[name] = "an http:// or https:// address"
        out[name] = value
    dataset = out.get("dataset") if creating else (dataset or (current or {}).get("dataset"))
    if dataset in DATASETS and not {"country", "city", "region_id", "lat", "lon"} & set(errors):
        try:
            out.update(place_fields(out, dataset, current))
        except PlaceError as exc:
            errors["region_id"] = str(exc)
    if errors:
        raise FieldErrors(errors)
    return out


def _same(a, b) -> bool:
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return str(v).strip()
    return norm(a) == norm(b)


def place_fields(values: dict, dataset: str, current: dict | None = None) -> dict[str, Any]:
    """``region_id``, ``region_name``, ``lat``, ``lon``, ``locate_status``, ``locate_method`` of
    proposed (cleaned) values, by :func:`analytics.sources.organisations.place`:

    * an edit that leaves the region, country and city as they are keeps the profile's locating
      (its method, e.g. the seed's GeoNames place; a legacy "unlocated" becomes "region unknown");
    * an edit that changes the country or city of a profile whose region was located (not given
      by the organisation) places it again from the new place, as if the region were left empty;
    * otherwise a given region id is checked, and an empty one is found from country and city.

    Latitude and longitude typed by the editor are kept; otherwise the GeoNames point is used.
    :class:`PlaceError` for a region id that is not a real region."""
    from analytics.sources.organisations import nuts2_region, place, us_state

    region = (values.get("region_id") or "").strip() or None
    if region:
        region = region.upper()
    lat, lon = values.get("lat"), values.get("lon")
    method = (current or {}).get("locate_method") or ""
    if current is not None and method and _same(region, current.get("region_id")):
        moved = not (_same(values.get("country"), current.get("country"))
                     and _same(values.get("city"), current.get("city")))
        if not moved:  # the place is as it was: so is how it was located
            name = None
            if region:
                name = values.get("region_name") or (us_state(region) if dataset == "us" else nuts2_region(region))[1]
            status = current.get("locate_status")
            return {"region_id": region, "region_name": name,
                    "locate_status": status if status in (LOCATED, UNKNOWN) else (LOCATED if region else UNKNOWN),
                    "locate_method": method}
        if region and not method.startswith(USER_LOCATE_METHOD):
            region = None  # the region came from the old place: find it again from the new one
            if _same(lat, current.get("lat")) and _same(lon, current.get("lon")):
                lat = lon = None  # so did the point
    placed = place(dataset, values.get("country"), values.get("city"), region)
    if region and values.get("region_name"):
        placed["region_name"] = values["region_name"]  # the organisation's own name of its region
    placed["lat"] = lat if lat is not None else placed["lat"]
    placed["lon"] = lon if lon is not None else placed["lon"]
    return placed


_KNOWN: dict[str, frozenset[str]] = {}


def known_categories() -> frozenset[str] | None:
    """The category ids of the project: the union over the built datasets' categories (held per
    build). None when no build can be read (the ids are then only checked for their form)."""
    try:
        from analytics.serving.store import available_datasets, build_id, get_store

        key = build_id()
        if key not in _KNOWN:
            ids: set[str] = set()
            for d in available_datasets():
                ids.update(str(c) for c in get_store(d).categories["category_id"])
            if not ids:
                return None
            _KNOWN[key] = frozenset(ids)
        return _KNOWN[key]
    except Exception as exc:  # noqa: BLE001 - a missing build must not break the forms
        log.warning("category ids not checked: the build cannot be read (%s: %s)", type(exc).__name__, exc)
        return None


# ---------------------------------------------------------------------------- rows

def _org(row) -> dict[str, Any]:
    return dict(row._mapping)


def _org_fields(org: dict) -> dict[str, Any]:
    return {k: org.get(k) for k in (*EDITABLE, *LOCATE_FIELDS)}


def get_organisation(key: str, *, url: str | None = None, published_only: bool = False) -> dict[str, Any]:
    """The profile with this key (any status unless ``published_only``), all columns."""
    with db.engine(url).connect() as conn:
        row = conn.execute(select(organisations).where(organisations.c.key == str(key))).first()
    if row is None or (published_only and row._mapping["status"] != "published"):
        raise NotFound(f"No organisation profile “{key}”.")
    return _org(row)


def _revision(row, org: dict | None = None) -> Revision:
    m = row._mapping
    org = org or {}
    return Revision(
        id=m["id"], kind=m["kind"], org_id=m["org_id"], org_key=m.get("org_key"), org_name=m.get("org_name"),
        fields=json.loads(m["fields"]), base_version=m["base_version"], author_id=m["author_id"],
        author_email=m.get("author_email"), status=m["status"], reason=m["reason"], reviewer_id=m["reviewer_id"],
        created_at=m["created_at"], reviewed_at=m["reviewed_at"], current_version=m.get("org_version"),
        current=_org_fields(org) if org else {})


def _revision_query():
    return (select(revisions, organisations.c.key.label("org_key"), organisations.c.name.label("org_name"),
                   organisations.c.version.label("org_version"), users.c.email.label("author_email"))
            .select_from(revisions.outerjoin(organisations, revisions.c.org_id == organisations.c.id)
                         .outerjoin(users, revisions.c.author_id == users.c.id)))


def _revisions(q, url: str | None) -> list[Revision]:
    with db.engine(url).connect() as conn:
        rows = list(conn.execute(q))
        org_ids = {r._mapping["org_id"] for r in rows if r._mapping["org_id"] is not None}
        orgs = {}
        if org_ids:
            orgs = {r._mapping["id"]: _org(r) for r in conn.execute(
                select(organisations).where(organisations.c.id.in_(org_ids)))}
    return [_revision(r, orgs.get(r._mapping["org_id"])) for r in rows]


def get_revision(rev_id: int, *, url: str | None = None) -> Revision:
    out = _revisions(_revision_query().where(revisions.c.id == int(rev_id)), url)
    if not out:
        raise NotFound(f"No revision #{rev_id}.")
    return out[0]


def pending_revisions(*, url: str | None = None) -> list[Revision]:
    """The moderation queue, oldest first."""
    return _revisions(_revision_query().where(revisions.c.status == "pending").order_by(revisions.c.id), url)


def revisions_by(user_id: int, *, url: str | None = None) -> list[Revision]:
    """A user's submissions, newest first (the "my submissions" page)."""
    return _revisions(_revision_query().where(revisions.c.author_id == int(user_id))
                      .order_by(revisions.c.id.desc()), url)


def revisions_of(key: str, *, url: str | None = None) -> list[Revision]:
    return _revisions(_revision_query().where(organisations.c.key == str(key)).order_by(revisions.c.id.desc()), url)


# ---------------------------------------------------------------------------- permissions

def can_edit(user: User | None, org: dict) -> bool:
    if user is None or not user.can("editor") or (org["status"] != "published" and not user.can("moderator")):
        return False
    return user.can("moderator") or org["owner_user_id"] in (None, user.id)


def can_claim(user: User | None, org: dict) -> bool:
    return (user is not None and user.can("editor") and org["status"] == "published"
            and org["owner_user_id"] is None)


# ---------------------------------------------------------------------------- submissions

def _insert_revision(conn: Connection, actor: User, kind: str, org_id, fields: dict, base_version, now) -> int:
    rev_id = conn.execute(insert(revisions).values(
        kind=kind, org_id=org_id, fields=json.dumps(fields, ensure_ascii=False), base_version=base_version,
        author_id=actor.id, status="pending", created_at=now)).inserted_primary_key[0]
    audit.record(conn, actor, "revision", rev_id, f"submit_{kind}", None,
                 {"kind": kind, "org_id": org_id, "fields": fields, "base_version": base_version})
    return rev_id


def submit_create(actor: User, fields: dict, *, url: str | None = None) -> Revision:
    """Propose a new profile (applied at once for moderators and admins)."""
    require(actor, "editor")
    clean = clean_fields(fields, creating=True)
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        rev_id = _insert_revision(conn, actor, "create", None, clean, None, now)
        if actor.can("moderator"):
            _approve_in(conn, actor, rev_id, now)
    return get_revision(rev_id, url=url)


def submit_edit(actor: User, key: str, fields: dict, base_version: int, *, url: str | None = None) -> Revision:
    """Propose an edit based on ``base_version``; :class:`StaleVersion` when the profile changed
    since (nothing is saved; the caller shows the typed text again)."""
    require(actor, "editor")
    seen = get_organisation(key, url=url)
    if not can_edit(actor, seen):
        raise PermissionDenied(NOT_YOURS)
    clean = clean_fields(fields, current=seen)  # placing may read the gazetteer: outside the transaction
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(organisations).where(organisations.c.key == str(key))).first()
        if row is None:
            raise NotFound(f"No organisation profile “{key}”.")
        org = _org(row)
        if not can_edit(actor, org):
            raise PermissionDenied(NOT_YOURS)
        if org["version"] != seen["version"]:  # changed since the read above: place against the profile now
            clean = clean_fields(fields, current=org)
        try:
            base = int(base_version)
        except (TypeError, ValueError):
            raise ContentError("The form is missing the profile's version; open the edit page again.") from None
        if base != org["version"]:
            raise StaleVersion(STALE_FORM.format(base=base, current=org["version"]), org["version"])
        if all(_same(v, org[k]) for k, v in clean.items()):
            raise ContentError("Nothing was changed.")
        rev_id = _insert_revision(conn, actor, "edit", org["id"], clean, base, now)
        if actor.can("moderator"):
            problem = _approve_in(conn, actor, rev_id, now)
            if problem:  # lost a race with another approval between the read and the write
                raise StaleVersion(STALE_FORM.format(base=base, current=org["version"] + 1))
    return get_revision(rev_id, url=url)


def submit_claim(actor: User, key: str, message: str = "", *, url: str | None = None) -> Revision:
    """Ask to become the owner of an unclaimed profile (moderated; at once for moderators)."""
    require(actor, "editor")
    message = (message or "").strip()
    if len(message) > 2000:
        raise FieldErrors({"message": "at most 2000 characters"})
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(organisations).where(organisations.c.key == str(key))).first()
        if row is None or row._mapping["status"] != "published":
            raise NotFound(f"No organisation profile “{key}”.")
        org = _org(row)
        if org["owner_user_id"] is not None:
            raise ContentError("This profile is already claimed." if org["owner_user_id"] != actor.id
                               else "You already own this profile.")
        dup = conn.execute(select(revisions.c.id).where(
            revisions.c.kind == "claim", revisions.c.org_id == org["id"], revisions.c.author_id == actor.id,
            revisions.c.status == "pending")).first()
        if dup is not None:
            raise ContentError("Your claim of this profile is already waiting for a moderator.")
        rev_id = _insert_revision(conn, actor, "claim", org["id"], {"message": message}, org["version"], now)
        if actor.can("moderator"):
            _approve_in(conn, actor, rev_id, now)
    return get_revision(rev_id, url=url)


# ---------------------------------------------------------------------------- moderation

def _close(conn, actor, rev_id: int, status: str, reason: str | None, now, action: str) -> None:
    before = dict(conn.execute(select(revisions).where(revisions.c.id == rev_id)).one()._mapping)
    conn.execute(update(revisions).where(revisions.c.id == rev_id).values(
        status=status, reason=reason, reviewer_id=actor.id, reviewed_at=now))
    audit.record(conn, actor, "revision", rev_id, action, {"status": before["status"]},
                 {"status": status, "reason": reason})


def _free_key(conn: Connection, key: str) -> str:
    """``key``, or ``key-2``, ``key-3`` … when taken (e.g. by a restored profile)."""
    candidate, n = key, 1
    while conn.execute(select(organisations.c.id).where(organisations.c.key == candidate)).first() is not None:
        n += 1
        candidate = f"{key}-{n}"
    return candidate


def _locating(proposed: dict) -> dict[str, Any]:
    """locate_status and locate_method of a proposal: as placed at submission (clean_fields); a
    revision proposed before placing existed: a region counts as given, none as region unknown."""
    if any(k in proposed for k in LOCATE_FIELDS):
        return {k: proposed.get(k) for k in LOCATE_FIELDS}
    region = proposed.get("region_id")
    return {"locate_status": LOCATED if region else UNKNOWN,
            "locate_method": f"{GIVEN_METHOD} ({region})" if region else "no region given"}


def _approve_in(conn: Connection, actor: User, rev_id: int, now) -> str | None:
    """Apply a pending revision inside ``conn``'s transaction; returns a message when it cannot be
    applied (stale or conflicting; the revision is then closed as rejected), else None."""
    rev = dict(conn.execute(select(revisions).where(revisions.c.id == rev_id)).one()._mapping)
    if rev["status"] != "pending":
        raise ContentError(f"Revision #{rev_id} was already {rev['status']}.")
    proposed = json.loads(rev["fields"])
    if rev["kind"] == "create":
        values = {k: proposed.get(k) for k in CREATE_FIELDS}
        values.update(_locating(proposed))
        values.update(key=f"new-{uuid.uuid4().hex}", status="published", owner_user_id=rev["author_id"], version=1,
                      source="user", source_updated=now.date().isoformat(), edited_at=now, created_at=now,
                      updated_at=now)
        org_id = conn.execute(insert(organisations).values(**values)).inserted_primary_key[0]
        key = _free_key(conn, f"user-{org_id}")
        conn.execute(update(organisations).where(organisations.c.id == org_id).values(key=key))
        conn.execute(update(revisions).where(revisions.c.id == rev_id).values(org_id=org_id))
        after = _org(conn.execute(select(organisations).where(organisations.c.id == org_id)).one())
        audit.record(conn, actor, "organisation", key, "create", None, after)
    else:
        before_row = conn.execute(select(organisations).where(organisations.c.id == rev["org_id"])).first()
        if before_row is None:
            problem = f"The profile of revision #{rev_id} no longer exists."
            _close(conn, actor, rev_id, "rejected", problem, now, "reject")
            return problem
        before = _org(before_row)
        if rev["kind"] == "claim":
            if before["owner_user_id"] not in (None, rev["author_id"]):
                problem = "The profile was claimed by someone else in the meantime."
                _close(conn, actor, rev_id, "rejected", problem, now, "reject")
                return problem
            conn.execute(update(organisations).where(organisations.c.id == before["id"]).values(
                owner_user_id=rev["author_id"], updated_at=now))
            action = "claim"
        else:
            if rev["base_version"] != before["version"]:
                _close(conn, actor, rev_id, "rejected",
                       STALE_REASON.format(base=rev["base_version"], current=before["version"]), now, "stale")
                return STALE_APPROVE.format(rev=rev_id, base=rev["base_version"], current=before["version"])
            values = {k: proposed.get(k) for k in EDITABLE}
            if any(k in proposed for k in LOCATE_FIELDS) or values.get("region_id") != before["region_id"]:
                values.update(_locating(proposed))
            res = conn.execute(update(organisations).where(
                organisations.c.id == before["id"], organisations.c.version == rev["base_version"]).values(
                **values, version=before["version"] + 1, edited_at=now, updated_at=now))
            if res.rowcount != 1:  # another approval won between our read and this write
                _close(conn, actor, rev_id, "rejected",
                       STALE_REASON.format(base=rev["base_version"], current=before["version"] + 1), now, "stale")
                return STALE_APPROVE.format(rev=rev_id, base=rev["base_version"], current=before["version"] + 1)
            action = "update"
        after = _org(conn.execute(select(organisations).where(organisations.c.id == before["id"])).one())
        audit.record(conn, actor, "organisation", before["key"], action, before, after)
    _close(conn, actor, rev_id, "approved", None, now, "approve")
    return None


def approve(actor: User, rev_id: int, *, url: str | None = None) -> Revision:
    """Moderators: apply a pending revision. :class:`StaleVersion` when the profile changed since
    the edit began (the revision is then closed as rejected/stale and keeps the text)."""
    require(actor, "moderator")
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        if conn.execute(select(revisions.c.id).where(revisions.c.id == int(rev_id))).first() is None:
            raise NotFound(f"No revision #{rev_id}.")
        problem = _approve_in(conn, actor, int(rev_id), now)
    if problem:
        raise StaleVersion(problem)
    return get_revision(rev_id, url=url)


def reject(actor: User, rev_id: int, reason: str, *, url: str | None = None) -> Revision:
    """Moderators: reject a pending revision; the reason is mandatory (the author sees it)."""
    require(actor, "moderator")
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": "a reason is needed (the author sees it)"})
    if len(reason) > 2000:
        raise FieldErrors({"reason": "at most 2000 characters"})
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(revisions).where(revisions.c.id == int(rev_id))).first()
        if row is None:
            raise NotFound(f"No revision #{rev_id}.")
        if row._mapping["status"] != "pending":
            raise ContentError(f"Revision #{rev_id} was already {row._mapping['status']}.")
        _close(conn, actor, int(rev_id), "rejected", reason, now, "reject")
    return get_revision(rev_id, url=url)


def set_status(actor: User, key: str, status: str, *, url: str | None = None) -> dict[str, Any]:
    """Moderators: hide a profile ("delete": it leaves every page and stays in the database, so
    a re-import does not bring it back) or publish it again."""
    require(actor, "moderator")
    if status not in ("published", "hidden"):
        raise ContentError("status: published or hidden")
    now = datetime.now(UTC)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(organisations).where(organisations.c.key == str(key))).first()
        if row is None:
            raise NotFound(f"No organisation profile “{key}”.")
        before = _org(row)
        if before["status"] == status:
            return before
        conn.execute(update(organisations).where(organisations.c.id == before["id"]).values(
            status=status, updated_at=now))
        after = _org(conn.execute(select(organisations).where(organisations.c.id == before["id"])).one())
        audit.record(conn, actor, "organisation", before["key"], "hide" if status == "hidden" else "publish",
                     before, after)
    return after


def delete_organisation(actor: User, key: str, *, url: str | None = None) -> dict[str, Any]:
    """Moderators' "delete": hides the profile (see :func:`set_status`)."""
    return set_status(actor, key, "hidden", url=url)


# ---------------------------------------------------------------------------- seed import

def _seed_value(name: str, value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if name in ("lat", "lon"):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return None
        return None if math.isnan(f) else f
    if name == "categories":
        if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
            value = ";".join(str(v) for v in list(value))
        return _text(value)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.date().isoformat() if isinstance(value, (datetime, pd.Timestamp)) else value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return _text(value)


def _seed_rows(df: pd.DataFrame) -> dict[str, dict]:
    missing = [c for c in ("id", *SEED_FIELDS) if c not in df.columns]
    if missing:
        raise ContentError(f"The seed lacks the columns {', '.join(missing)}.")
    out: dict[str, dict] = {}
    for rec in df[["id", *SEED_FIELDS]].to_dict("records"):
        key = _text(rec["id"])
        if not key:
            raise ContentError("A seed row has no id.")
        if key in out:
            raise ContentError(f"The seed has the id {key!r} twice.")
        row = {k: _seed_value(k, rec[k]) for k in SEED_FIELDS}
        if not row["name"] or not row["dataset"]:
            raise ContentError(f"Seed row {key!r} has no name or dataset.")
        out[key] = row
    return out


def import_seed(df: pd.DataFrame, *, url: str | None = None, actor="cli") -> dict[str, int]:
    """Import the seed frame (``id`` → ``key``): ``{"added", "updated", "unchanged"}``. Idempotent.
    Profiles changed through moderation are kept as they are and counted as unchanged (see the
    module's rule); the count of those is logged."""
    rows = _seed_rows(df)
    now = datetime.now(UTC)
    added = updated = unchanged = kept = 0
    with db.engine(url).begin() as conn:
        existing = {r._mapping["key"]: _org(r) for r in conn.execute(select(organisations))}
        new, logs = [], []
        for key, row in rows.items():
            cur = existing.get(key)
            if cur is None:
                new.append({"key": key, **row, "status": "published", "version": 1, "created_at": now,
                            "updated_at": now})
                continue
            if cur["edited_at"] is not None or key.startswith("user-"):
                kept += 1
                unchanged += 1
                continue
            diff = {k: row[k] for k in SEED_FIELDS if row[k] != cur[k]}
            if not diff:
                unchanged += 1
                continue
            conn.execute(update(organisations).where(organisations.c.id == cur["id"]).values(
                **diff, version=cur["version"] + 1, updated_at=now))
            after = {**cur, **diff, "version": cur["version"] + 1, "updated_at": now}
            audit.record(conn, actor, "organisation", key, "seed_update", cur, after)
            updated += 1
        if new:
            conn.execute(insert(organisations), new)
            added = len(new)
            at = datetime.now(UTC)
            logs = [{"at": at, "user_id": getattr(actor, "id", None),
                     "actor": getattr(actor, "email", None) or str(actor), "entity": "organisation",
                     "entity_id": r["key"], "action": "seed_add", "before": None, "after": audit.dumps(r)}
                    for r in new]
            conn.execute(insert(audit_log), logs)
        result = {"added": added, "updated": updated, "unchanged": unchanged}
        audit.record(conn, actor, "content", "seed", "import_seed", None, {**result, "kept_edited": kept})
    if kept:
        log.info("seed import: %d edited profiles kept as they are", kept)
    return result


# ---------------------------------------------------------------------------- the published frame

_CACHE: dict[str, tuple[int, pd.DataFrame]] = {}
_AUTOSEEDED: set[str] = set()
_CACHE_LOCK = threading.Lock()


def content_version(*, url: str | None = None) -> int:
    """Changes whenever any content changes (the largest audit-log id)."""
    return audit.content_version(url=url)


def _autoseed(url: str) -> None:
    """On a database without any organisation, import the build's seed once per process (when the
    build has it); ``CLUSTER_CONTENT_AUTOSEED=0`` turns this off."""
    if os.environ.get(AUTOSEED_ENV, "1") == "0":
        return
    try:
        from analytics.sources.organisations import load_seed
    except ImportError:
        return
    from analytics import config
    build = config.build_dir()
    if not (build / "organisations.parquet").exists():
        return
    try:
        res = import_seed(load_seed(build), url=url, actor="system")
        log.info("organisations seed imported into the empty content database: %s", res)
    except Exception as exc:  # noqa: BLE001 - e.g. another worker won the race; browsing goes on
        log.warning("seed import on first use failed (%s: %s)", type(exc).__name__, exc)


def _published_frame(url: str) -> pd.DataFrame:
    with db.engine(url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(organisations).where(organisations.c.status == "published").order_by(organisations.c.key))]
    df = pd.DataFrame(rows, columns=[c.name for c in organisations.columns])
    out = pd.DataFrame({"id": df["key"].astype(object)})
    for c in SEED_FIELDS:
        out[c] = df[c].astype("float64") if c in ("lat", "lon") else df[c].astype(object).where(df[c].notna(), None)
    out["org_pk"] = df["id"].astype("int64")
    out["owner"] = df["owner_user_id"].notna()
    out["updated_at"] = df["updated_at"]
    return out[PUBLISHED_COLUMNS].reset_index(drop=True)


def published_organisations(*, url: str | None = None) -> pd.DataFrame:
    """Every published profile: the seed's columns (``id`` = key), ``org_pk``, ``owner`` (claimed)
    and ``updated_at``; held in the process until the content changes."""
    url = url or default_url()
    version = content_version(url=url)
    hit = _CACHE.get(url)
    if hit is not None and hit[0] == version:
        return hit[1].copy(deep=False)
    with _CACHE_LOCK:
        if url not in _AUTOSEEDED:
            _AUTOSEEDED.add(url)
            with db.engine(url).connect() as conn:
                empty = not conn.execute(select(func.count()).select_from(organisations)).scalar()
            if empty:
                _autoseed(url)
                version = content_version(url=url)
        df = _published_frame(url)
        _CACHE[url] = (version, df)
    return df.copy(deep=False)
