"""The validation boundary and the hardening, measured from outside: what a hostile browser, a
hand-made request or a load balancer sees.

Property-based (hypothesis): every page's query parsing, and every server callback's inputs,
with values of any JSON type, never raise and never answer 500.
"""
from __future__ import annotations

import json
import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.routes import ROUTES

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
    | st.sampled_from(["eu", "us", "DK01", "DE11", "26", "nuts2", "state", "county", "2014", "2017", "none",
                       "eco2008", "us-strong", "total", "traded", "custom", "Øresund=DK01+DK02+SE22", "\x00",
                       "x" * 3000]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6)
QUERY_VALUES = st.text(max_size=30) | st.lists(st.text(max_size=12), min_size=1, max_size=3) | st.sampled_from(
    ["eu", "us", "2014", "2017", "none", "-1", "99999999999999999999", "nuts2", "county", "eco2008", "all",
     "Fashion=nace:13,14,15", "X=DK01+DK02", "=", "\x00"])


@pytest.fixture(scope="module")
def client(dash_app):
    c = dash_app.server.test_client()
    assert c.get("/").status_code == 200  # Dash sets itself up on the first request
    return c


def _outputs(key: str):
    parts = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]}
             for p in key.strip(".").split("...")]
    return parts if key.startswith("..") else parts[0]


def _server_callbacks(dash_app):
    out = []
    for key, entry in dash_app.callback_map.items():
        if "callback" not in entry or "{" in key:
            continue  # clientside, or pattern-matching ids
        if any(isinstance(x["id"], dict) for x in entry["inputs"] + entry["state"]):
            continue
        out.append((key, entry))
    return out


def _body(key, entry, values):
    items = entry["inputs"] + entry["state"]
    vals = list(values) + [None] * (len(items) - len(values))
    cells = [{"id": x["id"], "property": x["property"], "value": v} for x, v in zip(items, vals)]
    n = len(entry["inputs"])
    return {"output": key, "outputs": _outputs(key), "inputs": cells[:n], "state": cells[n:],
            "changedPropIds": [f"{entry['inputs'][0]['id']}.{entry['inputs'][0]['property']}"] if n else []}


PATH_VALUES = st.sampled_from(["eu", "us", "zz", "", "DK01", "DE11", "26", "custom", "eu:automotive",
                                "us:automotive", "../etc", "\x00", "x" * 500]) | st.text(max_size=20)


@pytest.mark.parametrize("name", sorted(ROUTES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["dataset", "level", "year", "start_year", "rules", "denominator",
                                              "category", "metric", "ccat", "creg", "region", "peers", "basis",
                                              "q", "page", "orgs", "zz"]), QUERY_VALUES, max_size=6),
       path=st.fixed_dictionaries({}, optional={"dataset": PATH_VALUES, "region_id": PATH_VALUES,
                                                "category_id": PATH_VALUES, "org_id": PATH_VALUES}))
def test_every_page_layout_survives_any_address(dash_app, name, query, path):
    """What Dash Pages calls with the address's path variables and query parameters."""
    import dash

    names = set(re.findall(r"<(\w+)>", ROUTES[name].path))
    kwargs = {**query, **{k: path.get(k, "eu" if k == "dataset" else "DK01") for k in names}}  # the path wins
    page = next(p for p in dash.page_registry.values() if p["module"] == name)
    assert page["layout"](**kwargs) is not None


def test_every_server_callback_survives_hostile_inputs(dash_app, client, caplog):
    caplog.set_level(logging.CRITICAL)
    callbacks = _server_callbacks(dash_app)
    assert len(callbacks) >= 25
    statuses = {}

    def prober(key, entry):
        n = len(entry["inputs"]) + len(entry["state"])

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(values=st.lists(JSON_VALUES, min_size=n, max_size=n))
        def probe(values):
            r = client.post("/_dash-update-component", json=_body(key, entry, values))
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code in (200, 204), (key, values, r.status_code)
            assert b"Traceback" not in r.data

        return probe

    for key, entry in callbacks:
        prober(key, entry)()
    assert sum(statuses.values()) >= 25 * 12


def test_a_failed_callback_tells_the_user_and_changes_nothing(dash_app, client, caplog):
    from components import ids
    from components.guard import MESSAGE

    caplog.set_level(logging.CRITICAL)
    key, entry = next((k, e) for k, e in _server_callbacks(dash_app) if k.startswith("..region-message.children"))
    good = {"region-year": 2014, "region-start-year": 2010, "region-rules": "eco2008", "region-denominator": "total",
            "region-context": {"dataset": "eu", "region_id": "DE11", "path_id": "DE11", "level": "nuts2",
                               "name": "Stuttgart", "creg": None, "ccat": None, "ccats": []}}
    items = entry["inputs"] + entry["state"]
    ok = client.post("/_dash-update-component", json=_body(key, entry, [good.get(x["id"]) for x in items]))
    assert ok.status_code == 200 and "Stuttgart" in ok.get_data(as_text=True)
    bad = client.post("/_dash-update-component", json=_body(key, entry, [
        {"dataset": "eu", "region_id": 7, "level": None} if x["id"] == "region-context" else "abc" for x in items]))
    assert bad.status_code in (200, 204)
    side = (bad.get_json() or {}).get("sideUpdate", {}) if bad.status_code == 200 else {}
    assert side.get(ids.INPUT_ERROR) == {"children": MESSAGE, "is_open": True}
    assert "Stuttgart" not in bad.get_data(as_text=True)  # nothing of the page is sent


