"""Shared helpers of the content tests (``tests/test_content_*.py``); no tests of its own.

* :func:`database` — a fresh content database per test module: SQLite in a temporary folder and,
  when ``CLUSTER_TEST_PG_URL`` is set, PostgreSQL too (a schema of its own, dropped afterwards),
  like ``tests/test_library.py``;
* :class:`Browser` — the Flask test client as a person's browser: it fetches a form, takes its
  CSRF token from the HTML and posts it back (CSRF stays on);
* :func:`make_app` — a bare Flask server with ``web.init_app`` (what app.py does to Dash's);
* :func:`pdf_bytes` — a small valid PDF; :func:`seed_frame` — a hand-made seed frame.
"""
from __future__ import annotations

import contextlib
import os
import re
import uuid

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("CLUSTER_TEST_PG_URL")
PG_SKIP = ("PostgreSQL not tested: set CLUSTER_TEST_PG_URL to a SQLAlchemy URL of a database the tests may "
           "create schemas in, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/cluster_test")
BACKENDS = ["sqlite", "postgresql"]
SEED_COLUMNS = ["id", "dataset", "name", "country", "city", "region_id", "region_name", "locate_status",
                "locate_method", "lat", "lon", "ecosystem", "ecosystem_name", "categories", "type", "website",
                "description", "source", "source_updated"]


@contextlib.contextmanager
def database(kind: str, tmp_dir):
    """The URL of an empty database of ``kind`` ('sqlite' or 'postgresql'; skips without PG)."""
    if kind == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    admin, schema = None, None
    if kind == "sqlite":
        url = "sqlite:///" + str(tmp_dir / "content.sqlite")
    else:
        schema = "content_test_" + uuid.uuid4().hex[:12]
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    try:
        yield url
    finally:
        forget(url)
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def forget(url: str) -> None:
    """Close the process's pool of ``url`` and drop what the process holds of it."""
    from analytics.content import db, organisations
    from analytics.serving import library

    lib = library._LIBRARIES.pop(url, None)
    if lib is not None:
        lib.engine.dispose()
    db._UPGRADED.discard(url)
    organisations._CACHE.pop(url, None)


def make_app(url: str, upload_dir, **config) -> Flask:
    import web

    app = Flask("content_test")
    app.config.update(SECRET_KEY="test-secret-" + "k" * 32, TESTING=False, SERVER_NAME="observatory.test", **config)
    web.init_app(app, url=url, upload_dir=str(upload_dir))
    return app


CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A person at a browser: real requests through the test client, with the CSRF token read
    from the page's form."""

    def __init__(self, app: Flask, ip: str = "127.0.0.1"):
        self.app = app
        self.client = app.test_client()
        self.ip = ip

    def get(self, path: str, **kw):
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.ip})
        return self.client.get(path, **kw)

    def token(self, page: str) -> str:
        r = self.get(page)
        m = CSRF_RE.search(r.get_data(as_text=True))
        assert m, f"no CSRF token on {page} ({r.status_code})"
        return m.group(1)

    def post(self, path: str, data: dict | None = None, *, form_page: str | None = None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.token(form_page or path)
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.ip})
        return self.client.post(path, data=data, **kw)

    def login(self, email: str, password: str):
        return self.post("/account/login", {"email": email, "password": password})

    def logout(self):
        return self.post("/account/logout", form_page="/library")


def make_user(email: str, password: str, role: str, url: str):
    """A confirmed account with ``role`` (made through the service layer)."""
    from sqlalchemy import update

    from analytics.content import accounts, db
    from analytics.content.models import users

    user = accounts.register(email, password, url=url)
    accounts.confirm_email(accounts.confirmation_token(user, secret="s"), secret="s", url=url)
    with db.engine(url).begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(role=role))
    return accounts.get_user(user.id, url=url)


def pdf_bytes(text_: str = "Hello", pad: int = 0) -> bytes:
    """A small, well-formed one-page PDF (``pad`` extra bytes in a comment make it larger)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text_}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n%" + b"\xe2\xe3\xcf\xd3\n")
    if pad:
        out += b"%" + b"x" * pad + b"\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def seed_frame(n: int = 3) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append({
            "id": f"eu-{1000 + i}", "dataset": "eu", "name": f"Cluster {i} <b>e.V.</b>", "country": "DE",
            "city": "Stuttgart", "region_id": "DE11", "region_name": "Stuttgart", "locate_status": "located",
            "locate_method": "gazetteer", "lat": 48.7 + i / 100, "lon": 9.18, "ecosystem": "mobility",
            "ecosystem_name": "Mobility", "categories": "automotive;metalworking_technology", "type": "cluster organisation",
            "website": f"https://cluster{i}.example.org", "description": f"Cluster number {i}.",
            "source": "ECCP", "source_updated": "2024-05-01"})
    rows.append({**rows[0], "id": "us-1", "dataset": "us", "name": "Michigan Auto", "country": "US",
                 "city": None, "region_id": "26", "region_name": "Michigan", "lat": float("nan"),
                 "lon": float("nan"), "ecosystem": None, "ecosystem_name": None, "categories": "automotive",
                 "website": None, "description": None, "source": "USCMP"})
    return pd.DataFrame(rows, columns=SEED_COLUMNS)
