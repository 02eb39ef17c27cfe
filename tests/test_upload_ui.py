"""/upload end to end: the hand-worked file through the endpoint and the page's callbacks (preview,
Analyse) to a region profile with the CLI's LQs; refused files (line numbers, nothing kept, the 20 MB
cap on the server); privacy (a ≥128-bit random key listed nowhere: /map, /compare, the library, the
API, the logs), expiry, deletion by token only, another process finding the upload on disk, the
shared cache bypassed; and one browser run (file through dcc.Upload, preview, analyse, region page).
"""
from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from dash._utils import to_json as _dash_json

from analytics import cli
from analytics.upload import MAX_BYTES, registry
from conftest import SHOTS, console_errors, open_page, shot, wait_for

FIX = Path(__file__).parent / "fixtures" / "upload"
HAND = FIX / "handworked.csv"
ROOT = Path(__file__).resolve().parents[1]
BW = ("region_id,industry_code,year,employment\n"  # Baden-Württemberg's NUTS 2 regions: a map level
      "DE11,29.10,2014,900\nDE11,C28,2014,400\nDE11,62,2014,300\nDE12,29,2014,100\nDE12,28,2014,300\n"
      "DE12,62,2014,500\nDE13,29,2014,50\nDE13,28,2014,100\nDE13,62,2014,100\nDE14,29,2014,300\n"
      "DE14,28,2014,200\nDE14,62,2014,100\n")


def to_json(component) -> str:
    """A layout as text (Dash's JSON, its escapes of / and < undone)."""
    return json.dumps(json.loads(_dash_json(component)), ensure_ascii=False)


@pytest.fixture(autouse=True)
def uploads_dir(tmp_path, monkeypatch):
    """Every test keeps its uploads in its own folder; nothing held over from another test."""
    folder = tmp_path / "user-datasets"
    monkeypatch.setenv("CLUSTER_USER_DATA_DIR", str(folder))
    registry._HELD.clear()
    yield folder
    registry._HELD.clear()


@pytest.fixture()
def client(dash_app):
    return dash_app.server.test_client()


def send(client, data: bytes, name: str):
    body = {"filename": name, "contents": "data:text/csv;base64," + base64.b64encode(data).decode()}
    return client.post("/upload/file", json=body)


def analysed(client, data: bytes, name: str, benchmark: str = "self") -> tuple[str, str, list]:
    """The file through the endpoint, the preview and "Analyse": (key, delete token, result)."""
    from pages.upload import callbacks as uc

    received = send(client, data, name).get_json()
    assert received["ok"], received
    uc.show_received(received)
    result, tokens = uc.analyse(1, received, benchmark, {})
    (key, entry), = tokens.items()
    return key, entry["token"], result


def cli_metrics(*argv) -> pd.DataFrame:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(list(argv)) == 0, err.getvalue()
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str})


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def region_rows(key: str, region_id: str) -> dict[str, float]:
    """category id → LQ of the region profile's portfolio, at the page's defaults."""
    from pages.region import callbacks as rc
    from pages.region import layout as rl

    page = rl.layout(dataset=key, region_id=region_id)
    context = next(c for c in page.children if getattr(c, "id", None) == "region-context").data
    state = next(c for c in page.children if getattr(c, "id", None) == "region-url").data
    q = dict(re.findall(r"(\w+)=([^&]+)", state))
    out = rc.region_outputs(context, int(q["year"]), None, q["rules"], q["denominator"])
    assert out["message"] is None or "no earlier year" in str(out["message"])
    # category profiles are of the built-in data: an upload's portfolio names its categories without a link
    assert not any("/category/" in r["category"] for r in out["rows"])
    from analytics.serving.store import get_store

    by_name = dict(zip(get_store(key).categories["category_name"], get_store(key).categories["category_id"]))
    return {by_name[r["category"].replace("\\", "")]: r["lq"] for r in out["rows"]}


# ---------------------------------------------------------------------------- the flow


