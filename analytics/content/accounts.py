"""Accounts and roles: registration, e-mail confirmation, password check, role management.

Roles, lowest first: ``visitor`` (anyone not logged in; never stored), ``editor`` (registered and
confirmed), ``moderator``, ``admin`` (:data:`RANKS`). Passwords are hashed with Argon2
(``argon2-cffi``) and never logged; the confirmation token is signed and expiring
(``itsdangerous``, salt ``confirm-email``) and never stored, so there is no token to leak from the
database. The signing key is :func:`secret_key`: ``CLUSTER_SECRET_KEY``, else a random key
generated once into ``data/secret_key`` (mode 600).
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from analytics.content import ContentError, NotFound, PermissionDenied, audit, db
from analytics.content.models import ROLES, users

SECRET_ENV = "CLUSTER_SECRET_KEY"
RANKS = {"visitor": 0, "editor": 1, "moderator": 2, "admin": 3}
MIN_PASSWORD, MAX_PASSWORD = 10, 200
CONFIRM_MAX_AGE = 2 * 24 * 3600  # seconds a confirmation link stays valid
EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, only for constant-time failures")


class AccountError(ContentError):
    """Registration or account data refused (the message is for the user)."""


class DuplicateEmail(AccountError):
    """The address is already registered (the web layer does not tell the visitor so)."""


class BadToken(AccountError):
    """A confirmation token that is not valid (tampered, wrong key, malformed)."""


class ExpiredToken(BadToken):
    """A confirmation token older than its maximum age."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def rank(self) -> int:
        return RANKS.get(self.role, 0) if self.confirmed else 0

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role`` (an unconfirmed user is a visitor)."""
        return self.rank >= RANKS[role]

    def public(self) -> dict:
        """What the audit log and the export may show (no password hash)."""
        return {"id": self.id, "email": self.email, "role": self.role, "confirmed_at": self.confirmed_at}


def rank(user: User | None) -> int:
    return user.rank if user is not None else 0


def require(user: User | None, role: str) -> User:
    """The user, if they have at least ``role``; else :class:`PermissionDenied`."""
    if user is None or not user.can(role):
        raise PermissionDenied(f"This needs the {role} role.")
    return user


def _user(row) -> User:
    m = row._mapping
    return User(id=m["id"], email=m["email"], role=m["role"], confirmed_at=m["confirmed_at"],
                created_at=m["created_at"], updated_at=m["updated_at"])


# ---------------------------------------------------------------------------- secrets and passwords

def secret_key(path: Path | None = None) -> str:
    """``CLUSTER_SECRET_KEY``, else the key in ``data/secret_key`` (created once, mode 600, with
    an exclusive create so concurrent workers agree on one key)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    path = path or db.data_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    key = path.read_text().strip()
    if not key:
        raise ContentError(f"{path} is empty; delete it (a new key is generated) or set {SECRET_ENV}.")
    return key


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"The password must be {MIN_PASSWORD}–{MAX_PASSWORD} characters long.")
    return password


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise AccountError("Enter a valid e-mail address.")
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


# ---------------------------------------------------------------------------- queries

def get_user(user_id: int, *, url: str | None = None) -> User:
    with db.engine(url).connect() as conn:
        row = conn.execute(select(users).where(users.c.id == int(user_id))).first()
    if row is None:
        raise NotFound(f"No user with id {user_id}.")
    return _user(row)


def find_user(email: str, *, url: str | None = None) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    with db.engine(url).connect() as conn:
        row = conn.execute(select(users).where(users.c.email == email)).first()
    return _user(row) if row is not None else None


def list_users(*, url: str | None = None) -> list[User]:
    with db.engine(url).connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.email))]


# ---------------------------------------------------------------------------- registration and confirmation

def register(email: str, password: str, *, url: str | None = None) -> User:
    """A new, unconfirmed editor. :class:`DuplicateEmail` when the address is taken."""
    email = normalise_email(email)
    check_password_rules(password)
    now = datetime.now(UTC)
    hashed = hash_password(password)
    try:
        with db.engine(url).begin() as conn:
            new_id = conn.execute(insert(users).values(email=email, password_hash=hashed, role="editor",
                                                       created_at=now, updated_at=now)).inserted_primary_key[0]
            user = _user(conn.execute(select(users).where(users.c.id == new_id)).one())
            audit.record(conn, user, "user", user.id, "register", None, user.public())
    except IntegrityError:
        raise DuplicateEmail("This e-mail address is already registered.") from None
    return user


def _serializer(secret: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret or secret_key(), salt="confirm-email")


def confirmation_token(user: User, *, secret: str | None = None) -> str:
    return _serializer(secret).dumps({"uid": user.id, "email": user.email})


def confirmation_mail(user: User, link: str) -> tuple[str, str]:
    """Subject and body of the confirmation mail."""
    hours = CONFIRM_MAX_AGE // 3600
    return ("Confirm your Cluster Observatory account",
            f"Hello,\n\nsomeone (hopefully you) registered {user.email} at the Cluster Observatory.\n"
            f"Confirm the address within {hours} hours by opening this link:\n\n{link}\n\n"
            "If it was not you, ignore this mail.\n")


