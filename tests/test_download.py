"""Tests of analytics.download against hand-made API answers (no network).

The fixtures in tests/fixtures/download/ copy the *format* of Eurostat's SDMX 2.1 TSV answers
and of the Census CBP JSON arrays; their numbers are invented (see the README there).
A fake ``requests.Session`` serves them.
"""
from __future__ import annotations

import gzip
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests

from analytics import download as dl
from analytics.download import DownloadError, download
from analytics.sources.eu.eurostat import read_bulk_tsv

FIX = Path(__file__).parent / "fixtures" / "download"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# ---------------------------------------------------------------------------------------------
# fake HTTP
# ---------------------------------------------------------------------------------------------
def response(status: int = 200, body: bytes | str = b"", content_type: str = "application/octet-stream"):
    r = requests.Response()
    r.status_code = status
    r._content = body.encode() if isinstance(body, str) else body
    r.headers["Content-Type"] = content_type
    r.reason = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found",
                500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "")
    return r


class FakeSession:
    """Stands in for requests.Session: ``route(url, params) -> Response`` or raises."""

    def __init__(self, route):
        self.route = route
        self.calls: list[tuple[str, dict, object]] = []

    def get(self, url, params=None, timeout=None, **kw):
        self.calls.append((url, dict(params or {}), timeout))
        return self.route(url, dict(params or {}))

    def close(self):
        pass


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def eurostat_route(overrides: dict | None = None):
    """Serve the three Eurostat fixtures by dataset code; ``overrides`` code -> Response/callable."""
    overrides = overrides or {}

    def route(url, params):
        assert url.startswith(dl.EUROSTAT_SDMX_DATA + "/")
        assert params == {"format": "TSV", "compressed": "true"}
        code = url[len(dl.EUROSTAT_SDMX_DATA) + 1:].split("/")[0]
        if code in overrides:
            o = overrides[code]
            return o(url, params) if callable(o) else o
        return response(200, fixture(f"eurostat_{code}.tsv.gz"))

    return route


def census_route(overrides=None):
    """Serve CBP fixtures: state JSON for for=state:*, per-state county JSON, else 204."""
    def route(url, params):
        if overrides:
            r = overrides(url, params)
            if r is not None:
                return r
        assert url.startswith(dl.CENSUS_API + "/") and url.endswith("/cbp")
        assert params["get"] == "NAICS2017,ESTAB,EMP,PAYANN"
        if params["for"] == "state:*":
            return response(200, fixture("census_cbp_2017_state.json"), "application/json;charset=utf-8")
        assert params["for"] == "county:*"
        st = params["in"].split(":")[1]
        f = FIX / f"census_cbp_2017_county_state{st}.json"
        if f.exists():
            return response(200, f.read_bytes(), "application/json;charset=utf-8")
        return response(204, b"")

    return route


def offline(url, params):
    raise requests.exceptions.ConnectionError(
        f"HTTPSConnectionPool(host='{urlsplit(url).hostname}', port=443): Max retries exceeded "
        "(Caused by NameResolutionError: Failed to resolve: [Errno -3] Temporary failure in name resolution)"
    )


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture(autouse=True)
def _no_key_no_sleep(monkeypatch):
    monkeypatch.delenv(dl.CENSUS_KEY_ENV, raising=False)
    monkeypatch.setattr(dl.time, "sleep", lambda s: None)


