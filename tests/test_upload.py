"""Self-service upload (analytics.upload): reading and validating a file all-or-nothing, and its
analysis by the build's own engine — hand-worked LQs, focus and stars on a 3-region file, a file equal
to a built-in slice giving the built-in metrics, every refused file giving its line-numbered message,
XLSX = CSV, roll-up to divisions, the caps, and the CLI (``metrics --input``)."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest

from analytics import cli
from analytics.upload import build_store, preview, read_upload, template_csv, template_xlsx
from analytics.upload import reader as R

FIX = Path(__file__).parent / "fixtures" / "upload"
HAND = FIX / "handworked.csv"
HEADER = "region_id,region_name,industry_code,year,employment\n"


def main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cell(table: pd.DataFrame, region: str, category: str, col: str):
    row = table[(table["region_id"] == region) & (table["category_id"] == category)]
    assert len(row) == 1, (region, category)
    return row[col].iloc[0]


def to_xlsx(csv_path: Path, dest: Path) -> Path:
    """The same rows in a workbook: codes and ids as text, numbers as numbers, as a user saves one."""
    import openpyxl

    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([(float(v) if "." in v else int(v)) if c in ("year", "employment", "establishments", "payroll")
                   and v else (v or None) for c, v in zip(df.columns, row)])
    wb.save(dest)
    return dest


# ---------------------------------------------------------------------------- the hand-worked file
#
# handworked.csv, employment (NACE; codes finer than a division roll up: R1's 29.10 + C29.32 = 400;
# R2's 01.11 is agriculture, in no category, but part of R2's total; R3 has a TOTAL row of 2,000):
#
#            C29 auto  C21 pharma  J62 business  I55 hospitality  G47 retail (local) | E(r)
#   R1         400        100          200            100             200           | 1,000 (sum of rows)
#   R2         100        300          100            100             200  (+200 A01)| 1,000 (sum of rows)
#   R3         100        100          500            300             500           | 2,000 (TOTAL row)
#   E(c)       600        500          800            500             900           | E = 4,000
#   E(c)/E     0.15       0.125        0.2            0.125           0.225
#
# focus = E(r,c)/E(r); LQ = focus / (E(c)/E):
#   R1 auto 400/1000 = 0.4 → 0.4/0.15 = 2.6667; R1 pharma 0.1 → 0.8; R1 business 0.2 → 1.0;
#   R2 pharma 300/1000 = 0.3 → 0.3/0.125 = 2.4; R2 auto 0.1 → 0.6667; R2 retail 0.2 → 0.2/0.225 = 0.8889;
#   R3 business 500/2000 = 0.25 → 0.25/0.2 = 1.25; R3 auto 0.05 → 0.3333; R3 hospitality 0.15 → 1.2.
# LQ over traded employment (US convention): traded E(r) R1 = 800, R3 = 1,000, traded E = 2,400:
#   R1 auto (400/800)/(600/2400) = 2.0; R3 business (500/1000)/(800/2400) = 1.5.
# ECO 2008 stars (traded only):
#   size = top 10 % of the category: auto (100, 100, 400) 90th pct = 100 + 0.8·300 = 340 → R1;
#     pharma (100, 100, 300) → 260 → R2; business (100, 200, 500) → 440 → R3; hospitality → 260 → R3.
#   specialisation LQ ≥ 2: R1 auto, R2 pharma.
#   focus = top 10 % of the 12 traded cells (0.05 0.05 0.1 0.1 0.1 0.1 0.1 0.15 0.2 0.25 0.3 0.4):
#     90th pct at 9.9 → 0.25 + 0.9·0.05 = 0.295 → R1 auto (0.4), R2 pharma (0.3).
#   → R1 auto 3 stars, R2 pharma 3, R3 business 1, R3 hospitality 1, the rest 0; retail (local) unrated.
HAND_LQ = {("R1", "automotive"): 0.4 / 0.15, ("R1", "biopharmaceuticals"): 0.8, ("R1", "business_services"): 1.0,
           ("R2", "biopharmaceuticals"): 2.4, ("R2", "automotive"): 0.1 / 0.15,
           ("R2", "local_retailing_of_clothing_and_general_merchandise"): 0.2 / 0.225,
           ("R3", "business_services"): 1.25, ("R3", "automotive"): 0.05 / 0.15, ("R3", "hospitality_and_tourism"): 1.2}
HAND_FOCUS = {("R1", "automotive"): 0.4, ("R2", "biopharmaceuticals"): 0.3, ("R3", "business_services"): 0.25,
              ("R3", "automotive"): 0.05, ("R2", "local_retailing_of_clothing_and_general_merchandise"): 0.2}
HAND_STARS = {("R1", "automotive"): 3, ("R2", "biopharmaceuticals"): 3, ("R3", "business_services"): 1,
              ("R3", "hospitality_and_tourism"): 1, ("R1", "business_services"): 0, ("R2", "automotive"): 0}


@pytest.fixture(scope="module")
def hand():
    result = read_upload(HAND)
    assert result.ok, result.message()
    return build_store(result, "self")


def test_handworked_lq_focus_and_stars(hand):
    t = hand.table(hand.level, 2014)
    assert len(t) == 15  # 3 regions × 5 categories; agriculture is in none
    for (r, c), lq in HAND_LQ.items():
        assert cell(t, r, c, "lq") == pytest.approx(lq, rel=1e-9), (r, c)
    for (r, c), f in HAND_FOCUS.items():
        assert cell(t, r, c, "focus") == pytest.approx(f, rel=1e-9), (r, c)
    for (r, c), s in HAND_STARS.items():
        assert cell(t, r, c, "stars") == s, (r, c)
    assert pd.isna(cell(t, "R1", "local_retailing_of_clothing_and_general_merchandise", "stars"))
    assert cell(t, "R1", "automotive", "employment") == 400  # 29.10 + C29.32 rolled up to C29
    assert cell(t, "R1", "automotive", "units") == 8
    assert cell(t, "R1", "automotive", "avg_wage") == pytest.approx(11_000_000 / 400)
    assert cell(t, "R1", "automotive", "size_share") == pytest.approx(400 / 600)
    traded = hand.table(hand.level, 2014, denominator="traded")
    assert cell(traded, "R1", "automotive", "lq") == pytest.approx(2.0)
    assert cell(traded, "R3", "business_services", "lq") == pytest.approx(1.5)


def test_unmapped_codes_are_listed_and_counted_in_the_total(hand):
    assert list(hand.unmapped["code"]) == ["01.11"]
    assert int(hand.unmapped["first_line"].iloc[0]) == 13
    assert any("01.11" in n and "no category" in n for n in hand.notes)
    ind = hand.indicators.set_index("region_id")
    assert ind.loc["R2", "total_employment"] == 1000  # 800 in categories + 200 agriculture
    assert ind.loc["R3", "total_employment"] == 2000  # the TOTAL row


def test_cli_prints_the_builtin_columns_and_the_same_numbers(hand):
    code, out, err = main("metrics", "--input", str(HAND), "--year", "2014")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    _, builtin, _ = main("metrics", "--dataset", "eu", "--year", "2014")
    assert list(got.columns) == list(pd.read_csv(io.StringIO(builtin), nrows=1).columns)
    for (r, c), lq in HAND_LQ.items():
        assert cell(got, r, c, "lq") == pytest.approx(lq, rel=1e-9)
    for (r, c), s in HAND_STARS.items():
        assert cell(got, r, c, "stars") == s
    assert "01.11" in err  # the unmapped code is said


def test_semicolon_and_decimal_comma_read_the_same():
    a = read_upload(HAND)
    b = read_upload(FIX / "handworked_semicolon.csv")
    assert b.ok, b.message()
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.totals, b.totals)


def test_xlsx_and_csv_give_identical_results(tmp_path):
    csv_store = build_store(read_upload(HAND), "self")
    x = read_upload(to_xlsx(HAND, tmp_path / "hand.xlsx"))
    assert x.ok, x.message()
    xlsx_store = build_store(x, "self")
    pd.testing.assert_frame_equal(csv_store.table(csv_store.level, 2014), xlsx_store.table(xlsx_store.level, 2014))
    code, out_x, _ = main("metrics", "--input", str(tmp_path / "hand.xlsx"), "--year", "2014")
    _, out_c, _ = main("metrics", "--input", str(HAND), "--year", "2014")
    assert code == 0 and out_x == out_c


def test_nace_classes_and_groups_roll_up_to_the_division():
    body = ("R1,,C10.11,2014,10\nR1,,10.12,2014,5\nR1,,1013,2014,1\nR1,,10.2,2014,4\nR1,,101,2014,0\n"
            "R1,,C29,2014,20\nR2,,10,2014,7\nR2,,C29,2014,3\n")
    res = read_upload((HEADER + body).encode(), "roll.csv")
    assert not res.ok and "part of" in res.message()  # 10.11 inside 10.1 (101): the same jobs twice
    body = body.replace("R1,,101,2014,0\n", "")
    res = read_upload((HEADER + body).encode(), "roll.csv")
    assert res.ok, res.message()
    t = build_store(res, "self").table("upload", 2014)
    assert cell(t, "R1", "food_processing_and_manufacturing", "employment") == 20  # 10 + 5 + 1 + 4
    assert cell(t, "R2", "food_processing_and_manufacturing", "employment") == 7


def test_naics_codes_map_through_the_us_definitions():
    res = read_upload(FIX / "naics_small.csv")
    assert res.ok and res.classification == "naics", res.message()
    s = build_store(res, "self")
    t = s.table(s.level, 2019)
    assert cell(t, "S1", "automotive", "employment") == 500
    assert cell(t, "S1", "business_services", "employment") == 400  # 4-digit 5415: all in one cluster
    assert list(s.unmapped["code"]) == ["31"] and "spans" in s.unmapped["reason"].iloc[0]
    # self benchmark, LQ over traded employment (the US convention): traded E(S1) = 1,000, E(S2) = 500;
    # automotive E(c) = 600 of traded E = 1,500 → S1 (500/1000)/(600/1500) = 1.25
    assert cell(t, "S1", "automotive", "lq") == pytest.approx(1.25)
    assert cell(t, "S1", "automotive", "focus") == pytest.approx(500 / 2000)  # TOTAL row


def test_a_benchmark_of_the_other_classification_is_refused():
    code, out, err = main("metrics", "--input", str(FIX / "naics_small.csv"), "--year", "2019", "--benchmark", "eu")
    assert code == 2 and out == "" and "NAICS file" in err and "Traceback" not in err


# ---------------------------------------------------------------------------- identical to the build


@pytest.fixture(scope="module")
def eu_store():
    from analytics.serving.store import get_store

    return get_store("eu")


def test_a_file_equal_to_a_builtin_slice_gives_the_builtin_metrics(eu_store, tmp_path):
    """Europe 2014, NUTS 2, written from the build's facts (divisions as the build keys them, C10),
    against the Europe benchmark: the same metrics and stars as the built-in data."""
    f = eu_store.facts("nuts2")
    f = f[f["year"] == 2014]
    bad_payroll = f["payroll"] < 0  # the source has one negative wage bill (NO06 B06 2014): a file refuses it
    rows = pd.DataFrame({"region_id": f["region_id"], "industry_code": f["industry"].astype(str), "year": 2014,
                         "employment": f["employment"], "establishments": f["units"],
                         "payroll": f["payroll"].where(~bad_payroll)})
    path = tmp_path / "eu2014.csv"
    rows.to_csv(path, index=False, float_format="%.17g")
    code, out, err = main("metrics", "--input", str(path), "--year", "2014", "--benchmark", "eu")
    assert code == 0, err
    _, ref, _ = main("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014")
    got, want = pd.read_csv(io.StringIO(out)), pd.read_csv(io.StringIO(ref))
    assert list(got.columns) == list(want.columns) and len(got) == len(want) > 10_000
    key = ["region_id", "category_id"]
    got, want = got.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True)
    odd = set(zip(f.loc[bad_payroll, "region_id"], eu_store.industries.set_index("industry")["category_id"]
                  .reindex(f.loc[bad_payroll, "industry"].astype(str))))
    wage_differs = pd.Series([k in odd for k in zip(got["region_id"], got["category_id"])])
    assert wage_differs.sum() == len(odd) == 1
    for col in got.columns:
        if col == "employment_imputed":  # a flag of the build's imputation, not a column of the file
            continue
        a, b = got[col], want[col]
        if col in ("avg_wage", "rel_wage"):
            a, b = a[~wage_differs], b[~wage_differs]
        pd.testing.assert_series_equal(a, b, check_names=False, obj=col)
    assert got["stars"].sum() == want["stars"].sum() > 0


def test_nearest_benchmark_year_is_used_and_stated(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text(HEADER + "DE11,,C29,2019,1000\nDE11,,C10,2019,500\nDE12,,C29,2019,100\nDE12,,C10,2019,900\n")
    code, out, err = main("metrics", "--input", str(path), "--year", "2019", "--benchmark", "eu")
    assert code == 0, err
    assert "nearest year with data to 2019" in err and "2015" in err
    t = pd.read_csv(io.StringIO(out))
    assert set(t["level"]) == {"nuts2"}  # NUTS 2 ids: the built-in level (map, peers)
    assert cell(t, "DE11", "automotive", "region_name") == "Stuttgart"


# ---------------------------------------------------------------------------- refused files

BAD = {
    "negative": (HEADER + "R1,,C10,2014,5\nR1,,C11,2014,-3\n", ["line 3: employment -3 is negative"]),
    "non_numeric": (HEADER + "R1,,C10,2014,12a\n", ["line 2: employment '12a' is not a number"]),
    "nan_text": (HEADER + "R1,,C10,2014,nan\n", ["line 2: employment 'nan' is not a number"]),
    "bad_year": (HEADER + "R1,,C10,20x4,5\n", ["line 2: year '20x4' is not a year"]),
    "unknown_code": (HEADER + "R1,,C10,2014,5\nR1,,10.99,2014,5\nR1,,C10_C11,2014,1\n",
                     ["line 3: unknown industry code '10.99'", "line 4: unknown industry code 'C10_C11'"]),
    "wrong_section": (HEADER + "R1,,B10,2014,5\n", ["line 2: unknown industry code 'B10': division 10 is in section C"]),
    "mixed": (HEADER + "R1,,C10,2014,5\nR1,,C29.1,2014,5\nR1,,336111,2014,5\n",
              ["line 4: industry code '336111' is not NACE Rev. 2 but NAICS"]),
    "duplicate": (HEADER + "R1,,C10,2014,5\nR2,,C10,2014,5\nR1,,10,2014,6\n",
                  ["line 4: duplicate of line 2 (region R1, industry 10, year 2014)"]),
    "duplicate_total": (HEADER + "R1,,TOTAL,2014,5\nR1,,total,2014,6\n",
                        ["line 3: duplicate of line 2 (the TOTAL of region R1 in 2014)"]),
    "overlap": (HEADER + "R1,,C10,2014,5\nR1,,10.1,2014,2\n", ["line 3: industry 10.1 is part of 10 (line 2)"]),
    "total_too_small": (HEADER + "R1,,C10,2014,50\nR1,,C29,2014,60\nR1,,TOTAL,2014,100\n",
                        ["line 4: TOTAL 100 of region R1 in 2014 is smaller than the sum of its rows (110)"]),
    "missing_columns": ("region_id,industry_code,employment\nR1,C10,5\n", ["missing column year"]),
    "empty": ("", ["the file is empty"]),
    "header_only": (HEADER, ["the file has a header but no data rows"]),
    "empty_region": (HEADER + ",,C10,2014,5\n", ["line 2: region_id is empty"]),
    "blank_lines_count": (HEADER + "R1,,C10,2014,5\n\n\nR1,,C11,2014,x\n", ["line 5: employment 'x' is not a number"]),
    "latin1": (None, ["the file is not UTF-8 text"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_bad_file_gives_its_line_numbered_message_and_nothing(case, tmp_path):
    text, expected = BAD[case]
    data = ("region_id,industry_code,year,employment\nR1,Bäckerei,2014,5\n".encode("latin-1")
            if text is None else text.encode())
    res = read_upload(data, f"{case}.csv")
    assert not res.ok and res.rows is None and res.frame is None and res.totals is None
    msg = res.message()
    for e in expected:
        assert e in msg, (case, msg)
    assert "nothing imported" in msg
    p = preview(res)
    assert p["ok"] is False and p["rows"].empty
    path = tmp_path / f"{case}.csv"
    path.write_bytes(data)
    code, out, err = main("metrics", "--input", str(path), "--year", "2014")
    assert code == 2 and out == "" and expected[0] in err and "Traceback" not in err


def test_the_error_list_is_capped():
    body = "".join(f"R{i},,C10,2014,-{i + 1}\n" for i in range(80))
    res = read_upload((HEADER + body).encode(), "many.csv")
    assert res.error_count == 80 and len(res.errors) == R.MAX_ERRORS + 1
    assert res.errors[-1] == "… and 30 more problems" and res.errors[0].startswith("line 2:")


def test_xlsx_errors_carry_the_sheet_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    rows = {1: ["region_id", "industry_code", "year", "employment"], 2: ["R1", "C10", 2014, 5],
            4: ["R1", "C11", 2014, -1],  # row 3 left blank: the numbers stay the sheet's
            5: ["R2", 10.1, 2014, 3]}  # a code typed as a number: 10.10 would read 10.1
    for r, values in rows.items():
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    wb.save(tmp_path / "bad.xlsx")
    res = read_upload(tmp_path / "bad.xlsx")
    assert res.errors == ["line 4: employment -1 is negative",
                          "line 5: industry_code 10.1 is stored as a number, which loses zeros (10.10 becomes 10.1): "
                          "format the column as text"]


def test_size_cap_refuses_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "MAX_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "R1,,C10,2014,5\n" * 10)
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")
    res = read_upload(path)
    assert not res.ok and "the limit is 100 bytes" in res.message()
    assert read == []  # refused on its size, never read


def test_row_cap_on_a_file_just_over_it():
    data = (HEADER + "R1,,C10,2014,5\n" * (R.MAX_ROWS + 1)).encode()
    assert len(data) < R.MAX_BYTES
    res = read_upload(data, "long.csv")
    assert not res.ok and f"more than {R.MAX_ROWS:,} data rows" in res.message()


def test_row_cap_counts_records_not_lines(monkeypatch, tmp_path):
    monkeypatch.setattr(R, "MAX_ROWS", 3)
    ok = HEADER + "R1,,C10,2014,5\nR1,,C11,2014,5\n\n\nR1,,C12,2014,5\n"
    assert read_upload(ok.encode(), "ok.csv").ok
    res = read_upload((ok + "R1,,C13,2014,5\n").encode(), "long.csv")
    assert not res.ok and "more than 3 data rows" in res.message()
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(6):
        wb.active.append(["region_id", "industry_code", "year", "employment"] if i == 0 else ["R1", f"C1{i}", 2014, 1])
    wb.save(tmp_path / "long.xlsx")
    assert "more than 3 data rows" in read_upload(tmp_path / "long.xlsx").message()


# ---------------------------------------------------------------------------- preview and template


def test_preview_shows_the_first_rows_and_a_summary():
    p = preview(read_upload(HAND), n=5)
    assert p["ok"] and len(p["rows"]) == 5 and list(p["rows"]["line"]) == [2, 3, 4, 5, 6]
    text = " ".join(p["summary"])
    assert "17 data rows in NACE Rev. 2" in text and "3 regions" in text and "1 TOTAL rows" in text


def test_the_templates_read_cleanly(tmp_path):
    for name, data in (("t.csv", template_csv()), ("t.xlsx", template_xlsx())):
        res = read_upload(data, name)
        assert res.ok and res.classification == "nace", res.message()
        assert list(res.rows["code"]) == ["29.10", "28"] and len(res.totals) == 1


def test_growth_between_two_years_of_a_file():
    rows = HEADER + "R1,,C10,2010,100\nR1,,C29,2010,50\nR2,,C10,2010,100\nR2,,C29,2010,50\n" \
                    "R1,,C10,2014,121\nR1,,C29,2014,50\nR2,,C10,2014,100\nR2,,C29,2014,80\n"
    s = build_store(read_upload(rows.encode(), "g.csv"), "self")
    t = s.table(s.level, 2014, start_year=2010)
    # CAGR over 4 years: (121/100)^(1/4) − 1 = 4.8809 %; national growth of food (221/200 − 1) = 10.5 %
    assert cell(t, "R1", "food_processing_and_manufacturing", "cagr") == pytest.approx(1.21 ** 0.25 - 1)
    assert cell(t, "R1", "food_processing_and_manufacturing", "expected_change") == pytest.approx(10.5)
    assert s.window_note(2010, 2014) is None  # NACE Rev. 2 throughout: no break
