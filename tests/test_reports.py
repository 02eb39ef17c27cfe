"""The printable reports (web/reports.py): the region and category PDFs and print views say what the
pages say, with their sources; bad addresses get a clear 404/400; user-given names stay text.

Expected values are computed here from the store (``Store.table``, ``indicators``, ``facts``), not
taken from the report code. Page 1 (and 2) of the DE11 report, Michigan's and a custom category's
are saved as PNG under screenshots/ to be looked at.
"""
from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pypdfium2 as pdfium
import pytest

from analytics.serving.store import get_store

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "screenshots"
KIBS = "Knowledge-intensive business services=nace:62,63,69,70,71,72,73,74"


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def pdf_pages(body: bytes) -> list[str]:
    doc = pdfium.PdfDocument(body)
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


def save_pages(body: bytes, name: str, pages=(0,)) -> list[Path]:
    SHOTS.mkdir(exist_ok=True)
    doc = pdfium.PdfDocument(body)
    out = []
    try:
        for i in pages:
            if i >= len(doc):
                continue
            image = doc[i].render(scale=150 / 72).to_pil().convert("RGB")
            path = SHOTS / f"{name}_p{i + 1}.png"
            image.save(path)
            out.append(path)
            # a page with content, not a blank render: a good share of the pixels is not white
            grey = image.convert("L")
            dark = sum(grey.histogram()[:200])
            assert dark > 0.01 * grey.width * grey.height, f"page {i + 1} of {name} looks blank"
    finally:
        doc.close()
    return out


def latest_year(dataset: str, region_id: str) -> int:
    ind = get_store(dataset).indicators
    r = ind[(ind["region_id"] == region_id) & (ind["total_employment"] > 0)]
    return int(r["year"].max())


def get_pdf(client, url: str):
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/pdf"
    return r.data


# ---------------------------------------------------------------------------- region


def test_de11_report_names_stuttgart_its_top_categories_and_the_source(client):
    body = get_pdf(client, "/region/eu/DE11/report.pdf")
    pages = pdf_pages(body)
    text = " ".join(pages)
    assert 2 <= len(pages) <= 8
    assert "Stuttgart (DE11)" in pages[0]
    assert "Source: Eurostat" in text
    store = get_store("eu")
    year = latest_year("eu", "DE11")
    meta = store.meta
    t = store.table("nuts2", year, meta["default_rules"], meta["default_denominator"])
    mine = t[t["region_id"] == "DE11"].sort_values("employment", ascending=False)
    top = mine["category_name"].head(3).tolist()
    assert top and all(name in pages[0] for name in top), (top, pages[0][:1500])
    starred = mine.loc[mine["stars"].fillna(0) > 0, "category_name"].tolist()
    assert starred and all(name in text for name in starred)
    # the employment figure of the year, with thousands separators
    total = store.indicators
    total = total[(total["region_id"] == "DE11") & (total["year"] == year)]["total_employment"].iloc[0]
    assert f"{total:,.0f}" in pages[0]
    assert f"Region report for {year}" in pages[0]
    # charts carry their titles and axis units as text
    assert "Employment over time: Stuttgart" in text and "Location quotient in" in text
    assert "Report date" in text and "Data build" in text and "/region/eu/DE11?year=" in text
    for path in save_pages(body, "report_region_eu_DE11", pages=(0, 1, 2)):
        assert path.stat().st_size > 20_000


def test_region_report_key_figures_are_the_profiles(client, dash_app):
    """The profile's own key-figure function (pages/region/callbacks.py) gives the values the print view shows."""
    from components.labels import dataset_ui
    from pages.region.callbacks import key_figures

    ui = dataset_ui("eu")
    year = latest_year("eu", "DE11")
    html = client.get(f"/region/eu/DE11/report?year={year}&start_year=2010").get_data(as_text=True)
    context = {"dataset": "eu", "region_id": "DE11", "level": "nuts2", "creg": None}
    figs = key_figures(context, year, 2010, ui["default_rules"], ui["default_denominator"])
    shown = {"pct": "{:.1%}", "signed_pct": "{:+.1%}"}
    for f in figs:
        if f["value"] is None:
            continue
        if f["kind"] in shown:
            text = f"{float(f['value']) * 100:{'+' if f['kind'] == 'signed_pct' else ''},.1f} %"
        else:
            text = f"{f['value']:,.0f}"
        assert text in html, (f["label"], text)
        assert f["rank_text"] in html
    assert f"Employment growth 2010–{year}" in html


def test_michigan_report_has_the_census_source(client):
    body = get_pdf(client, "/region/us/26/report.pdf")
    pages = pdf_pages(body)
    text = " ".join(pages)
    assert "Michigan (26)" in pages[0]
    assert "Source: U.S. Census Bureau" in text
    save_pages(body, "report_region_us_26", pages=(0, 1))


def test_custom_region_report(client):
    spec = "Oresund=DK01+SE22"
    body = get_pdf(client, f"/region/eu/custom/report.pdf?creg={quote(spec)}")
    text = " ".join(pdf_pages(body))
    assert "Oresund (DK01 + SE22)" in text and "would rank" in text