# ---------------------------------------------------------------------------------------------
# Eurostat
# ---------------------------------------------------------------------------------------------
def test_eu_writes_three_parseable_files(tmp_path):
    sess = FakeSession(eurostat_route())
    lines: list[str] = []
    paths = download("eu", tmp_path, session=sess, progress=lines.append)

    folder = tmp_path / "eu" / "eurostat_api"
    assert paths == [folder / "sbs_r_nuts06_r2.tsv.gz", folder / "nama_10r_2gdp.tsv.gz", folder / "tgs00096.tsv.gz"]
    assert files_in(folder) == ["nama_10r_2gdp.tsv.gz", "sbs_r_nuts06_r2.tsv.gz", "tgs00096.tsv.gz"]

    # SBS asked with the indic_sb filter in the SDMX key, every request with a timeout
    urls = [c[0] for c in sess.calls]
    assert urls[0] == f"{dl.EUROSTAT_SDMX_DATA}/sbs_r_nuts06_r2/..V16110+V13320+V11210."
    assert urls[1:] == [f"{dl.EUROSTAT_SDMX_DATA}/nama_10r_2gdp", f"{dl.EUROSTAT_SDMX_DATA}/tgs00096"]
    assert all(c[2] == dl.TIMEOUT for c in sess.calls)

    # the written file is gzip and is the served TSV, byte for byte once decompressed
    assert gzip.decompress(paths[0].read_bytes()) == gzip.decompress(fixture("eurostat_sbs_r_nuts06_r2.tsv.gz"))

    sbs = read_bulk_tsv(paths[0])
    assert list(sbs.columns) == ["nace_r2", "indic_sb", "geo", "year", "value", "flag"]
    assert len(sbs) == 10 * 6 and set(sbs["indic_sb"]) == {"V16110", "V13320", "V11210"}
    cell = sbs.set_index(["nace_r2", "indic_sb", "geo", "year"])
    assert cell.loc[("C", "V16110", "AT13", 2017), "value"] == 123.0
    assert cell.loc[("C", "V16110", "AT13", 2017), "flag"] == "p"
    assert pd.isna(cell.loc[("C10", "V16110", "DE11", 2015), "value"])
    assert cell.loc[("C10", "V16110", "DE11", 2015), "flag"] == "c"
    assert cell.loc[("C", "V13320", "AT13", 2015), "value"] == 5200.5
    assert cell.loc[("G", "V16110", "FR10", 2016), "flag"] == "bc"
    assert cell.loc[("C10", "V16110", "EL30", 2017), "value"] == 0.0  # "0 d" is a real zero with a flag

    gdp = read_bulk_tsv(paths[1])
    assert {"unit", "geo", "year", "value", "flag"} <= set(gdp.columns) and gdp["value"].notna().any()
    pop = read_bulk_tsv(paths[2])
    assert pop.loc[(pop.geo == "AT13") & (pop.year == 2021), "flag"].item() == "b"

    assert len(lines) == 3
    assert "sbs_r_nuts06_r2" in lines[0] and "bytes" in lines[0] and "10 rows" in lines[0]
    assert f"{paths[0].stat().st_size:,} bytes" in lines[0]


def test_eu_plain_tsv_body_is_gzipped_on_disk(tmp_path):
    # requests decodes Content-Encoding: gzip itself, so the body may arrive as plain text
    plain = {code: response(200, gzip.decompress(fixture(f"eurostat_{code}.tsv.gz")), "text/tab-separated-values")
             for code in dl.EU_DATASETS}
    paths = download("eu", tmp_path, session=FakeSession(eurostat_route(plain)), progress=lambda s: None)
    for p in paths:
        assert p.read_bytes()[:2] == b"\x1f\x8b"
        assert not read_bulk_tsv(p).empty


def test_eu_filter_refused_falls_back_to_whole_dataset(tmp_path):
    def sbs(url, params):
        if url.endswith("/sbs_r_nuts06_r2"):
            return response(200, fixture("eurostat_sbs_r_nuts06_r2.tsv.gz"))
        return response(404, fixture("eurostat_error_500.xml").replace(b"500", b"404"), "application/xml")

    sess = FakeSession(eurostat_route({"sbs_r_nuts06_r2": sbs}))
    lines: list[str] = []
    paths = download("eu", tmp_path, session=sess, progress=lines.append)
    sbs_urls = [c[0] for c in sess.calls if "sbs_r_nuts06_r2" in c[0]]
    assert sbs_urls == [f"{dl.EUROSTAT_SDMX_DATA}/sbs_r_nuts06_r2/..V16110+V13320+V11210.",
                        f"{dl.EUROSTAT_SDMX_DATA}/sbs_r_nuts06_r2"]
    assert any("whole dataset" in ln for ln in lines)
    assert not read_bulk_tsv(paths[0]).empty