def already_registered_mail(email: str, login_link: str) -> tuple[str, str]:
    return ("Your Cluster Observatory account",
            f"Hello,\n\nsomeone tried to register {email} at the Cluster Observatory, but the address already "
            f"has an account. Log in here: {login_link}\n\nIf it was not you, ignore this mail.\n")


def confirm_email(token: str, *, secret: str | None = None, max_age: int | None = None,
                  url: str | None = None) -> User:
    """Confirm the address the token was made for; :class:`ExpiredToken` / :class:`BadToken`."""
    try:
        data = _serializer(secret).loads(token, max_age=CONFIRM_MAX_AGE if max_age is None else max_age)
    except SignatureExpired:
        raise ExpiredToken("This confirmation link has expired; register again to get a new one.") from None
    except (BadSignature, ValueError, TypeError):
        raise BadToken("This confirmation link is not valid.") from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise BadToken("This confirmation link is not valid.")
    with db.engine(url).begin() as conn:
        row = conn.execute(select(users).where(users.c.id == data["uid"])).first()
        if row is None or row._mapping["email"] != data.get("email"):
            raise BadToken("This confirmation link is not valid.")
        user = _user(row)
        if user.confirmed:
            return user
        now = datetime.now(UTC)
        conn.execute(update(users).where(users.c.id == user.id).values(confirmed_at=now, updated_at=now))
        after = _user(conn.execute(select(users).where(users.c.id == user.id)).one())
        audit.record(conn, after, "user", user.id, "confirm", user.public(), after.public())
    return after


def reregister_unconfirmed(email: str, password: str, *, url: str | None = None) -> User | None:
    """An unconfirmed account registering again gets a new password (it proves nothing yet) and,
    through the caller, a new link; a confirmed one is left alone (returns None)."""
    email = normalise_email(email)
    check_password_rules(password)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(users).where(users.c.email == email)).first()
        if row is None or row._mapping["confirmed_at"] is not None:
            return None
        conn.execute(update(users).where(users.c.id == row._mapping["id"]).values(
            password_hash=hash_password(password), updated_at=datetime.now(UTC)))
        user = _user(conn.execute(select(users).where(users.c.id == row._mapping["id"])).one())
        audit.record(conn, user, "user", user.id, "reregister", None, user.public())
    return user


# ---------------------------------------------------------------------------- login

def authenticate(email: str, password: str, *, url: str | None = None) -> User | None:
    """The confirmed user with this address and password, else None (the caller shows one generic
    message whatever the reason). The time taken does not tell whether the address exists."""
    try:
        email = normalise_email(email)
    except AccountError:
        email = None
    row = None
    if email:
        with db.engine(url).connect() as conn:
            row = conn.execute(select(users).where(users.c.email == email)).first()
    stored = row._mapping["password_hash"] if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    user = _user(row)
    if not user.confirmed:
        return None
    if _hasher.check_needs_rehash(stored):
        with db.engine(url).begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(password_hash=hash_password(password)))
    return user


# ---------------------------------------------------------------------------- roles

def set_role(actor: User, user_id: int, role: str, *, url: str | None = None) -> User:
    """Admins only; the last admin cannot be demoted (nobody could manage roles any more)."""
    require(actor, "admin")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    with db.engine(url).begin() as conn:
        row = conn.execute(select(users).where(users.c.id == int(user_id))).first()
        if row is None:
            raise NotFound(f"No user with id {user_id}.")
        before = _user(row)
        if before.role == role:
            return before
        if before.role == "admin":
            admins = conn.execute(select(func.count()).select_from(users).where(users.c.role == "admin")).scalar()
            if admins <= 1:
                raise AccountError("This is the last admin; make someone else admin first.")
        conn.execute(update(users).where(users.c.id == before.id).values(role=role, updated_at=datetime.now(UTC)))
        after = _user(conn.execute(select(users).where(users.c.id == before.id)).one())
        audit.record(conn, actor, "user", before.id, "set_role", before.public(), after.public())
    return after


def create_admin(email: str, password: str, *, url: str | None = None) -> User:
    """The command line's ``users create-admin``: a confirmed admin (an existing account with this
    address is promoted and given this password)."""
    email = normalise_email(email)
    check_password_rules(password)
    now = datetime.now(UTC)
    hashed = hash_password(password)
    with db.engine(url).begin() as conn:
        row = conn.execute(select(users).where(users.c.email == email)).first()
        if row is None:
            new_id = conn.execute(insert(users).values(email=email, password_hash=hashed, role="admin",
                                                       confirmed_at=now, created_at=now,
                                                       updated_at=now)).inserted_primary_key[0]
            before = None
        else:
            new_id = row._mapping["id"]
            before = _user(row).public()
            conn.execute(update(users).where(users.c.id == new_id).values(
                password_hash=hashed, role="admin", confirmed_at=row._mapping["confirmed_at"] or now, updated_at=now))
        user = _user(conn.execute(select(users).where(users.c.id == new_id)).one())
        audit.record(conn, "cli", "user", user.id, "create_admin", before, user.public())
    return user
