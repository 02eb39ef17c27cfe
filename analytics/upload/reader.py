"""Read and validate an uploaded employment file (CSV or XLSX), all or nothing.

``read_upload(path_or_bytes, filename)`` returns an :class:`UploadResult`: either the clean rows
(``ok``) or the list of problems, each with the line it is on as a spreadsheet shows it (the header
is line 1, the first data row line 2), never a part of the file. ``preview(result)`` is what the UI
shows before the user accepts. The format is in docs/UPLOAD.md.
"""
from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.upload import codes as C

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 500_000
MAX_ERRORS = 50
REQUIRED = ("region_id", "industry_code", "year", "employment")
OPTIONAL = ("region_name", "establishments", "payroll")
COLUMNS = ("region_id", "region_name", "industry_code", "year", "employment", "establishments", "payroll")
TOTAL = "TOTAL"
YEARS = (1900, 2100)
NUMERIC = ("employment", "establishments", "payroll")


@dataclass
class UploadResult:
    """The outcome of reading one file: ``rows`` and ``totals`` when ``ok``, else ``errors``.

    ``rows``: line, region_id, region_name, industry_code (as written), code (normalised: ``10.11``,
    ``336111``), year, employment, establishments, payroll (NaN = empty cell = missing, never 0).
    ``totals``: line, region_id, region_name, year, total (the ``TOTAL`` rows).
    ``errors``: at most :data:`MAX_ERRORS` messages, then one "… and N more"; ``error_count``: all.
    """
    filename: str
    classification: str | None = None
    rows: pd.DataFrame | None = None
    totals: pd.DataFrame | None = None
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    n_lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def frame(self) -> pd.DataFrame | None:
        """The clean rows, or None when the file was refused."""
        return self.rows if self.ok else None

    @property
    def classification_label(self) -> str:
        return C.LABELS.get(self.classification or "", "unknown")

    def message(self) -> str:
        if self.ok:
            return f"{self.filename}: {len(self.rows):,} rows read ({self.classification_label})"
        head = f"{self.filename}: {self.error_count:,} problem{'s' if self.error_count != 1 else ''}, nothing imported"
        return "\n".join([head, *self.errors])


class _Problems:
    def __init__(self):
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, text: str) -> None:
        self.items.append((line, text))

    def capped(self) -> tuple[list[str], int]:
        items = sorted(self.items, key=lambda t: t[0])
        text = [f"line {n}: {t}" if n else t for n, t in items]
        if len(text) > MAX_ERRORS:
            return text[:MAX_ERRORS] + [f"… and {len(text) - MAX_ERRORS:,} more problems"], len(text)
        return text, len(text)


def _fail(filename: str, problems: _Problems, n_lines: int = 0) -> UploadResult:
    errors, n = problems.capped()
    return UploadResult(filename, errors=errors, error_count=n, n_lines=n_lines)


def _bytes_of(path_or_bytes, problems: _Problems) -> bytes | None:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        if len(data) > MAX_BYTES:
            problems.add(0, f"the file is {_size(len(data))}; the limit is {_size(MAX_BYTES)}")
            return None
        return data
    path = Path(os.fspath(path_or_bytes))
    if not path.is_file():
        problems.add(0, f"no such file: {path}")
        return None
    size = path.stat().st_size
    if size > MAX_BYTES:  # refused before reading a byte of it
        problems.add(0, f"the file is {_size(size)}; the limit is {_size(MAX_BYTES)}")
        return None
    return path.read_bytes()


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".0 MB", " MB") if n >= 1024 * 1024 else f"{n:,} bytes"


def _too_many(n: int) -> str:
    return (f"more than {MAX_ROWS:,} data rows (the file has at least {n:,}): refused; split it, "
            "e.g. by year or region")