def test_eu_unknown_dataset_404(tmp_path):
    nf = response(404, "<S:Fault><faultcode>404</faultcode><faultstring>No such dataflow</faultstring></S:Fault>")
    sess = FakeSession(eurostat_route({"sbs_r_nuts06_r2": nf}))
    with pytest.raises(DownloadError, match=r"no dataset sbs_r_nuts06_r2 \(HTTP 404.*No such dataflow"):
        download("eu", tmp_path, session=sess, progress=lambda s: None)


@pytest.mark.parametrize("body,ctype,pattern", [
    ("eurostat_error_500.xml", "application/xml", r"HTTP 500 for sbs_r_nuts06_r2.*Internal error while processing"),
])
def test_eu_http_500_leaves_existing_file_untouched(tmp_path, body, ctype, pattern):
    folder = tmp_path / "eu" / "eurostat_api"
    folder.mkdir(parents=True)
    good = folder / "sbs_r_nuts06_r2.tsv.gz"
    good.write_bytes(b"previous good file")
    sess = FakeSession(eurostat_route({"sbs_r_nuts06_r2": response(500, fixture(body), ctype)}))
    with pytest.raises(DownloadError, match=pattern) as err:
        download("eu", tmp_path, session=sess, progress=lambda s: None)
    assert "\n" not in str(err.value)
    assert good.read_bytes() == b"previous good file"
    assert files_in(folder) == ["sbs_r_nuts06_r2.tsv.gz"]  # no temp or partial files


@pytest.mark.parametrize("body,pattern", [
    (fixture("eurostat_html_maintenance.html"), r"sent an HTML page instead of data for sbs_r_nuts06_r2.*maintenance"),
    (fixture("eurostat_async_response.xml"), r"preparing sbs_r_nuts06_r2 asynchronously.*again in a few minutes"),
    (gzip.compress(b"this is not a table\r\n", mtime=0), r"not a Eurostat TSV file"),
    (b"\x1f\x8b\x08\x00garbage", r"corrupt compressed file"),
    (gzip.compress(b"freq,nace_r2,indic_sb,geo\\TIME_PERIOD\t2015 \r\nA,C,V16110\t1 \r\n", mtime=0), r"does not parse"),
    (gzip.compress(b"freq,nace_r2,indic_sb,geo\\TIME_PERIOD\t2015 \r\nA,C,V99999,AT13\t1 \r\n", mtime=0), r"unexpected indic_sb"),
], ids=["html", "async", "not-a-table", "corrupt-gzip", "no-parse", "bad-indicator"])
def test_eu_bad_body_is_refused_and_keeps_existing_file(tmp_path, body, pattern):
    folder = tmp_path / "eu" / "eurostat_api"
    folder.mkdir(parents=True)
    good = folder / "sbs_r_nuts06_r2.tsv.gz"
    good.write_bytes(fixture("eurostat_sbs_r_nuts06_r2.tsv.gz"))
    before = good.read_bytes()
    sess = FakeSession(eurostat_route({"sbs_r_nuts06_r2": response(200, body)}))
    with pytest.raises(DownloadError, match=pattern) as err:
        download("eu", tmp_path, session=sess, progress=lambda s: None)
    assert "\n" not in str(err.value)
    assert good.read_bytes() == before
    assert files_in(folder) == ["sbs_r_nuts06_r2.tsv.gz"]


def test_eu_offline_writes_nothing(tmp_path):
    with pytest.raises(DownloadError, match=r"^cannot reach ec\.europa\.eu: no network connection\?") as err:
        download("eu", tmp_path, session=FakeSession(offline), progress=lambda s: None)
    assert "Temporary failure in name resolution" in str(err.value)
    assert files_in(tmp_path) == []


def test_timeout_is_reported_as_unreachable(tmp_path):
    def slow(url, params):
        raise requests.exceptions.ReadTimeout("read timed out")

    with pytest.raises(DownloadError, match=r"^cannot reach ec\.europa\.eu: no answer within"):
        download("eu", tmp_path, session=FakeSession(slow), progress=lambda s: None)
    assert files_in(tmp_path) == []


def test_retry_on_503_then_success(tmp_path):
    answers = [response(503, "busy"), response(200, fixture("eurostat_sbs_r_nuts06_r2.tsv.gz"))]
    sess = FakeSession(eurostat_route({"sbs_r_nuts06_r2": lambda u, p: answers.pop(0)}))
    download("eu", tmp_path, session=sess, progress=lambda s: None)
    assert sum("sbs_r_nuts06_r2" in c[0] for c in sess.calls) == 2


