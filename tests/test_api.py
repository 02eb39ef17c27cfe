"""The open API (``/api/v1/...``, web/api.py): every endpoint's CSV is what the CLI prints for the
same query, and its JSON holds the same cells (missing = null, never 0); ETag / 304; the rate
limit's 429; the OpenAPI document is valid and lists every route; bad parameters get a 400 with
a message naming the parameter, and nothing a client sends gives a 500 (hypothesis fuzzing).
"""
from __future__ import annotations

import csv
import io
import math
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.serving.formats import csv_safe
from conftest import run_cli


@pytest.fixture(scope="module")
def server(dash_app):
    srv = dash_app.server
    old = srv.config["CLUSTER_RATELIMIT_API"]
    srv.config["CLUSTER_RATELIMIT_API"] = "100000/minute"  # the other tests are not about the limit
    yield srv
    srv.config["CLUSTER_RATELIMIT_API"] = old


@pytest.fixture(scope="module")
def client(server):
    return server.test_client()


def cli_csv(*args: str) -> str:
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def as_cli_text(value, float_format: str) -> str:
    """A JSON cell as the CLI's CSV writes it: floats with its float format, missing empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return float_format % value
    return str(value)


def assert_json_is_cli(doc: dict, cli_out: str, float_format: str = "%.10g") -> None:
    """Same columns, rows and cells (formula-like text neutralised in both CSVs, not in JSON)."""
    import pandas as pd

    expected = list(csv.reader(io.StringIO(cli_out)))
    assert doc["columns"] == expected[0]
    raw = pd.DataFrame(doc["rows"], columns=doc["columns"], dtype=object)
    safe = csv_safe(raw.map(lambda v: v if isinstance(v, str) else None)) if len(raw) else raw
    got = [[as_cli_text(s if isinstance(s, str) else v, float_format) for v, s in zip(r, sr)]
           for r, sr in zip(raw.itertuples(index=False), safe.itertuples(index=False))]
    assert len(got) == len(expected) - 1
    for i, (g, e) in enumerate(zip(got, expected[1:])):
        assert g == e, f"row {i}: API {g} vs CLI {e}"


# (API query, the CLI command for the same query)
SAME = [
    ("/api/v1/metrics?dataset=eu&level=nuts2&year=2015",
     ["metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2015"]),
    ("/api/v1/metrics?dataset=eu&year=2015&start_year=2010&category=automotive",
     ["metrics", "--dataset", "eu", "--year", "2015", "--start-year", "2010", "--category", "automotive"]),
    ("/api/v1/metrics?dataset=us&level=state&year=2021&start_year=2017&rules=eco2008&denominator=total",
     ["metrics", "--dataset", "us", "--level", "state", "--year", "2021", "--start-year", "2017", "--rules",
      "eco2008", "--denominator", "total"]),
    ("/api/v1/metrics?" + urlencode({"dataset": "eu", "year": 2014, "category": "Fashion=nace:13,14,15"}),
     ["metrics", "--dataset", "eu", "--year", "2014", "--category", "Fashion=nace:13,14,15"]),
    ("/api/v1/metrics?" + urlencode({"dataset": "eu", "year": 2015, "region": "Oresund=DK01+SE22"}),
     ["metrics", "--dataset", "eu", "--year", "2015", "--region", "Oresund=DK01+SE22"]),
    ("/api/v1/indicators?dataset=eu&level=nuts2&year=2015",
     ["regions", "--dataset", "eu", "--level", "nuts2", "--year", "2015"]),
    ("/api/v1/indicators?" + urlencode({"dataset": "us", "year": 2021, "start_year": 2017, "region": "Tri=09+25+44"}),
     ["regions", "--dataset", "us", "--year", "2021", "--start-year", "2017", "--region", "Tri=09+25+44"]),
    ("/api/v1/related?dataset=eu&category=automotive", ["related", "--dataset", "eu", "--category", "automotive"]),
    ("/api/v1/related?dataset=us&region=26&year=2021",
     ["related", "--dataset", "us", "--region", "26", "--year", "2021"]),
    ("/api/v1/organisations?dataset=eu&country=GR",
     ["organisations", "list", "--dataset", "eu", "--country", "GR"]),
    ("/api/v1/organisations?dataset=us", ["organisations", "list", "--dataset", "us"]),
    ("/api/v1/partners?dataset=eu&region=DE11&category=automotive",
     ["partners", "--dataset", "eu", "--region", "DE11", "--category", "automotive"]),
    ("/api/v1/partners?dataset=eu&region=DE11&category=automotive&side=us&limit=7&include_home=true",
     ["partners", "--dataset", "eu", "--region", "DE11", "--category", "automotive", "--side", "us", "--limit", "7",
      "--include-home"]),
]


@pytest.mark.parametrize(("url", "cli"), SAME, ids=[u.split("?")[0].rsplit("/", 1)[1] + f"-{i}"
                                                     for i, (u, _) in enumerate(SAME)])
def test_api_answers_what_the_cli_prints(client, url, cli):
    out = cli_csv(*cli)
    r = client.get(url + "&format=csv")
    assert r.status_code == 200, r.data[:300]
    assert r.mimetype == "text/csv"
    assert r.data.decode() == out  # the CSV byte for byte
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    assert_json_is_cli(doc, out, "%.6f" if "/organisations" in url else "%.10g")
    assert doc["source"].startswith("Source")
    assert doc["build"] and isinstance(doc["notes"], list)


def test_an_organisation_partner_search_equals_the_cli(client):
    org = client.get("/api/v1/organisations?dataset=eu&country=DE").get_json()
    org_id = org["rows"][0][org["columns"].index("id")]
    out = cli_csv("partners", "--org", org_id, "--limit", "15")
    r = client.get(f"/api/v1/partners?org={org_id}&limit=15")
    assert_json_is_cli(r.get_json(), out)
    assert client.get(f"/api/v1/partners?org={org_id}&limit=15", headers={"Accept": "text/csv"}).data.decode() == out


def test_missing_values_are_null_not_zero(client):
    doc = client.get("/api/v1/metrics?dataset=eu&level=nuts2&year=2015").get_json()
    lq = [r[doc["columns"].index("lq")] for r in doc["rows"]]
    assert any(v is None for v in lq), "the 2015 table has unpublished cells"
    assert all(v is None or (isinstance(v, float) and math.isfinite(v)) for v in lq)
    out = cli_csv("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2015")
    cli_lq = [row["lq"] for row in csv.DictReader(io.StringIO(out))]
    assert [v is None for v in lq] == [v == "" for v in cli_lq]


def test_region_indicators_endpoint_is_the_regions_row(client):
    out = cli_csv("regions", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--start-year", "2010")
    rows = list(csv.reader(io.StringIO(out)))
    buf = io.StringIO()
    csv.writer(buf).writerows([rows[0]] + [r for r in rows[1:] if r[0] == "DE11"])
    doc = client.get("/api/v1/regions/eu/DE11/indicators?year=2014&start_year=2010").get_json()
    assert len(doc["rows"]) == 1
    assert_json_is_cli(doc, buf.getvalue())
    assert doc["query"]["level"] == "nuts2"
    latest = client.get("/api/v1/regions/us/26/indicators").get_json()  # Michigan, the state level's latest year
    assert latest["query"]["level"] == "state" and latest["query"]["year"] == 2021
    assert client.get("/api/v1/regions/eu/ZZ99/indicators").status_code == 404


def test_region_and_category_lists_match_the_cli_tables(client):
    out = cli_csv("regions", "--dataset", "eu", "--level", "nuts1", "--year", "2015")
    named = {r["region_id"]: r["region_name"] for r in csv.DictReader(io.StringIO(out))}
    doc = client.get("/api/v1/regions?dataset=eu&level=nuts1").get_json()
    listed = {r[0]: r[1] for r in doc["rows"]}
    assert set(named) <= set(listed) and all(listed[k] == v for k, v in named.items())
    assert {r[doc["columns"].index("level")] for r in doc["rows"]} == {"nuts1"}
    out = cli_csv("metrics", "--dataset", "us", "--level", "nation", "--year", "2021")
    cats = {(r["category_id"], r["category_name"], r["category_type"]) for r in csv.DictReader(io.StringIO(out))}
    doc = client.get("/api/v1/categories?dataset=us").get_json()
    assert {tuple(r[:3]) for r in doc["rows"]} == cats


def test_csv_by_accept_header_and_formula_cells_neutralised(client):
    r = client.get("/api/v1/categories?dataset=eu", headers={"Accept": "text/csv"})
    assert r.mimetype == "text/csv" and r.data.startswith(b"category_id,")
    assert client.get("/api/v1/categories?dataset=eu", headers={"Accept": "text/html,*/*;q=0.8"}).mimetype == \
        "application/json"
    # a custom category's name is user text: CSV neutralises it, JSON keeps it as given
    url = "/api/v1/metrics?" + urlencode({"dataset": "eu", "year": 2015, "category": "@SUM(A1)=nace:13"})
    j = client.get(url).get_json()
    names = {r[j["columns"].index("category_name")] for r in j["rows"]}
    assert names == {"@SUM(A1)"}
    c = client.get(url + "&format=csv").data.decode()
    assert "'@SUM(A1)" in c and ",@SUM" not in c


def test_etag_and_304(client):
    url = "/api/v1/related?dataset=eu&category=automotive"
    r = client.get(url)
    tag = r.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    assert "public" in r.headers["Cache-Control"] and "max-age" in r.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    # the same query spelled differently is the same resource; another query or format is not
    assert client.get("/api/v1/related?category=automotive&dataset=eu").headers["ETag"] == tag
    assert client.get(url + "&format=csv").headers["ETag"] != tag
    assert client.get("/api/v1/related?dataset=eu&category=apparel").headers["ETag"] != tag
    # compressed: Flask-Compress appends the encoding to the tag; that tag also revalidates
    z = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert z.headers.get("Content-Encoding") == "gzip" and z.headers["ETag"] != tag
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": z.headers["ETag"]}).status_code == 304


def test_a_shared_cache_may_serve_one_answer_to_everyone(server):
    # a visitor with a session (signed in, or the remember cookie) gets the same public answer:
    # no Set-Cookie and no Vary: Cookie on the API, while the pages keep their session handling
    c = server.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = "1"
        sess["_fresh"] = True
    r = c.get("/api/v1/related?dataset=eu&category=automotive")
    assert r.status_code == 200 and "public" in r.headers["Cache-Control"]
    vary = {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}
    assert "cookie" not in vary and "accept" in vary, r.headers.get("Vary")
    assert "Set-Cookie" not in r.headers
    page = c.get("/methodology")
    assert "cookie" in page.headers.get("Vary", "").lower()


def test_rate_limit_answers_429_with_retry_after(server):
    c = server.test_client()
    env = {"REMOTE_ADDR": "10.20.30.40"}
    server.config["CLUSTER_RATELIMIT_API"] = "3/minute"
    try:
        codes = [c.get("/api/v1/categories?dataset=eu", environ_base=env).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/api/v1/categories?dataset=eu", environ_base=env)
        assert r.status_code == 429 and r.mimetype == "application/json"
        assert "Too many" in r.get_json()["error"]
        assert int(r.headers["Retry-After"]) > 0
        other = c.get("/api/v1/categories?dataset=eu", environ_base={"REMOTE_ADDR": "10.20.30.41"})
        assert other.status_code == 200  # per address
    finally:
        server.config["CLUSTER_RATELIMIT_API"] = "100000/minute"


def test_openapi_document_is_valid_and_lists_every_route(client, server):
    from openapi_spec_validator import validate

    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    import re

    served = {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule) for rule in server.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown"}
    assert served == set(spec["paths"])
    # every declared parameter is accepted, anything else refused (docs and checks from one declaration)
    metrics = {p["name"] for p in spec["paths"]["/api/v1/metrics"]["get"]["parameters"]}
    assert {"dataset", "level", "year", "start_year", "rules", "denominator", "category", "region", "format"} == metrics
    assert client.get("/api/v1/metrics?year=2015&colour=red").status_code == 400


def test_readme_has_the_open_api_section():
    from analytics import config

    text = (config.PROJECT_ROOT / "README.md").read_text()
    assert "## Open API" in text and "curl" in text and "/api/v1/openapi.json" in text


BAD = [
    ("/api/v1/metrics?year=1990", 400, "year", "has data for"),
    ("/api/v1/metrics?year=twenty", 400, "year", "whole number"),
    ("/api/v1/metrics", 400, "year", "required"),
    ("/api/v1/metrics?dataset=mars&year=2015", 400, "dataset", "choose eu, us"),
    ("/api/v1/metrics?dataset=us&level=nuts2&year=2015", 400, "level", "us has levels"),
    ("/api/v1/metrics?year=2015&start_year=2015", 400, "start_year", "must be before"),
    ("/api/v1/metrics?year=2015&year=2014", 400, "year", "given 2 times"),
    ("/api/v1/metrics?year=2015&category=unicorns", 400, "category", "unknown"),
    ("/api/v1/metrics?year=2015&category=X%3Dnace:99", 400, "category", ""),
    ("/api/v1/metrics?year=2015&region=X%3DZZ01%2BDE11", 400, "region", ""),
    ("/api/v1/metrics?year=2015&category=" + "a" * 2000, 400, "category", "longer than"),
    ("/api/v1/metrics?year=2015&category=auto%00motive", 400, "category", "control character"),
    ("/api/v1/metrics?year=2015&rules=mine", 400, "rules", "choose"),
    ("/api/v1/metrics?year=2015&format=xml", 400, "format", "choose"),
    ("/api/v1/metrics?year=2015&x=1", 400, "x", "unknown parameter"),
    ("/api/v1/related?dataset=eu", 400, None, "exactly one"),
    ("/api/v1/partners?limit=5000&category=automotive", 400, "limit", "1 to 1000"),
    ("/api/v1/partners?org=nope", 400, "org", ""),
    ("/api/v1/partners?include_home=maybe&category=automotive", 400, "include_home", "true or false"),
    ("/api/v1/organisations?country=XX", 400, "country", "no organisations"),
    ("/api/v1/regions/mars/DE11/indicators", 404, "dataset", ""),
    ("/api/v1/regions/eu/DE11/indicators?year=1990", 400, "year", ""),
    ("/api/v1/nothing/here", 404, None, "no such endpoint"),
]


@pytest.mark.parametrize(("url", "status", "param", "says"), BAD)
def test_bad_parameters_get_a_message_naming_them(client, url, status, param, says):
    r = client.get(url)
    assert r.status_code == status, r.data[:300]
    assert r.mimetype == "application/json"
    doc = r.get_json()
    assert says in doc["error"]
    if param:
        assert doc["parameter"] == param and param in doc["error"]
    assert r.headers["Cache-Control"] == "no-store"


def test_read_only_and_hardened(client):
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/v1/metrics?year=2015", data={"a": "b"})  # no CSRF token: 405, not 400
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD" and "read-only" in r.get_json()["error"]
    r = client.get("/api/v1/categories?dataset=eu")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert client.head("/api/v1/categories?dataset=eu").status_code == 200
    index = client.get("/api/v1/").get_json()
    assert "/api/v1/metrics" in index["endpoints"]


PATHS = ["/api/v1/metrics", "/api/v1/indicators", "/api/v1/regions", "/api/v1/categories", "/api/v1/related",
         "/api/v1/organisations", "/api/v1/partners", "/api/v1/regions/eu/DE11/indicators", "/api/v1/openapi.json",
         "/api/v1/", "/api/v1/x"]
NAMES = ["dataset", "level", "year", "start_year", "rules", "denominator", "category", "region", "format", "org",
         "side", "country", "include_home", "limit", "ümlaut", "a\x00b", ""]
HOSTILE = st.one_of(
    st.sampled_from(["eu", "us", "nuts2", "state", "county", "2015", "2021", "2010", "-1", "0", "99999999999", "1e3",
                     "automotive", "DE11", "26", "csv", "json", "true", "X=nace:13", "X=DE11+DE12", "X=cat:apparel",
                     "=cmd|' /C calc'!A0", "%00", "\x00", "' OR 1=1 --", "<script>", "../../etc/passwd", "Infinity",
                     "NaN", "١٢", "２０１５", " 2015", "eu,us"]),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), query=st.lists(st.tuples(st.sampled_from(NAMES), HOSTILE), max_size=5))
def test_nothing_a_client_sends_gives_a_500(client, path, query):
    r = client.get(path + "?" + urlencode(query))
    assert r.status_code in (200, 400, 404), (path, query, r.status_code, r.data[:300])
    assert r.mimetype == "application/json" or r.mimetype == "text/csv"
    if r.status_code != 200:
        assert r.get_json()["error"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dataset=st.sampled_from(["eu", "us", "xx", "e%00u"]), region=st.text(min_size=1, max_size=40))
def test_hostile_path_segments_never_give_a_500(client, dataset, region):
    from urllib.parse import quote

    r = client.get(f"/api/v1/regions/{dataset}/{quote(region, safe='')}/indicators")
    assert r.status_code in (200, 400, 404), (dataset, region, r.data[:300])
