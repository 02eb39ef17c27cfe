"""Download fresh raw data from the public APIs: Eurostat (Europe) and the US Census (US).

``download("eu", raw_dir)`` fetches, from Eurostat's SDMX 2.1 dissemination API, the
datasets the project uses, as the *new* bulk TSV format (first column such as
``freq,nace_r2,indic_sb,geo\\TIME_PERIOD``), and writes them gzipped to
``<raw_dir>/eu/eurostat_api/<code>.tsv.gz``:

* ``sbs_r_nuts06_r2``: SBS by NUTS 2 region and NACE Rev. 2, restricted by the SDMX key to
  ``indic_sb`` V16110 (persons employed), V13320 (wages and salaries) and V11210 (local
  units). If Eurostat refuses the key, the whole dataset is fetched instead.
* ``nama_10r_2gdp``: regional GDP (whole dataset).
* ``tgs00096``: population on 1 January by NUTS 2 region (whole dataset).

The files are read with :func:`analytics.sources.eu.eurostat.read_bulk_tsv`.

``download("us", raw_dir, years, geo)`` fetches County Business Patterns from the Census
Data API (``https://api.census.gov/data/<year>/cbp``) for ``geo="state"`` (one request per
year) or ``geo="county"`` (one request per state and year), with the variables NAICS2017,
ESTAB, EMP and PAYANN at every NAICS level (2- to 6-digit, ``00`` = all industries). The
files ``<raw_dir>/us/cbp/census_api/cbp_<geo>_<year>.csv.gz`` have exactly the columns of
the shipped CBP files, so the build can concatenate them:

* state: ``year,state_fips,naics2017,estab,emp,payann_k``
* county: ``year,county_fips,naics2017,estab,emp,payann_k`` (5-digit state + county FIPS)

PAYANN is published in $1,000, so it is stored unchanged as ``payann_k``. Only 2017 and
later are supported: earlier CBP years use older NAICS vintages (NAICS2012 and before).
An API key is optional and read from the ``CENSUS_API_KEY`` environment variable.

Every file is validated first, then written to a temporary file in the target folder and
renamed into place, so a failed download never leaves a partial file and never replaces a
good file with a bad one. Every failure raises :class:`DownloadError` with a one-line
message meant for the user. Pure Python (requests, pandas); no Dash.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import requests

__all__ = ["DownloadError", "download", "EU_DATASETS", "DEFAULT_US_YEARS"]

# --- endpoints --------------------------------------------------------------------------
#: SDMX 2.1 data endpoint of Eurostat's dissemination API (replaces the bulk download
#: facility since 2023): ``<base>/<dataset>[/<key>]?format=TSV&compressed=true``.
EUROSTAT_SDMX_DATA = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data"
#: Census Data API; CBP lives at ``<base>/<year>/cbp``.
CENSUS_API = "https://api.census.gov/data"
CENSUS_KEY_ENV = "CENSUS_API_KEY"

#: (connect, read) timeouts in seconds for every request.
TIMEOUT = (15, 300)
#: Waits (seconds) before retrying a request answered 429/502/503/504.
RETRY_WAITS = (5, 20)
_RETRY_STATUS = {429, 502, 503, 504}
USER_AGENT = "cluster-observatory-downloader/1.0 (python-requests)"

# --- Eurostat ---------------------------------------------------------------------------
SBS_INDICATORS = ("V16110", "V13320", "V11210")
#: code -> (SDMX key or None for the whole dataset, {dimension: allowed codes} the key selects)
EU_DATASETS: dict[str, tuple[str | None, dict[str, set[str]]]] = {
    # dimensions of sbs_r_nuts06_r2: freq, nace_r2, indic_sb, geo
    "sbs_r_nuts06_r2": (".." + "+".join(SBS_INDICATORS) + ".", {"indic_sb": set(SBS_INDICATORS)}),
    "nama_10r_2gdp": (None, {}),
    "tgs00096": (None, {}),
}

# --- Census CBP -------------------------------------------------------------------------
FIRST_CBP_YEAR = 2017  # CBP 2017+ is coded in NAICS 2017
DEFAULT_US_YEARS = [2017, 2018, 2019, 2020, 2021]
CBP_VARIABLES = ("NAICS2017", "ESTAB", "EMP", "PAYANN")
#: The 50 states and DC, queried one by one for county data.
CBP_COUNTY_STATES = (
    "01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17",
    "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46",
    "47", "48", "49", "50", "51", "53", "54", "55", "56",
)
US_COLUMNS = {
    "state": ["year", "state_fips", "naics2017", "estab", "emp", "payann_k"],
    "county": ["year", "county_fips", "naics2017", "estab", "emp", "payann_k"],
}


class DownloadError(Exception):
    """A download failed; ``str(err)`` is one clear line for the user."""


# ======================================================================================
# public entry point
# ======================================================================================
def download(
    dataset: str,
    raw_dir: Path,
    years: list[int] | None = None,
    geo: str = "state",
    session: requests.Session | None = None,
    progress: Callable[[str], object] = print,
) -> list[Path]:
    """Download ``dataset`` ("eu" or "us") into ``raw_dir`` and return the files written.

    ``years`` and ``geo`` apply to "us" only (default 2017–2021, "state"); Eurostat files
    always hold every year the dataset has. ``session`` lets callers (and tests) supply a
    ``requests.Session``; ``progress`` receives one line per file written.
    """
    name = str(dataset).strip().lower()
    if name not in ("eu", "us"):
        raise DownloadError(f"unknown dataset {dataset!r}: choose 'eu' (Eurostat) or 'us' (Census CBP)")
    raw_dir = Path(raw_dir).expanduser()
    if name == "us":
        years = _check_years(years)
        geo = _check_geo(geo)
        target = raw_dir / "us" / "cbp" / "census_api"
    else:
        target = raw_dir / "eu" / "eurostat_api"
    _ensure_writable(target, raw_dir)

    own_session = session is None
    sess = session if session is not None else _new_session()
    try:
        if name == "eu":
            return _download_eu(sess, target, progress)
        return _download_us(sess, target, years, geo, progress)
    finally:
        if own_session:
            sess.close()


# ======================================================================================
# argument checks
# ======================================================================================
def _check_years(years: Iterable[int] | None) -> list[int]:
    if years is None:
        return list(DEFAULT_US_YEARS)
    if isinstance(years, (str, bytes, int)):
        years = [years]  # type: ignore[list-item]
    out: list[int] = []
    this_year = _dt.date.today().year
    for y in years:
        if isinstance(y, bool) or not isinstance(y, int):
            try:
                y = int(str(y).strip())
            except ValueError:
                raise DownloadError(f"bad year {y!r}: years must be whole numbers such as 2019") from None
        if y < FIRST_CBP_YEAR:
            raise DownloadError(
                f"CBP year {y} is not supported: years before {FIRST_CBP_YEAR} use older NAICS "
                f"vintages (NAICS2012 and earlier); choose {FIRST_CBP_YEAR} or later "
                "(2000–2011 state data already ship in us/cbp/state_2000_2011)"
            )
        if y > this_year:
            raise DownloadError(f"CBP year {y} is in the future; the latest CBP year is about {this_year - 2}")
        if y not in out:
            out.append(y)
    if not out:
        raise DownloadError("no years given: pass at least one CBP year (2017 or later)")
    return out


def _check_geo(geo: str) -> str:
    g = str(geo).strip().lower()
    if g not in US_COLUMNS:
        raise DownloadError(f"unknown geography {geo!r} for CBP: choose 'state' or 'county'")
    return g


# ======================================================================================
# writable target folder
# ======================================================================================
def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _readonly_reason(target: Path) -> str | None:
    """Why ``target`` cannot be created/written, judged without writing anything.

    Mode bits are honoured even for root (who would bypass them), so the read-only shared
    data folder is never written into by mistake.
    """
    existing = _nearest_existing(target)
    if not existing.is_dir():
        return f"{existing} is not a directory"
    try:
        mode = existing.stat().st_mode
    except OSError as exc:
        return f"cannot inspect {existing}: {exc.strerror or exc}"
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return f"{existing} is read-only"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"no permission to write in {existing}"
    return None


def _ensure_writable(target: Path, raw_dir: Path) -> None:
    hint = "pass --raw to a writable directory (the shared raw-data folder is read-only)"
    reason = _readonly_reason(target)
    if reason:
        raise DownloadError(f"cannot write downloads under {raw_dir}: {reason}; {hint}")
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=target, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DownloadError(
            f"cannot write downloads under {raw_dir}: {exc.strerror or exc}; {hint}"
        ) from None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise DownloadError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# ======================================================================================
# HTTP
# ======================================================================================
def _new_session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _get(session: requests.Session, url: str, what: str, params: dict | None = None) -> requests.Response:
    """GET with timeouts and a few retries on 429/5xx-gateway answers.

    Network failures become :class:`DownloadError`; the HTTP status is left to the caller.
    Messages never include the query string (it may hold an API key).
    """
    host = _host(url)
    waits = list(RETRY_WAITS)
    while True:
        try:
            resp = session.get(url, params=params, timeout=TIMEOUT)
        except requests.exceptions.ConnectionError as exc:  # includes DNS, refused, SSL, connect timeout
            raise DownloadError(
                f"cannot reach {host}: no network connection? ({what}: {_short_exc(exc)})"
            ) from None
        except requests.exceptions.Timeout:
            raise DownloadError(
                f"cannot reach {host}: no answer within {TIMEOUT[1]} s, no network connection "
                f"or the server is overloaded? ({what}); try again later"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise DownloadError(f"download of {what} from {host} failed: {_short_exc(exc)}") from None
        if resp.status_code in _RETRY_STATUS and waits:
            time.sleep(waits.pop(0))
            continue
        return resp


def _short_exc(exc: BaseException) -> str:
    text = str(exc)
    # requests nests urllib3 messages; keep the innermost human part and drop URLs/queries.
    for cause in ("Name or service not known", "Temporary failure in name resolution",
                  "nodename nor servname provided", "Connection refused", "Network is unreachable",
                  "No route to host", "certificate verify failed", "timed out", "Max retries exceeded"):
        if cause.lower() in text.lower():
            return cause
    text = re.sub(r"https?://\S+", "", text)
    text = " ".join(text.split())
    return (text[:120] + "…") if len(text) > 120 else (text or type(exc).__name__)


def _body_text(resp: requests.Response, limit: int = 20000) -> str:
    data = resp.content or b""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return "<unreadable compressed body>"
    return data[:limit].decode("utf-8", errors="replace")


def _summarize(text: str, limit: int = 140) -> str:
    """One short line from an error body (XML fault, HTML page, JSON or plain text)."""
    for pat in (r"<faultstring>(.*?)</faultstring>", r"<(?:\w+:)?Text[^>]*>(.*?)</(?:\w+:)?Text>",
                r"<title>(.*?)</title>"):
        m = re.search(pat, text, flags=re.S | re.I)
        if m and m.group(1).strip():
            head = m.group(1)
            if pat.startswith("<title>"):  # add the page's first sentence too
                body = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
                body = re.sub(r"<title>.*?</title>", " ", body, flags=re.S | re.I)
                body = re.sub(r"<[^>]+>", " ", body)
                head = f"{head.strip()}: {body}"
            text = head
            break
    else:
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return (text[:limit] + "…") if len(text) > limit else text


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head


# ======================================================================================
# Eurostat
# ======================================================================================
def _eurostat_url(code: str, key: str | None) -> str:
    return f"{EUROSTAT_SDMX_DATA}/{code}" + (f"/{key}" if key else "")


def _download_eu(session: requests.Session, target: Path, progress) -> list[Path]:
    written: list[Path] = []
    for code, (key, selects) in EU_DATASETS.items():
        tsv, rows = _fetch_eurostat(session, code, key, selects, progress)
        path = target / f"{code}.tsv.gz"
        data = gzip.compress(tsv, mtime=0)
        _write_atomic(path, data)
        progress(f"eu  {code:<16} -> {path}  ({len(data):,} bytes, {rows:,} rows)")
        written.append(path)
    return written


def _fetch_eurostat(session, code: str, key: str | None, selects: dict[str, set[str]], progress):
    """Return (uncompressed TSV bytes, number of series rows) for one dataset, validated."""
    params = {"format": "TSV", "compressed": "true"}
    what = f"Eurostat dataset {code}"
    url = _eurostat_url(code, key)
    resp = _get(session, url, what, params)
    if key and resp.status_code in (400, 404):
        # The key did not fit the dataset's dimensions: fall back to the whole dataset.
        progress(f"eu  {code}: Eurostat refused the filter (HTTP {resp.status_code}); fetching the whole dataset")
        url, selects = _eurostat_url(code, None), {}
        resp = _get(session, url, what, params)
    _check_eurostat_status(resp, code)
    tsv = _eurostat_payload(resp, code)
    rows = _validate_eurostat_tsv(tsv, code, selects)
    return tsv, rows


def _check_eurostat_status(resp: requests.Response, code: str) -> None:
    status = resp.status_code
    if status == 200:
        return
    detail = _summarize(_body_text(resp))
    host = _host(EUROSTAT_SDMX_DATA)
    if status == 404:
        raise DownloadError(f"Eurostat has no dataset {code} (HTTP 404 from {host}): {detail or 'not found'}")
    if status == 413:
        raise DownloadError(f"Eurostat refused {code} as too big (HTTP 413): {detail}")
    raise DownloadError(f"Eurostat answered HTTP {status} for {code} ({host}): {detail or resp.reason or 'error'}")


def _eurostat_payload(resp: requests.Response, code: str) -> bytes:
    """The TSV bytes of a 200 answer (gzipped by Eurostat, or already decoded by requests)."""
    data = resp.content or b""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise DownloadError(f"Eurostat sent a corrupt compressed file for {code}: {exc}") from None
    text_head = data[:4000].decode("utf-8", errors="replace")
    first_line = text_head.split("\n", 1)[0]
    if "\t" in first_line and "\\" in first_line.split("\t", 1)[0]:
        return data
    if re.search(r"SUBMITTED|PROCESSING|asyncResponse|<(?:\w+:)?key>", text_head, flags=re.I):
        key = re.search(r"<(?:\w+:)?key>\s*([^<\s]+)\s*<", text_head, flags=re.I)
        raise DownloadError(
            f"Eurostat is preparing {code} asynchronously (large request"
            + (f", key {key.group(1)}" if key else "")
            + "); run the download again in a few minutes, when Eurostat serves it from its cache"
        )
    kind = "an HTML page" if _looks_like_html(text_head) else "something that is not a Eurostat TSV file"
    raise DownloadError(f"Eurostat sent {kind} instead of data for {code}: {_summarize(text_head) or 'empty body'}")


def _validate_eurostat_tsv(tsv: bytes, code: str, selects: dict[str, set[str]]) -> int:
    """Parse with the project's reader; return the number of series rows."""
    from analytics.sources.eu.eurostat import read_bulk_tsv  # local import keeps module import light

    with tempfile.TemporaryDirectory(prefix="eurostat-check-") as tmp:
        path = Path(tmp) / f"{code}.tsv"
        path.write_bytes(tsv)
        try:
            long = read_bulk_tsv(path)
        except Exception as exc:  # noqa: BLE001 - any parse failure means a bad file
            raise DownloadError(f"Eurostat file for {code} does not parse as a bulk TSV: {_short_exc(exc)}") from None
    if long.empty or not {"year", "value", "flag"} <= set(long.columns):
        raise DownloadError(f"Eurostat file for {code} holds no observations")
    for dim, allowed in selects.items():
        if dim not in long.columns:
            raise DownloadError(f"Eurostat file for {code} has no {dim!r} dimension")
        extra = set(long[dim].unique()) - allowed
        if extra:
            raise DownloadError(f"Eurostat file for {code} has unexpected {dim} codes: {sorted(extra)[:5]}")
    return sum(1 for line in tsv.splitlines()[1:] if line.strip())