def _csv_records(data: bytes, problems: _Problems) -> tuple[list[tuple[int, list[str]]], str] | None:
    """(line, cells) of every non-blank record after the header (line 1), and the delimiter."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(0, f"the file is not UTF-8 text (byte {exc.start + 1}): save it as “CSV UTF-8” or XLSX")
        return None
    if data.count(b"\n") > 2 * (MAX_ROWS + 1) + text.count('"'):  # surely too long: not worth parsing
        problems.add(0, _too_many(data.count(b"\n") - 1))
        return None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, line = [], 0
    for cells in reader:
        line += 1
        if not any(c.strip() for c in cells):
            continue
        out.append((line, cells))
        if len(out) > MAX_ROWS + 1:
            problems.add(0, _too_many(MAX_ROWS + 1))
            return None
    return out, delimiter


def _xlsx_records(data: bytes, problems: _Problems) -> list[tuple[int, list]] | None:
    try:
        import openpyxl
    except ImportError:  # pinned in requirements.txt
        problems.add(0, "XLSX files need the openpyxl package on the server; upload a CSV file instead")
        return None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one message
        problems.add(0, f"not a readable XLSX workbook ({type(exc).__name__}); save it as .xlsx or as CSV UTF-8")
        return None
    try:
        ws = wb["data"] if "data" in wb.sheetnames else wb.worksheets[0]
        if ws.max_row and ws.max_row > MAX_ROWS + 1 + 1000:  # the sheet's own dimension: far too long
            problems.add(0, _too_many(ws.max_row - 1))
            return None
        out = []
        for line, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            out.append((line, list(cells)))
            if len(out) > MAX_ROWS + 1:
                problems.add(0, _too_many(MAX_ROWS + 1))
                return None
        return out
    finally:
        wb.close()


def _cell_text(value) -> str:
    """A cell as text: numbers as they read (2014.0 → 2014), None → ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells: list, problems: _Problems) -> dict[str, int] | None:
    names = [_cell_text(c).lstrip("\ufeff").strip().lower().replace(" ", "_") for c in cells]
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        if not n:
            continue
        if n in index:
            problems.add(1, f"column {n!r} appears twice")
        index[n] = i
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        have = ", ".join(n for n in names if n) or "nothing"
        problems.add(1, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the header has: "
                        f"{have}; expected {', '.join(COLUMNS)}, the last two optional)")
    return None if problems.items else index


def read_upload(path_or_bytes, filename: str | None = None, classification: str | None = None,
                raw: str | None = None) -> UploadResult:
    """Read a CSV (UTF-8, comma or semicolon) or XLSX file of employment by region × industry × year.

    ``classification`` (``"nace"``/``"naics"``) settles a file whose codes all read both ways; by
    default the codes decide. Nothing is kept from a file with any problem.
    """
    if filename is None:
        filename = Path(os.fspath(path_or_bytes)).name if not isinstance(path_or_bytes, (bytes, bytearray)) else "upload"
    problems = _Problems()
    data = _bytes_of(path_or_bytes, problems)
    if data is None:
        return _fail(filename, problems)
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        problems.add(0, "the file is empty")
        return _fail(filename, problems)
    is_xlsx = data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))
    decimal_comma = False
    if is_xlsx:
        records = _xlsx_records(data, problems)
    else:
        got = _csv_records(data, problems)
        records = None if got is None else got[0]
        decimal_comma = got is not None and got[1] == ";"
    if records is None:
        return _fail(filename, problems)
    if not records:
        problems.add(0, "the file is empty")
        return _fail(filename, problems)
    head_line, head = records[0]
    if head_line != 1:
        problems.add(head_line, "the header must be the first line (line 1 is blank)")
        return _fail(filename, problems)
    index = _header(head, problems)
    if index is None:
        return _fail(filename, problems)
    body = records[1:]
    n_lines = body[-1][0] if body else 1
    if not body:
        problems.add(0, "the file has a header but no data rows")
        return _fail(filename, problems, n_lines)
    warnings = []
    extra = [n for n in index if n not in COLUMNS]
    if extra:
        warnings.append(f"column{'s' if len(extra) > 1 else ''} {', '.join(extra)} not used")
    df = _frame(body, index)
    rows, totals, cls = _validate(df, problems, classification, decimal_comma, is_xlsx, raw)
    if problems.items:
        return _fail(filename, problems, n_lines)
    names = pd.concat([rows[["region_id", "region_name"]], totals[["region_id", "region_name"]]])
    names = names[names["region_name"] != ""].drop_duplicates()
    clash = names[names.duplicated("region_id", keep=False)]["region_id"].unique()
    for rid in clash[:5]:
        warnings.append(f"region {rid} has more than one name; the first one is used")
    return UploadResult(filename, cls, rows.reset_index(drop=True), totals.reset_index(drop=True),
                        warnings=warnings, n_lines=n_lines)


def _frame(body, index) -> pd.DataFrame:
    cols = {c: index.get(c) for c in COLUMNS}
    lines = [n for n, _ in body]
    data = {"line": lines}
    for c, i in cols.items():
        data[c] = [cells[i] if i is not None and i < len(cells) else None for _, cells in body]
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    df["raw_code"] = df["industry_code"]  # as stored: a float code cell is refused (it loses zeros)
    for c in COLUMNS:
        df[c] = df[c].map(_cell_text)
    return df