# ---------------------------------------------------------------------------- category


def test_builtin_category_report(client):
    body = get_pdf(client, "/category/eu/automotive/report.pdf")
    pages = pdf_pages(body)
    text = " ".join(pages)
    store = get_store("eu")
    year = store.years[-1]
    t = store.table("nuts2", year, store.meta["default_rules"], store.meta["default_denominator"])
    top = t[t["category_id"] == "automotive"].sort_values("employment", ascending=False)
    first = top.iloc[0]
    assert "Automotive" in pages[0] and f"{first['region_name']} ({first['region_id']})" in text
    assert f"{first['employment']:,.0f}" in text
    assert "Source: Eurostat" in text and "Location quotient of Automotive" in text
    save_pages(body, "report_category_eu_automotive", pages=(0, 1, 2))


def test_custom_category_report_accepts_the_pages_query(client):
    """Knowledge-intensive business services as a custom category, handed out as a PDF."""
    body = get_pdf(client, f"/category/eu/custom/report.pdf?ccat={quote(KIBS)}")
    text = " ".join(pdf_pages(body))
    assert "Knowledge-intensive business services" in text
    assert "Source: Eurostat" in text
    store = get_store("eu")
    year = store.years[-1]
    f = store.facts("nuts2")
    codes = {c for c in f["industry"].unique() if c[1:] in {"62", "63", "69", "70", "71", "72", "73", "74"}}
    f = f[(f["year"] == year) & f["industry"].isin(codes)]
    biggest = f.groupby("region_id")["employment"].sum().idxmax()
    assert f"{store.region_names[biggest]} ({biggest})" in text
    save_pages(body, "report_category_eu_kibs", pages=(0, 1))


def test_us_category_report_at_county_level(client):
    body = get_pdf(client, "/category/us/automotive/report.pdf?level=county")
    text = " ".join(pdf_pages(body))
    assert "Source: U.S. Census Bureau" in text and "Counties" in text
    assert len(body) < 3_000_000


# ---------------------------------------------------------------------------- safety and errors


def test_user_given_names_stay_text(client):
    spec = "<script>alert(1)</script>=nace:62,63"
    r = client.get(f"/category/eu/custom/report?ccat={quote(spec)}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    body = get_pdf(client, f"/category/eu/custom/report.pdf?ccat={quote(spec)}")
    assert "<script>alert(1)</script>" in " ".join(pdf_pages(body))


def test_print_view_works_under_the_csp(client):
    r = client.get("/region/eu/DE11/report")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    html = r.get_data(as_text=True)
    assert "<script" not in html  # none needed, and none the CSP would have to allow
    assert html.count("<svg") >= 2
    assert 'src="http' not in html and "<link" not in html and "@import" not in html
    assert 'href="/region/eu/DE11/report.pdf?' in html


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/region/eu/XX99/report.pdf", 404, "No region “XX99”"),
    ("/region/zz/DE11/report", 404, "There is no dataset “zz”"),
    ("/region/eu/DE11/report.pdf?year=1900", 400, "year=1900"),
    ("/region/eu/DE11/report?rules=nope", 400, "rules=nope"),
    ("/region/eu/DE11/report?creg=X%3DDE11", 400, "creg is only used"),
    ("/region/eu/custom/report.pdf", 400, "no custom region"),
    ("/category/eu/nothing/report.pdf", 404, "No category “nothing”"),
    ("/category/eu/custom/report.pdf", 400, "no custom category"),
    ("/category/eu/custom/report?ccat=Bad%3Dnace%3A999", 400, "could not be used"),
    ("/category/eu/automotive/report?level=moon", 400, "level=moon"),
])
def test_bad_addresses_get_a_clear_message(client, url, status, says):
    r = client.get(url)
    text = r.get_data(as_text=True)
    assert r.status_code == status, text[:500]
    assert r.mimetype == "text/html"
    assert says in text.replace("&#34;", '"').replace("&#39;", "'")
    assert "Traceback" not in text


def test_a_fixable_address_links_to_the_report_that_can_be_made(client):
    text = client.get("/region/eu/DE11/report.pdf?year=1900").get_data(as_text=True)
    year = latest_year("eu", "DE11")
    assert f'href="/region/eu/DE11/report.pdf?year={year}' in text


def test_report_href_and_cache():
    from web.reports import report_href

    assert report_href("region", "eu", "DE11", year=2015, start_year=None, dataset="eu") == \
        "/region/eu/DE11/report.pdf?year=2015&start_year=none"
    assert report_href("category", "eu", "custom", kind="html", ccat="A=nace:62") == \
        "/category/eu/custom/report?ccat=A%3Dnace%3A62"


def test_a_second_request_is_served_from_the_cache(client):
    url = "/region/eu/DE12/report.pdf"
    first = client.get(url)
    started = time.perf_counter()
    second = client.get(url)
    assert second.data == first.data and time.perf_counter() - started < 0.5