# ======================================================================================
# Census County Business Patterns
# ======================================================================================
def _download_us(session, target: Path, years: list[int], geo: str, progress) -> list[Path]:
    key = os.environ.get(CENSUS_KEY_ENV, "").strip() or None
    written: list[Path] = []
    for year in years:
        if geo == "state":
            rows = _fetch_cbp(session, year, {"for": "state:*"}, key, allow_empty=False)
        else:
            progress(f"us  cbp county {year}: fetching {len(CBP_COUNTY_STATES)} states from {_host(CENSUS_API)} …")
            rows = []
            for st in CBP_COUNTY_STATES:
                rows.extend(_fetch_cbp(session, year, {"for": "county:*", "in": f"state:{st}"}, key, allow_empty=True))
            if not rows:
                raise DownloadError(f"Census API returned no county rows for CBP {year}")
        frame = _cbp_frame(rows, year, geo)
        path = target / f"cbp_{geo}_{year}.csv.gz"
        data = gzip.compress(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"), mtime=0)
        _write_atomic(path, data)
        progress(f"us  cbp {geo} {year:<6} -> {path}  ({len(data):,} bytes, {len(frame):,} rows)")
        written.append(path)
    return written


def _fetch_cbp(session, year: int, geo_params: dict, key: str | None, allow_empty: bool) -> list[dict]:
    """One CBP API call; returns dicts with NAICS2017/ESTAB/EMP/PAYANN/state[/county]."""
    url = f"{CENSUS_API}/{year}/cbp"
    params = {"get": ",".join(CBP_VARIABLES), **geo_params}
    if key:
        params["key"] = key
    if "in" in geo_params:
        what = f"CBP {year}, counties of state {geo_params['in'].split(':', 1)[1]}"
    else:
        what = f"CBP {year}, all states"
    resp = _get(session, url, what, params)
    status = resp.status_code
    if status == 204:  # valid query, no data (Census answers 204 No Content)
        if allow_empty:
            return []
        raise DownloadError(f"Census API has no data for {what} (HTTP 204)")
    text = _body_text(resp, limit=400)
    if status != 200:
        detail = _summarize(text) or resp.reason or "error"
        if status == 404:
            msg = f"Census API has no CBP dataset for {year} (HTTP 404): CBP appears about two years after the reference year"
        elif status == 429:
            msg = f"Census API rate limit reached (HTTP 429) for {what}: set {CENSUS_KEY_ENV} or try later"
        else:
            msg = f"Census API answered HTTP {status} for {what}: {detail}"
            if "NAICS2017" in detail:
                msg += f" (CBP {year} may not be coded in NAICS 2017)"
        raise DownloadError(msg + _key_hint(text, key))
    try:
        table = json.loads(resp.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        kind = "an HTML page" if _looks_like_html(text) else "a non-JSON answer"
        raise DownloadError(
            f"Census API sent {kind} instead of data for {what}: {_summarize(text) or 'empty body'}" + _key_hint(text, key)
        ) from None
    return _cbp_rows(table, what, geo_params)


def _key_hint(text: str, key: str | None) -> str:
    if re.search(r"\bkey\b", text, flags=re.I):
        state = "is set but was refused" if key else "is not set"
        return (f" — check the Census API key ({CENSUS_KEY_ENV} {state}; "
                "free keys: https://api.census.gov/data/key_signup.html)")
    return ""


def _cbp_rows(table, what: str, geo_params: dict) -> list[dict]:
    if not isinstance(table, list) or not table or not isinstance(table[0], list):
        raise DownloadError(f"Census API sent unexpected JSON for {what} (not a table of rows)")
    header = [str(h) for h in table[0]]
    need = list(CBP_VARIABLES) + ["state"] + (["county"] if geo_params["for"].startswith("county") else [])
    missing = [n for n in need if n not in header]
    if missing:
        raise DownloadError(f"Census API answer for {what} lacks the columns {missing}")
    idx = {n: header.index(n) for n in need}  # first occurrence (a predicate may be echoed twice)
    width = len(header)
    out = []
    for row in table[1:]:
        if not isinstance(row, list) or len(row) != width:
            raise DownloadError(f"Census API answer for {what} has a malformed row: {str(row)[:80]}")
        out.append({n: row[i] for n, i in idx.items()})
    return out


def _to_int(series: pd.Series, name: str, what: str) -> pd.Series:
    s = series.astype("string").str.strip()
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna() & (s != "")
    frac = num.notna() & (num % 1 != 0)
    if bad.any() or frac.any():
        example = s[bad | frac].iloc[0]
        raise DownloadError(f"Census API sent a non-integer {name} value {example!r} for {what}")
    return num.astype("Int64")


def _cbp_frame(rows: list[dict], year: int, geo: str) -> pd.DataFrame:
    what = f"CBP {geo} {year}"
    df = pd.DataFrame(rows)
    state = df["state"].astype("string").str.strip().str.zfill(2)
    if geo == "state":
        fips_col, fips = "state_fips", state
    else:
        fips_col = "county_fips"
        fips = state + df["county"].astype("string").str.strip().str.zfill(3)
    out = pd.DataFrame({
        "year": pd.Series(year, index=df.index, dtype="int64"),
        fips_col: fips.astype(str),
        "naics2017": df["NAICS2017"].astype("string").str.strip().astype(str),
        "estab": _to_int(df["ESTAB"], "ESTAB", what),
        "emp": _to_int(df["EMP"], "EMP", what),
        "payann_k": _to_int(df["PAYANN"], "PAYANN", what),  # already in $1,000
    })
    if not out[fips_col].str.fullmatch(r"\d{2}" if geo == "state" else r"\d{5}").all():
        raise DownloadError(f"Census API sent malformed FIPS codes for {what}")
    dup = out.duplicated([fips_col, "naics2017"])
    if dup.any():
        r = out[dup].iloc[0]
        raise DownloadError(
            f"Census API sent several rows for {fips_col} {r[fips_col]} NAICS {r['naics2017']} in {what} "
            "(breakdown by legal form or size class?); not writing the file"
        )
    out = out.sort_values([fips_col, "naics2017"], kind="stable").reset_index(drop=True)
    return out[US_COLUMNS[geo]]