def test_handworked_file_to_region_profile_has_the_clis_lqs(client):
    from pages.upload import callbacks as uc

    received = send(client, HAND.read_bytes(), "handworked.csv").get_json()
    assert received["ok"] and received["classification"] == "nace"
    status, preview, hidden, options, value, _ = uc.show_received(received)
    text = to_json(preview)
    assert not hidden and value == "self"
    assert "3 regions; years 2014" in text and "01.11" in text and "first on line 13" in text
    assert len(received["rows"]) == 17  # every data row (fewer than 20), TOTAL in the summary
    assert {o["value"]: o["disabled"] for o in options} == {"self": False, "eu": False, "us": True}
    result, tokens = uc.analyse(1, received, "self", {})
    (key, entry), = tokens.items()
    links = to_json(result)
    for rid in ("R1", "R2", "R3"):
        assert f"/region/{key}/{rid}" in links
    assert f"/compare?dataset={key}" in links and "upload-map-link" not in links  # R1..R3: no map
    assert entry["token"] in links  # the delete token, shown once
    want = cli_metrics("metrics", "--input", str(HAND), "--year", "2014")
    for rid in ("R1", "R2", "R3"):
        got = region_rows(key, rid)
        mine = want[want["region_id"] == rid].set_index("category_id")["lq"]
        assert set(got) == set(mine.index)
        for cat, lq in mine.items():
            assert got[cat] == pytest.approx(lq, rel=1e-9, nan_ok=True), (rid, cat)


def test_nuts_file_gets_map_and_compare_against_europe(client):
    from components import choropleth as ch
    from components.routes import COMPARE, MAP
    from pages.map import callbacks as mc

    key, _token, result = analysed(client, BW.encode(), "bw.csv", "eu")
    assert f"/map?dataset={key}&level=nuts2" in to_json(result)
    state, notes = MAP.parse({"dataset": key}, {})
    assert state["dataset"] == key and state["level"] == "nuts2" and not notes
    figure = mc.map_outputs(state, None)["figure"]
    frame = ch.view_frame(state).set_index("region_id")
    assert frame.loc["DE11", "value"] == pytest.approx(1600)  # 900 + 400 + 300 persons employed
    assert frame["value"].notna().sum() == 4  # the file's regions; the others grey (no data)
    cstate, cnotes = COMPARE.parse({"dataset": key}, {})
    assert cstate["dataset"] == key and cstate["level"] == "nuts2" and not cnotes
    url = figure["data"][0]["geojson"]  # the built-in level's geometry: the key is not in the address
    assert key not in url and url.endswith("/eu/nuts2.geojson") and client.get(url).status_code == 200
    old = client.get(url.replace("/eu/", f"/{key}/"))  # an address with the key is sent on, not stored
    assert old.status_code == 302 and key not in old.headers["Location"] and "no-store" in old.headers["Cache-Control"]


def test_nuts_file_region_profile_equals_cli_with_europe_benchmark(client, tmp_path):
    path = tmp_path / "bw.csv"
    path.write_text(BW)
    key, _token, _ = analysed(client, BW.encode(), "bw.csv", "eu")
    want = cli_metrics("metrics", "--input", str(path), "--year", "2014", "--benchmark", "eu")
    got = region_rows(key, "DE11")
    mine = want[want["region_id"] == "DE11"].set_index("category_id")["lq"]
    for cat, lq in mine.items():
        assert got[cat] == pytest.approx(lq, rel=1e-9, nan_ok=True), cat


def test_a_bad_file_lists_its_lines_and_keeps_nothing(client, uploads_dir):
    from pages.upload import callbacks as uc

    bad = b"region_id,industry_code,year,employment\nR1,C29,2014,-5\nR1,C21,2014,many\nR2,ZZ9,2014,3\n"
    answer = send(client, bad, "bad.csv")
    assert answer.status_code == 200
    received = answer.get_json()
    assert not received["ok"] and "pending" not in received
    assert any(e.startswith("line 2:") and "negative" in e for e in received["errors"]), received["errors"]
    assert any(e.startswith("line 3:") for e in received["errors"])
    assert any(e.startswith("line 4:") for e in received["errors"])
    status, preview, hidden, *_ = uc.show_received(received)
    text = to_json(preview)
    assert hidden and "nothing imported" in text and "line 2:" in text and "line 4:" in text
    assert files_in(uploads_dir) == []  # no pending file, no upload
    assert uc.analyse(1, received, "self", {}) == (uc.no_update, uc.no_update) or \
        "no longer waiting" in to_json(uc.analyse(1, received, "self", {})[0])