def test_failed_rename_leaves_no_partial_file(tmp_path, monkeypatch):
    folder = tmp_path / "eu" / "eurostat_api"
    folder.mkdir(parents=True)
    good = folder / "sbs_r_nuts06_r2.tsv.gz"
    good.write_bytes(b"previous good file")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dl.os, "replace", broken_replace)
    with pytest.raises(DownloadError, match=r"cannot write .*sbs_r_nuts06_r2\.tsv\.gz: No space left"):
        download("eu", tmp_path, session=FakeSession(eurostat_route()), progress=lambda s: None)
    assert good.read_bytes() == b"previous good file"
    assert files_in(folder) == ["sbs_r_nuts06_r2.tsv.gz"]


# ---------------------------------------------------------------------------------------------
# Census County Business Patterns
# ---------------------------------------------------------------------------------------------
def read_us(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"state_fips": str, "county_fips": str, "naics2017": str})


def test_us_state_file_columns_values_and_types(tmp_path):
    sess = FakeSession(census_route())
    lines: list[str] = []
    paths = download("us", tmp_path, years=[2017], geo="state", session=sess, progress=lines.append)

    path = tmp_path / "us" / "cbp" / "census_api" / "cbp_state_2017.csv.gz"
    assert paths == [path]
    url, params, timeout = sess.calls[0]
    assert url == "https://api.census.gov/data/2017/cbp"
    assert params == {"get": "NAICS2017,ESTAB,EMP,PAYANN", "for": "state:*"}  # no key unless set
    assert timeout == dl.TIMEOUT

    text = gzip.decompress(path.read_bytes()).decode()
    assert text.splitlines()[0] == "year,state_fips,naics2017,estab,emp,payann_k"
    assert text.splitlines()[1] == "2017,01,00,1000,20000,900000"

    df = read_us(path)
    assert list(df.columns) == ["year", "state_fips", "naics2017", "estab", "emp", "payann_k"]
    assert len(df) == 12
    assert df["state_fips"].tolist()[:1] == ["01"] and set(df["state_fips"]) == {"01", "02", "72"}
    assert df["state_fips"].str.len().eq(2).all()
    for col in ("year", "estab", "emp", "payann_k"):
        assert pd.api.types.is_integer_dtype(df[col]), col
    row = df[(df.state_fips == "01") & (df.naics2017 == "31-33")].iloc[0]
    assert (row.estab, row.emp, row.payann_k) == (150, 8000, 400000)  # PAYANN kept in $1,000
    # withheld cells come as 0 from the API and are kept as 0 (the build treats them as missing)
    assert df[(df.state_fips == "01") & (df.naics2017 == "311")].emp.item() == 0
    # rows sorted by FIPS then NAICS, like the shipped files
    assert df[df.state_fips == "01"].naics2017.tolist() == ["00", "11", "113", "1133", "113310", "31-33", "311", "44-45"]
    assert len(lines) == 1 and "cbp state 2017" in lines[0] and "12 rows" in lines[0] and "bytes" in lines[0]


def test_us_state_file_concatenates_with_shipped_file(tmp_path):
    shipped = SHARED / "us" / "cbp" / "state_2017_2021" / "cbp_state_naics2017_2017_2021.csv.gz"
    if not shipped.exists():
        pytest.skip("shared raw data not present")
    (path,) = download("us", tmp_path, years=[2017], session=FakeSession(census_route()), progress=lambda s: None)
    with gzip.open(shipped, "rt") as fh:
        shipped_header = fh.readline().strip()
    with gzip.open(path, "rt") as fh:
        assert fh.readline().strip() == shipped_header
    both = pd.concat([pd.read_csv(shipped, dtype=str, nrows=50), pd.read_csv(path, dtype=str)], ignore_index=True)
    assert list(both.columns) == shipped_header.split(",") and both.notna().all().all()


