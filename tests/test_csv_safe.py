"""CSV exports never carry a cell a spreadsheet would run as a formula."""
from __future__ import annotations

import io

import pandas as pd

from analytics.serving.formats import csv_safe
from components.tables import credit_csv


def test_formula_cells_are_neutralised_numbers_are_not():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+49 cluster", "-Cluster", "@SUM(A1)", "\tTab", "\rCR",
                                "Plain", None],
                       "growth": [-0.5, 0.1, -2.0, 0.0, 1.0, 2.0, 3.0, float("nan")]})
    out = csv_safe(df)
    assert out["name"].tolist()[:7] == ["'=HYPERLINK(\"http://x\")", "'+49 cluster", "'-Cluster", "'@SUM(A1)", "'\tTab",
                                        "'\rCR", "Plain"]
    assert pd.isna(out["name"].iloc[7])  # a missing name stays missing
    assert out["growth"].iloc[0] == -0.5  # numbers stay numbers
    assert df["name"].iloc[0].startswith("=")  # the caller's frame is untouched


def test_download_csv_reads_back_with_the_text_shown():
    text = credit_csv(pd.DataFrame({"name": ["=1+1", "ok"], "n": [-1, 2]}), ["Source: test"])
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert back["name"].tolist() == ["'=1+1", "ok"] and back["n"].tolist() == [-1, 2]


def test_cli_tables_neutralise_formula_names(built):
    import contextlib

    from analytics import cli

    for command in ("metrics", "regions"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli.main([command, "--dataset", "eu", "--level", "nuts2", "--year", "2014",
                             "--region", "@Oresund=DK01+DK02+SE22"]) == 0
        df = pd.read_csv(io.StringIO(out.getvalue()))
        names = set(df.loc[df["region_id"] == "custom:oresund", "region_name"])
        assert names == {"'@Oresund"}, (command, names)
        assert not df.select_dtypes(include=["object", "string"]).apply(lambda s: s.str.match(r"^[=+\-@\t\r]", na=False)).any().any()