def test_the_20_mb_cap_is_enforced_by_the_server(client, uploads_dir):
    from pages.upload.endpoint import BODY_LIMIT, receive

    over = receive(b"a" * (MAX_BYTES + 1), "big.csv")  # decoded size
    assert not over["ok"] and "limit is 20.0 MB" in over["errors"][0]
    body = {"filename": "big.csv", "contents": "data:text/csv;base64," + base64.b64encode(b"a" * (MAX_BYTES + 3)).decode()}
    r = client.post("/upload/file", json=body)  # within the body limit, over 20 MB once decoded
    assert r.status_code == 400 and "larger than 20.0 MB" in r.get_json()["errors"][0]
    r = client.post("/upload/file", data=b"{" + b" " * BODY_LIMIT + b"}", content_type="application/json")
    assert r.status_code == 413  # beyond the endpoint's own limit: refused before reading
    r = client.post("/_dash-update-component", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                    content_type="application/json")
    assert r.status_code == 413  # the callbacks keep their 1 MB limit
    assert client.post("/upload/file", data=b"x", content_type="text/csv").status_code == 415
    assert files_in(uploads_dir) == []


# ---------------------------------------------------------------------------- privacy


def test_the_key_is_random_and_listed_nowhere(client, dash_app):
    import dash

    from analytics.serving.store import available_datasets
    from pages.map import layout as ml

    key, _token, _ = analysed(client, BW.encode(), "bw.csv", "eu")
    key2, _t2, _ = analysed(client, BW.encode(), "bw.csv", "eu")
    assert key != key2
    secret = key.removeprefix("upload-")
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", secret) and len(base64.urlsafe_b64decode(secret)) * 8 >= 128
    assert key not in available_datasets()
    assert all(key not in json.dumps(o) for o in ml.dataset_options())
    for name, kwargs in (("map", {}), ("compare", {}), ("build", {}), ("home", {}), ("upload", {}),
                         ("map", {"dataset": "eu"})):
        page = next(p for p in dash.page_registry.values() if p["module"] == name)
        assert key not in to_json(page["layout"](**kwargs)), name
    own = to_json(ml.layout(dataset=key))
    assert key in own and key2 not in own  # its own map shows itself, never another upload
    from analytics.serving.library import saved_specs
    for kind in ("category", "region"):
        for ds in ("eu", "us"):
            assert all(key not in s for s in saved_specs(kind, ds))
    r = client.get(f"/api/v1/metrics?dataset={key}&year=2014")
    assert r.status_code in (400, 404) and r.is_json  # the API serves built-in data only
    r = client.get(f"/api/v1/regions/{key}/DE11/indicators?year=2014")
    assert r.status_code in (400, 404)
    for path in ("/sitemap.xml", "/robots.txt", "/api/v1/openapi.json"):
        assert key.encode() not in client.get(path).data