def test_us_county_file(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "CBP_COUNTY_STATES", ("01", "02", "04"))  # 04 answers 204 No Content
    sess = FakeSession(census_route())
    lines: list[str] = []
    (path,) = download("us", tmp_path, years=[2017], geo="county", session=sess, progress=lines.append)
    assert path.name == "cbp_county_2017.csv.gz"
    assert [c[1]["in"] for c in sess.calls] == ["state:01", "state:02", "state:04"]
    assert all(c[1]["for"] == "county:*" for c in sess.calls)

    df = read_us(path)
    assert list(df.columns) == ["year", "county_fips", "naics2017", "estab", "emp", "payann_k"]
    assert df["county_fips"].tolist() == ["01001", "01001", "01001", "01003", "01003", "02013", "02013"]
    assert df["naics2017"].tolist()[:3] == ["00", "23", "238"]
    assert (df["year"] == 2017).all() and pd.api.types.is_integer_dtype(df["emp"])
    assert df.loc[df.naics2017 == "48-49", "payann_k"].item() == 3300
    assert lines[-1].startswith("us  cbp county 2017") and "7 rows" in lines[-1]


def test_us_default_years_one_file_each(tmp_path):
    sess = FakeSession(census_route())
    paths = download("us", tmp_path, session=sess, progress=lambda s: None)
    assert [p.name for p in paths] == [f"cbp_state_{y}.csv.gz" for y in range(2017, 2022)]
    assert [c[0] for c in sess.calls] == [f"https://api.census.gov/data/{y}/cbp" for y in range(2017, 2022)]
    assert read_us(paths[-1])["year"].unique().tolist() == [2021]


def test_us_api_key_from_environment_is_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("CENSUS_API_KEY", "SECRET-KEY-123")
    sess = FakeSession(census_route())
    download("us", tmp_path, years=[2017], session=sess, progress=lambda s: None)
    assert sess.calls[0][1]["key"] == "SECRET-KEY-123"


def test_us_invalid_key_html_page(tmp_path, monkeypatch):
    monkeypatch.setenv("CENSUS_API_KEY", "SECRET-KEY-123")
    folder = tmp_path / "us" / "cbp" / "census_api"
    folder.mkdir(parents=True)
    good = folder / "cbp_state_2017.csv.gz"
    good.write_bytes(b"previous good file")
    page = response(200, fixture("census_invalid_key.html"), "text/html")
    sess = FakeSession(census_route(lambda u, p: page))
    with pytest.raises(DownloadError) as err:
        download("us", tmp_path, years=[2017], session=sess, progress=lambda s: None)
    msg = str(err.value)
    assert "sent an HTML page instead of data for CBP 2017, all states" in msg and "Invalid Key" in msg
    assert "CENSUS_API_KEY is set but was refused" in msg
    assert "SECRET-KEY-123" not in msg and "\n" not in msg
    assert good.read_bytes() == b"previous good file"
    assert files_in(folder) == ["cbp_state_2017.csv.gz"]


@pytest.mark.parametrize("answer,pattern", [
    (response(500, "Internal Server Error"), r"HTTP 500 for CBP 2017, all states"),
    (response(400, "error: error: unknown variable 'NAICS2017'", "text/plain"),
     r"HTTP 400 for CBP 2017, all states: error: error: unknown variable 'NAICS2017' \(CBP 2017 may not"),
    (response(404, "<html><head><title>404</title></head><body>Not Found</body></html>", "text/html"),
     r"no CBP dataset for 2017 \(HTTP 404\)"),
    (response(204, b""), r"no data for CBP 2017, all states \(HTTP 204\)"),
    (response(200, '{"error": "oops"}', "application/json"), r"unexpected JSON"),
    (response(200, '[["NAICS2017","ESTAB","state"],["00","1","01"]]', "application/json"), r"lacks the columns \['EMP', 'PAYANN'\]"),
    (response(200, '[["NAICS2017","ESTAB","EMP","PAYANN","state"],["00","1","2","x","01"]]'), r"non-integer PAYANN value 'x'"),
    (response(200, '[["NAICS2017","ESTAB","EMP","PAYANN","state"],["00","1","2","3","01"],["00","1","2","3","01"]]'),
     r"several rows for state_fips 01 NAICS 00"),
])
def test_us_bad_answers(tmp_path, answer, pattern):
    folder = tmp_path / "us" / "cbp" / "census_api"
    folder.mkdir(parents=True)
    good = folder / "cbp_state_2017.csv.gz"
    good.write_bytes(b"previous good file")
    with pytest.raises(DownloadError, match=pattern) as err:
        download("us", tmp_path, years=[2017], session=FakeSession(census_route(lambda u, p: answer)),
                 progress=lambda s: None)
    assert "\n" not in str(err.value)
    assert good.read_bytes() == b"previous good file"
    assert files_in(folder) == ["cbp_state_2017.csv.gz"]