@pytest.mark.parametrize("body", [None, {}, {"output": "no-such.children"}, {"output": 5, "inputs": "x"}, []])
def test_callback_requests_dash_cannot_read_answer_400(client, caplog, body):
    caplog.set_level(logging.CRITICAL)
    r = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert r.status_code in (204, 400), (body, r.status_code)
    assert b"Traceback" not in r.data


def test_bodies_over_one_megabyte_are_refused_before_reading(client):
    r = client.post("/_dash-update-component", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                    content_type="application/json")
    assert r.status_code == 413


def test_security_headers_and_no_versions(client):
    r = client.get("/map")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    html = r.get_data(as_text=True)
    config = json.loads(html.split('<script id="_dash-config" type="application/json">')[1].split("</script>")[0])
    assert not {"dash_version", "python_version", "plotly_version", "dash_version_url"} & set(config)


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"alive": True}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json() == {"ready": True, "data": "ok", "database": "ok"}


def test_readiness_says_the_database_is_down_without_internals(dash_app, client):
    server = dash_app.server
    old = server.config.get("CLUSTER_LIBRARY_URL")
    server.config["CLUSTER_LIBRARY_URL"] = "postgresql+psycopg://secretuser:pw@127.0.0.1:1/nodb?connect_timeout=2"
    try:
        r = client.get("/readyz")
    finally:
        server.config["CLUSTER_LIBRARY_URL"] = old
    assert r.status_code == 503 and r.get_json()["database"] == "unreachable"
    assert b"secretuser" not in r.data and b"127.0.0.1" not in r.data and b"5432" not in r.data


DOWN_URL = "postgresql+psycopg://secretuser:pw@127.0.0.1:1/nodb?connect_timeout=2"
INTERNALS = (b"secretuser", b"127.0.0.1", b"psycopg", b"OperationalError", b"port 1", b"Traceback")


@pytest.fixture
def database_down(dash_app, monkeypatch):
    """Both the library (environment) and the content blueprint (app config) point at a database
    that refuses connections."""
    server = dash_app.server
    monkeypatch.setenv("CLUSTER_LIBRARY_URL", DOWN_URL)
    monkeypatch.setitem(server.config, "CLUSTER_LIBRARY_URL", DOWN_URL)
    yield server


def _no_internals(data: bytes, where: str) -> None:
    for word in INTERNALS:
        assert word not in data, (where, word, data[:400])


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_database_outage_leaves_every_page_working_without_internals(database_down, name, caplog):
    import dash
    from dash._utils import to_json

    caplog.set_level(logging.CRITICAL)
    names = set(re.findall(r"<(\w+)>", ROUTES[name].path))
    kwargs = {k: {"dataset": "eu", "region_id": "DE11", "category_id": "automotive"}.get(k, "x") for k in names}
    page = next(p for p in dash.page_registry.values() if p["module"] == name)
    _no_internals(to_json(page["layout"](**kwargs)).encode(), name)


def test_a_database_outage_in_the_library_is_said_plainly(database_down, caplog):
    from pages.build import callbacks as bc
    from pages.build import ids

    caplog.set_level(logging.CRITICAL)
    listed = bc.list_library(1, {})
    assert "cannot be read just now" in str(listed["table"]) and listed["options"] == []
    for trigger, cat, sel in ((ids.CAT_SAVE, "Fashion=nace:13,14,15", None), (ids.LIB_RENAME, None, 3),
                              (ids.LIB_CONFIRM, None, 3)):
        msg, colour, tokens = bc.library_action(trigger, "eu", cat, None, sel, "New", {"3": "t"})
        assert colour == "danger" and "just now" in msg and "nothing was changed" in msg, msg
        assert tokens == {"3": "t"}  # this browser's keys are kept
        _no_internals(msg.encode(), trigger)
    loaded = bc.load_definition(1, 3)
    assert "just now" in loaded["message"]


def test_a_database_outage_on_the_content_pages_answers_503_in_words(database_down, caplog):
    caplog.set_level(logging.CRITICAL)
    c = database_down.test_client()
    rules = [r for r in database_down.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and not r.rule.startswith(("/_", "/assets", "/web-static"))]
    assert len(rules) >= 5
    seen = {}
    for rule in rules:
        r = c.get(rule.rule)
        seen[rule.rule] = r.status_code
        assert r.status_code < 500 or r.status_code == 503, (rule.rule, r.status_code)
        _no_internals(r.data, rule.rule)
        if r.status_code == 503 and rule.rule != "/readyz":
            assert b"not reachable just now" in r.data
    assert seen["/library"] == 503 and seen["/healthz"] == 200 and seen["/readyz"] == 503
    r = c.post("/account/login", data={"email": "a@example.org", "password": "x" * 12})
    assert r.status_code in (200, 400, 503)
    _no_internals(r.data, "POST /login")