def _numbers(values: pd.Series, decimal_comma: bool) -> pd.Series:
    v = values.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    if decimal_comma:  # 1.234,5 or 1234,5 (a semicolon file from a comma-decimal locale)
        has_comma = v.str.contains(",", regex=False)
        v = v.where(~has_comma, v.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    num = pd.to_numeric(v.where(v != ""), errors="coerce").astype(float)
    return num.where(np.isfinite(num))


def _validate(df: pd.DataFrame, problems: _Problems, classification, decimal_comma: bool, is_xlsx: bool, raw):
    def bad(mask, text):
        for line, row in zip(df.loc[mask, "line"], df.loc[mask].itertuples(index=False)):
            problems.add(int(line), text(row))

    bad(df["region_id"] == "", lambda r: "region_id is empty")
    bad(df["industry_code"] == "", lambda r: "industry_code is empty")
    float_code = df["raw_code"].map(lambda v: isinstance(v, float) and not v.is_integer())
    bad(float_code, lambda r: f"industry_code {r.industry_code} is stored as a number, which loses zeros "
                              "(10.10 becomes 10.1): format the column as text")
    # a whole-number cell loses a leading zero (NACE 01 → 1): two digits again
    short = df["raw_code"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 10)
    df.loc[short, "industry_code"] = df.loc[short, "industry_code"].str.zfill(2)
    year = pd.to_numeric(df["year"], errors="coerce")
    year_ok = year.notna() & (year % 1 == 0) & year.between(*YEARS)
    bad(~year_ok, lambda r: f"year {r.year!r} is not a year (a whole number such as 2014)" if r.year
        else "year is empty")
    df["year_num"] = year.where(year_ok)
    for col in NUMERIC:
        num = _numbers(df[col], decimal_comma)
        given = df[col] != ""
        bad(given & num.isna(), lambda r, col=col: f"{col} {getattr(r, col)!r} is not a number")
        bad(num < 0, lambda r, col=col: f"{col} {getattr(r, col)} is negative")
        df[col + "_num"] = num
    is_total = df["industry_code"].str.upper().eq(TOTAL)
    bad(is_total & df["employment_num"].isna() & (df["employment"] == ""),
        lambda r: "a TOTAL row needs its employment")
    cls, codes = _classification(df.loc[~is_total & (df["industry_code"] != "") & ~float_code], problems,
                                 classification, raw)
    df["code"] = codes.reindex(df.index).fillna("")
    rows = df[~is_total].copy()
    totals = df[is_total].copy()
    keep = rows["code"] != ""
    _duplicates(rows[keep & rows["year_num"].notna()], ["region_id", "code", "year_num"], problems,
                lambda r: f"region {r.region_id}, industry {r.code}, year {int(r.year_num)}")
    _duplicates(totals[totals["year_num"].notna()], ["region_id", "year_num"], problems,
                lambda r: f"the TOTAL of region {r.region_id} in {int(r.year_num)}")
    if cls:
        _overlaps(rows[keep & rows["year_num"].notna()], cls, problems)
    _totals_cover_rows(rows, totals[totals["year_num"].notna()], problems)
    out = pd.DataFrame({
        "line": rows["line"].astype(int), "region_id": rows["region_id"], "region_name": rows["region_name"],
        "industry_code": rows["industry_code"], "code": rows["code"], "year": rows["year_num"].astype("Int64"),
        "employment": rows["employment_num"], "establishments": rows["establishments_num"],
        "payroll": rows["payroll_num"],
    }) if not problems.items else rows
    tot = pd.DataFrame({
        "line": totals["line"].astype(int), "region_id": totals["region_id"], "region_name": totals["region_name"],
        "year": totals["year_num"].astype("Int64"), "total": totals["employment_num"],
    }) if not problems.items else totals
    if not problems.items:
        out["year"] = out["year"].astype(int)
        tot["year"] = tot["year"].astype(int)
    return out, tot, cls


def _classification(rows: pd.DataFrame, problems: _Problems, forced, raw) -> tuple[str | None, pd.Series]:
    """The file's one classification and the normalised code of every row (indexed like ``rows``;
    "" where it does not read), with a line-numbered problem for every row that does not read in it."""
    if forced not in (None, C.NACE, C.NAICS):
        raise ValueError(f"classification {forced!r}: choose nace or naics")
    info = C.classify(rows["industry_code"].unique(), raw)
    nace = rows["industry_code"].map(lambda c: info[c][0] is not None).astype(bool)
    naics = rows["industry_code"].map(lambda c: info[c][1] is not None).astype(bool)
    for line, code in zip(rows.loc[~nace & ~naics, "line"], rows.loc[~nace & ~naics, "industry_code"]):
        problems.add(int(line), f"unknown industry code {code!r}: {info[code][2]}")
    only_nace, only_naics = int((nace & ~naics).sum()), int((naics & ~nace).sum())
    cls = forced or (C.NACE if only_nace and only_nace >= only_naics else C.NAICS if only_naics else None)
    if cls is None:
        if (nace & naics).any():
            problems.add(0, "the industry codes read both as NACE Rev. 2 and as NAICS: write NACE codes with "
                            "dots or the section letter (10.11, C10) or give 6-digit NAICS codes")
        return None, pd.Series("", index=rows.index)
    fits = nace if cls == C.NACE else naics
    other = C.LABELS[C.NAICS if cls == C.NACE else C.NACE]
    wrong = ~fits & (nace | naics)
    for line, code in zip(rows.loc[wrong, "line"], rows.loc[wrong, "industry_code"]):
        problems.add(int(line), f"industry code {code!r} is not {C.LABELS[cls]} but {other}; the other codes of "
                                f"the file are {C.LABELS[cls]} (mixed classifications: one per file)")
    pos = 0 if cls == C.NACE else 1
    return cls, rows["industry_code"].map(lambda c: info[c][pos] or "")


def _duplicates(df: pd.DataFrame, key: list[str], problems: _Problems, what) -> None:
    first = df.drop_duplicates(key).set_index(key)["line"]
    dup = df[df.duplicated(key, keep="first")]
    for r in dup.itertuples(index=False):
        k = tuple(getattr(r, c) for c in key)
        problems.add(int(r.line), f"duplicate of line {int(first.loc[k])} ({what(r)})")


def _ancestors(code: str, cls: str) -> list[str]:
    if cls == C.NACE:  # 10.11 → 10.1, 10
        return [code[:n] for n in (2, 4) if len(code) > n]
    return [code[:n] for n in range(2, len(code))]


def _overlaps(rows: pd.DataFrame, cls: str, problems: _Problems) -> None:
    """A code and a part of it in the same region and year would count the same jobs twice."""
    have = {(r, c, y): int(n) for r, c, y, n in zip(rows["region_id"], rows["code"], rows["year_num"], rows["line"])}
    for (region, code, year), line in have.items():
        for a in _ancestors(code, cls):
            if (region, a, year) in have:
                problems.add(line, f"industry {code} is part of {a} (line {have[(region, a, year)]}) in region "
                                   f"{region}, {int(year)}: give the parts or the whole, not both (the same jobs "
                                   "would count twice)")
                break


def _totals_cover_rows(rows: pd.DataFrame, totals: pd.DataFrame, problems: _Problems) -> None:
    if totals.empty:
        return
    sums = rows.groupby(["region_id", "year_num"])["employment_num"].sum(min_count=1)
    for r in totals.itertuples(index=False):
        s = sums.get((r.region_id, r.year_num))
        if s is not None and pd.notna(s) and pd.notna(r.employment_num) and r.employment_num < s * (1 - 1e-9):
            problems.add(int(r.line), f"TOTAL {r.employment_num:,.10g} of region {r.region_id} in {int(r.year_num)} "
                                      f"is smaller than the sum of its rows ({s:,.10g})")


def preview(result: UploadResult, n: int = 20) -> dict:
    """What the UI shows before the user accepts: ``rows`` (the first ``n`` data rows, as read),
    ``summary`` (lines: classification, rows, regions, years, code levels, TOTAL rows) and
    ``warnings``; for a refused file ``rows`` is empty and ``summary`` holds the problems."""
    if not result.ok:
        return {"ok": False, "rows": pd.DataFrame(columns=["line", *COLUMNS]), "summary": [result.message()],
                "warnings": result.warnings}
    r, t = result.rows, result.totals
    shown = r[["line", "region_id", "region_name", "industry_code", "code", "year", "employment", "establishments",
               "payroll"]].head(n)
    years = sorted(set(r["year"]) | set(t["year"]))
    if result.classification == C.NACE:
        levels = r["code"].str.len().map({2: "divisions", 4: "groups", 5: "classes"}).value_counts()
    else:
        levels = r["code"].str.len().map(lambda k: f"{k}-digit").value_counts()
    summary = [
        f"{len(r):,} data rows in {result.classification_label}"
        + (f" ({', '.join(f'{v:,} {k}' for k, v in levels.items())})" if len(levels) else ""),
        f"{r['region_id'].nunique():,} regions; years {', '.join(map(str, years))}",
        f"{len(t):,} TOTAL rows" if len(t) else "no TOTAL rows: a region's total is the sum of its rows",
        f"{int(r['employment'].isna().sum()):,} rows with employment left empty (missing, not zero)",
    ]
    return {"ok": True, "rows": shown.reset_index(drop=True), "summary": summary, "warnings": result.warnings}


TEMPLATE_ROWS = [
    ("DE11", "Stuttgart", "C29.10", 2014, 120000, 150, 7800000000),
    ("DE11", "Stuttgart", "C28", 2014, 90000, 1400, ""),
    ("DE11", "Stuttgart", TOTAL, 2014, 1500000, "", ""),
]


def template_csv() -> bytes:
    """A template file: the header and three example rows (UTF-8, comma)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(TEMPLATE_ROWS)
    return buf.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The same template as an XLSX workbook (sheet ``data``, industry_code as text)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(COLUMNS))
    for row in TEMPLATE_ROWS:
        ws.append([None if v == "" else v for v in row])
    for cell in ws["C"]:
        cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