def test_us_offline_writes_nothing(tmp_path):
    with pytest.raises(DownloadError, match=r"^cannot reach api\.census\.gov: no network connection\?"):
        download("us", tmp_path, years=[2017], geo="county", session=FakeSession(offline), progress=lambda s: None)
    assert files_in(tmp_path) == []


def test_us_county_failure_midway_writes_nothing_for_that_year(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "CBP_COUNTY_STATES", ("01", "02"))

    def fail_on_02(url, params):
        if params.get("in") == "state:02":
            return response(500, "boom")
        return None

    with pytest.raises(DownloadError, match=r"HTTP 500 for CBP 2017, counties of state 02"):
        download("us", tmp_path, years=[2017], geo="county", session=FakeSession(census_route(fail_on_02)),
                 progress=lambda s: None)
    assert files_in(tmp_path / "us") == []


# ---------------------------------------------------------------------------------------------
# arguments and target folder
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,pattern", [
    (dict(dataset="asia"), r"unknown dataset 'asia': choose 'eu' .* or 'us'"),
    (dict(dataset="us", years=[2016]), r"CBP year 2016 is not supported: years before 2017 use older NAICS"),
    (dict(dataset="us", years=[2012, 2017]), r"CBP year 2012 is not supported"),
    (dict(dataset="us", years=["twenty"]), r"bad year 'twenty'"),
    (dict(dataset="us", years=[]), r"no years given"),
    (dict(dataset="us", years=[2999]), r"CBP year 2999 is in the future"),
    (dict(dataset="us", geo="zip"), r"unknown geography 'zip' for CBP: choose 'state' or 'county'"),
])
def test_bad_arguments_are_refused_before_any_request(tmp_path, kwargs, pattern):
    sess = FakeSession(offline)
    dataset = kwargs.pop("dataset")
    with pytest.raises(DownloadError, match=pattern):
        download(dataset, tmp_path, session=sess, progress=lambda s: None, **kwargs)
    assert sess.calls == [] and files_in(tmp_path) == []


def test_years_as_strings_are_accepted(tmp_path):
    sess = FakeSession(census_route())
    paths = download("US", tmp_path, years=["2018", 2018, 2019], session=sess, progress=lambda s: None)
    assert [p.name for p in paths] == ["cbp_state_2018.csv.gz", "cbp_state_2019.csv.gz"]


def test_raw_dir_below_a_file_is_refused(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    sess = FakeSession(eurostat_route())
    with pytest.raises(DownloadError, match=r"cannot write downloads under .*not_a_dir.*pass --raw to a writable directory"):
        download("eu", blocker, session=sess, progress=lambda s: None)
    assert sess.calls == []


def test_read_only_raw_dir_is_refused_even_for_root(tmp_path):
    ro = tmp_path / "shared_data"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    sess = FakeSession(census_route())
    try:
        with pytest.raises(DownloadError) as err:
            download("us", ro, years=[2017], session=sess, progress=lambda s: None)
        msg = str(err.value)
        assert msg.startswith(f"cannot write downloads under {ro}: {ro} is read-only")
        assert "pass --raw to a writable directory" in msg
        assert sess.calls == [] and os.listdir(ro) == []
    finally:
        ro.chmod(0o755)


def test_shared_raw_data_folder_counts_as_read_only():
    """The real shared folder is r-x for everyone; the check must refuse it without writing."""
    if not SHARED.is_dir() or SHARED.stat().st_mode & 0o222:
        pytest.skip("shared raw-data folder absent or writable here")
    assert dl._readonly_reason(SHARED / "eu" / "eurostat_api") is not None
    assert dl._readonly_reason(SHARED / "us" / "cbp" / "census_api") is not None