def test_no_key_in_the_logs(client, caplog, tmp_path):
    """Request lines, the app's messages, tracebacks and gunicorn's access log, with the key redacted."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger
    from werkzeug._internal import _log

    key, _token, _ = analysed(client, HAND.read_bytes(), "handworked.csv")
    caplog.set_level(logging.DEBUG)
    for url in (f"/region/{key}/R1", f"/compare?dataset={key}", f"/map?dataset={key}"):
        r = client.get(url, headers={"Referer": f"http://x/region/{key}/R2"})
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == "private, no-store" and "noindex" in r.headers["X-Robots-Tag"]
        assert r.headers["Referrer-Policy"] == "same-origin"  # links out of the page carry no key
    _log("info", '%s - - [%s] "%s" %s %s', "127.0.0.1", "now", f"GET /region/{key}/R1 HTTP/1.1", 200, "-")
    logging.getLogger("pages.upload").warning("could not draw %s", f"/map?dataset={key}")
    try:
        raise ValueError(f"unknown {key}")
    except ValueError:
        logging.getLogger("app").exception("failed on %s", key)
    text = caplog.text + "".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "upload-[redacted]" in text and key not in text and key.removeprefix("upload-") not in text

    log = tmp_path / "access.log"
    cfg = Config()
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), {})  # installs the redaction
    cfg.set("accesslog", str(log))
    glog = Logger(cfg)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/region/{key}/R1?year=2014", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/region/{key}/R1", "QUERY_STRING": f"dataset={key}", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": f"http://x/map?dataset={key}", "HTTP_USER_AGENT": "test"}

    class Resp:
        status, sent, headers = "200 OK", 10, []

    import datetime as dt
    glog.access(Resp(), type("Req", (), {"headers": [("REFERER", f"/map?dataset={key}")]})(), environ,
                dt.timedelta(seconds=0.1))
    for h in glog.access_log.handlers:
        h.flush()
    written = log.read_text()
    assert "/region/upload-[redacted]/R1" in written and key not in written


def test_an_expired_upload_says_so_and_is_removed(client, monkeypatch, uploads_dir):
    from components.routes import COMPARE, MAP
    from pages.region import layout as rl

    key, _token, _ = analysed(client, BW.encode(), "bw.csv", "eu")
    assert "Stuttgart" in to_json(rl.layout(dataset=key, region_id="DE11"))
    later = time.time() + 73 * 3600  # past the default 72 hours
    monkeypatch.setattr(registry, "_now", lambda: later)
    page = to_json(rl.layout(dataset=key, region_id="DE11"))
    assert "expired or is unknown" in page and "Stuttgart" not in page
    assert files_in(uploads_dir / "live") == []  # removed on access
    for route in (MAP, COMPARE):
        state, notes = route.parse({"dataset": key}, {})
        assert state["dataset"] == "eu" and any("expired or unknown upload" in n for n in notes)
    assert client.get(f"/region/{key}/DE11").status_code == 200  # the page shell; the layout says it


def test_purge_removes_expired_uploads(client, monkeypatch, uploads_dir):
    key, _token, _ = analysed(client, HAND.read_bytes(), "handworked.csv")
    monkeypatch.setenv("CLUSTER_UPLOAD_TTL_HOURS", "1")
    key2, _t2, _ = analysed(client, HAND.read_bytes(), "handworked.csv")
    later = time.time() + 2 * 3600  # the second (1 hour) has expired, the first (72 hours) not
    monkeypatch.setattr(registry, "_now", lambda: later)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli.main(["uploads", "purge"]) == 0
    assert "removed 3" in err.getvalue()  # the expired upload and both pending files (2 hours)
    registry._HELD.clear()
    assert registry.lookup(key) is not None and registry.lookup(key2) is None


def test_deleted_only_with_its_token_and_never_served_from_cache(client, dash_app):
    from analytics.serving import views
    from pages.upload import callbacks as uc

    key, token, _ = analysed(client, HAND.read_bytes(), "handworked.csv")
    before = views.level_table(key, "upload", 2014, "eco2008", "total")
    assert len(before) == 15
    assert not registry.delete(key, "guessed-" + token[:-3])
    assert not registry.delete(key, "")
    assert registry.lookup(key) is not None
    with dash_app.server.test_request_context():
        from dash._callback_context import context_value
        from dash._utils import AttributeDict

        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": json.dumps(
            {"index": key, "type": "upload-delete"}, separators=(",", ":")) + ".n_clicks", "value": 1}]))
        tokens, message = uc.delete_mine([1], {key: {"token": "wrong", "filename": "h.csv"}})
        assert tokens is uc.no_update and "does not match" in to_json(message)
        tokens, message = uc.delete_mine([1], {key: {"token": token, "filename": "h.csv"}})
        assert tokens == {} and "Deleted" in to_json(message)
    assert registry.lookup(key) is None
    with pytest.raises(ValueError, match="unknown or expired upload"):
        views.level_table(key, "upload", 2014, "eco2008", "total")  # not served from the cache


def test_another_process_finds_the_upload_on_disk(client, uploads_dir):
    key, _token, _ = analysed(client, HAND.read_bytes(), "handworked.csv")
    registry._HELD.clear()  # a fresh registry in this process
    fresh = registry.lookup(key)
    assert fresh is not None and fresh.dataset == key
    code = (f"from analytics.upload import lookup; s = lookup({key!r}); t = s.table(s.level, 2014); "
            "print(round(float(t[(t.region_id == 'R1') & (t.category_id == 'automotive')].lq.iloc[0]), 9))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240,
                         env={**os.environ, "CLUSTER_USER_DATA_DIR": str(uploads_dir)})
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) == pytest.approx(0.4 / 0.15, rel=1e-9)  # hand-worked (tests/test_upload.py)
    assert not any(key in p.name for p in uploads_dir.rglob("*"))  # folders are named by a hash, not the key


# ---------------------------------------------------------------------------- browser


def test_upload_in_the_browser_to_the_region_page(dash_duo, dash_app):
    drv = dash_duo.driver
    for size in ("desktop", "phone"):
        open_page(dash_duo, dash_app, "/upload", "#upload-file", size=size)
        drv.find_element("css selector", "#upload-file input[type=file]").send_keys(str(HAND))
        wait_for(lambda: drv.find_elements("css selector", "#upload-preview-table tbody tr"), message="preview")
        assert "3 regions; years 2014" in drv.find_element("id", "upload-preview").text
        drv.execute_script("document.getElementById('upload-preview').scrollIntoView()")
        shot(dash_duo, f"upload_preview_{size}", top=False)
        button = drv.find_element("id", "upload-analyse")
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", button)
        link = wait_for(lambda: drv.find_elements("css selector", ".upload-region-link"), message="links")[0]
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        shot(dash_duo, f"upload_analysed_{size}", top=False)
        href = link.get_attribute("href")
        assert re.search(r"/region/upload-[A-Za-z0-9_-]{24}/R1$", href)
        drv.execute_script("arguments[0].click()", link)
        wait_for(lambda: "North (R1)" in drv.find_element("css selector", "h1").text, message="region page")
        wait_for(lambda: drv.find_elements("css selector", "#region-table .ag-row"), message="portfolio rows")
        assert "no prosperity (GDP)" in drv.find_element("id", "region-upload-note").text
        shot(dash_duo, f"upload_region_{size}")
    assert console_errors(dash_duo) == []
    assert (SHOTS / "upload_region_phone.png").exists()


def test_a_file_over_the_limit_is_refused_with_a_message_in_the_browser(dash_duo, dash_app, tmp_path):
    # dcc.Upload drops a file over max_size without a callback: the page must still say why
    big = tmp_path / "register_2024.csv"
    with open(big, "wb") as f:
        f.write(b"region_id,industry_code,year,employment\n")
        f.truncate(MAX_BYTES + 1024 * 1024)
    drv = dash_duo.driver
    open_page(dash_duo, dash_app, "/upload", "#upload-file")
    note = drv.find_element("id", "upload-size-note")
    assert not note.is_displayed()
    drv.find_element("css selector", "#upload-file input[type=file]").send_keys(str(big))
    wait_for(lambda: note.is_displayed(), message="size note")
    text = note.text
    assert "register_2024.csv" in text and "the limit is 20 MB" in text and "nothing imported" in text, text
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    shot(dash_duo, "upload_too_big", top=False)
    assert drv.find_element("id", "upload-preview").text.strip() == ""
    # a file within the limit takes the message away and is read as usual
    drv.find_element("css selector", "#upload-file input[type=file]").send_keys(str(HAND))
    wait_for(lambda: drv.find_elements("css selector", "#upload-preview-table tbody tr"), message="preview")
    assert not note.is_displayed()
    assert console_errors(dash_duo) == []


def test_templates_download_and_read_cleanly_and_the_page_is_linked(client, dash_app):
    import dash

    from analytics.upload import read_upload

    for kind in ("csv", "xlsx"):
        r = client.get(f"/upload/template.{kind}")
        assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
        assert read_upload(r.data, f"template.{kind}").ok
    for name in ("home", "build"):
        page = next(p for p in dash.page_registry.values() if p["module"] == name)
        assert '"href": "/upload"' in to_json(page["layout"]()), name
