"""Tables (dash-ag-grid) with sorting and filtering, and CSV exports that carry their source.

:func:`grid` makes a sortable, filterable, paginated grid; :func:`col` describes a column by
kind (text, link, int, num, pct, signed_pct, rank, stars) so numbers get thousands separators and
"–" for missing values in every table alike. CSV downloads are made on the server
(:func:`send_credit_csv`): ``# Source: …`` lines on top, then the unformatted numbers.
"""
from __future__ import annotations

import re

import dash_ag_grid as dag
import pandas as pd
from dash import dcc

from analytics.serving.formats import csv_safe

# d3 formats written to read as analytics.serving.formats does ("1,234", "21.9 %", "+2.1 %")
_FORMATS = {
    "int": "d3.format(',.0f')(params.value)", "num": "d3.format(',.2f')(params.value)",
    "num1": "d3.format(',.1f')(params.value)", "num3": "d3.format(',.3f')(params.value)",
    "pct": "d3.format(',.1f')(params.value * 100) + ' %'", "pct2": "d3.format(',.2f')(params.value * 100) + ' %'",
    "signed_pct": "d3.format('+,.1f')(params.value * 100) + ' %'",
}


def col(field: str, header: str, kind: str = "text", width: int | None = None, n: int | None = None,
        **extra) -> dict:
    """A column definition. ``kind``: text, link (a markdown link), int, num, num1, num3, pct, pct2,
    signed_pct, rank (shown as 'k of n' with ``n``), stars."""
    c = {"field": field, "headerName": header, "sortable": True, "resizable": True, "wrapHeaderText": True,
         "autoHeaderHeight": True}
    if kind in _FORMATS:
        c.update(type="rightAligned", filter="agNumberColumnFilter",
                 valueFormatter={"function": f"params.value == null ? '–' : {_FORMATS[kind]}"})
    elif kind == "rank":
        suffix = f" of {n:,}" if n else ""
        c.update(type="rightAligned", filter="agNumberColumnFilter",
                 valueFormatter={"function": f"params.value == null ? '–' : d3.format(',d')(params.value) + '{suffix}'"})
    elif kind == "link":
        c.update(cellRenderer="markdown", filter="agTextColumnFilter")  # links open in the same tab
    elif kind == "stars":
        c.update(filter="agTextColumnFilter", cellClass="stars-cell")
    else:
        c.update(filter="agTextColumnFilter", wrapText=True, autoHeight=True)
    if width:
        c["minWidth"] = width
    c.update(extra)
    return c


def grid(id_: str, rows: list[dict] | None = None, columns: list[dict] | None = None, page_size: int = 15,
         pagination: bool = True, height: str | None = None, **kwargs) -> dag.AgGrid:
    """A sortable, filterable grid; short tables size to their rows, long ones page."""
    options = {"animateRows": False, "pagination": pagination, "paginationPageSize": page_size,
               "paginationPageSizeSelector": False, "suppressCellFocus": True, "enableCellTextSelection": True,
               "ensureDomOrder": True, "domLayout": "autoHeight" if height is None else "normal",
               "tooltipShowDelay": 300}
    options.update(kwargs.pop("dashGridOptions", {}))
    return dag.AgGrid(id=id_, rowData=rows or [], columnDefs=columns or [],
                      defaultColDef={"flex": 1, "minWidth": 90, "sortable": True, "filter": True},
                      columnSize="responsiveSizeToFit", dashGridOptions=options,
                      style={"height": height} if height else {}, className="ag-theme-quartz obs-grid", **kwargs)


def records(df: pd.DataFrame) -> list[dict]:
    """Grid rows with NaN/NA as None (shown as '–')."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


def md_link(text, href: str | None) -> str:
    """A markdown link for a ``link`` column (the text escaped); plain (escaped) text without ``href``."""
    t = str(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    if href is None:
        return re.sub(r"([*_`<>#])", r"\\\1", t)
    return f"[{t}]({href})"


def credit_csv(df: pd.DataFrame, credit_lines: list[str]) -> str:
    """CSV text whose first lines are ``# …`` comments (source, settings), then the table.

    ``pandas.read_csv(path, comment="#")`` reads it back; spreadsheets show the credit on top.
    Text cells that a spreadsheet would run as formulas are neutralised (:func:`csv_safe`).
    """
    head = "".join("# " + line.replace("\n", " ").strip() + "\n" for line in credit_lines if line)
    return head + csv_safe(df).to_csv(index=False, lineterminator="\n")


def send_credit_csv(df: pd.DataFrame, filename: str, credit_lines: list[str]) -> dict:
    """A ``dcc.Download`` payload of :func:`credit_csv`."""
    return dcc.send_string(credit_csv(df, credit_lines), filename, type="text/csv")
