"""Command line for analysts: ``python -m analytics build|metrics|regions|related|quality|download|make-categories``,
``organisations list`` (the build's seed organisations), ``insights prosperity`` and ``definitions derive``
(:mod:`analytics.insights`, docs/INSIGHTS.md), and for the content database:
``users create-admin``, ``organisations import``, ``content export|import``, ``db upgrade``, ``library list|rename|delete``
(:mod:`analytics.content.commands`).

``metrics`` and ``regions`` print the same numbers the pages show: they read the same views
(``analytics.serving.views``).

Errors in arguments or data are reported as one line on stderr with a non-zero exit code.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys

from analytics import config
from analytics.serving.api_queries import (  # noqa: F401 - the columns, re-exported
    GROWTH_COLUMNS,
    METRIC_COLUMNS,
    ORGANISATION_COLUMNS,
    PARTNER_COLUMNS,
    REGION_COLUMNS,
    REGION_GROWTH_COLUMNS,
    QueryError,
    Table,
)
from analytics.serving.formats import csv_safe


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        raise CliError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m analytics", description=__doc__)
    common = _Parser(add_help=False)
    common.add_argument("--raw", help="raw-data directory (default: $CLUSTER_RAW_DIR or ../shared/data)")
    common.add_argument("--build-dir", help="build folder (default: $CLUSTER_BUILD_DIR or data/build)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = sub.add_parser("build", help="derive the metrics from the raw files", parents=[common])
    b.add_argument("--if-stale", action="store_true",
                   help="build only when the build folder is missing or older than the raw files or the code")
    m = sub.add_parser("metrics", help="metrics of one level and year as CSV on stdout", parents=[common])
    m.add_argument("--dataset", default="eu")
    m.add_argument("--level", help="eu: nuts2|nuts1|country; us: state|county|ea|nation")
    m.add_argument("--year", type=int, required=True)
    m.add_argument("--start-year", type=int,
                   help="add growth since this year (none without it; a window across a series break is "
                        "computed from cluster totals, with a note on stderr)")
    m.add_argument("--rules", choices=["eco2008", "us-strong"],
                   help="star rule set (default: eco2008 for eu, us-strong for us)")
    m.add_argument("--denominator", choices=["total", "traded"],
                   help="LQ denominator: total employment, or traded/local employment by category type "
                        "(default: total for eu, traded for us)")
    m.add_argument("--category", help='a category id, or a custom category "Name=nace:13,14,15" '
                                       '(or "Name=cat:apparel+footwear", US "Name=naics:3361")')
    m.add_argument("--region", help='a custom region "Name=DK01+DK02+SE22": its portfolio (sum of the members)')
    m.add_argument("--input", help="an uploaded CSV or XLSX file (region_id, region_name, industry_code, year, "
                                   "employment [, establishments, payroll]; docs/UPLOAD.md) instead of --dataset")
    m.add_argument("--benchmark", choices=["self", "eu", "us"],
                   help="with --input: LQ and size against the file's own total (self, default), Europe (eu, "
                        "NACE files) or the US (us, NAICS files), in the same or the nearest year")
    g = sub.add_parser("regions", help="region indicators (cluster strength, starred clusters …) as CSV",
                       parents=[common])
    g.add_argument("--dataset", default="eu")
    g.add_argument("--level", help="eu: nuts2|nuts1|country; us: state|county|ea|nation")
    g.add_argument("--year", type=int, required=True)
    g.add_argument("--start-year", type=int,
                   help="add the growth of total and traded employment since this year (a window across a "
                        "series break: a note on stderr)")
    g.add_argument("--rules", choices=["eco2008", "us-strong"], help="star rule set for n_starred")
    g.add_argument("--denominator", choices=["total", "traded"], help="LQ denominator of cluster_strength")
    g.add_argument("--region", help='add a custom region "Name=DK01+DK02+SE22" (ranked where it would rank)')
    q = sub.add_parser("quality", help="print the data-quality report", parents=[common])
    q.add_argument("--dataset", default="eu")
    q.add_argument("--json", action="store_true", help="the full report as JSON")
    d = sub.add_parser("download", help="fetch the raw datasets from the publishers' APIs", parents=[common])
    d.add_argument("--dataset", default="eu", choices=["eu", "us"])
    d.add_argument("--years", help="e.g. 2017-2021 or 2019,2021 (US)")
    d.add_argument("--geo", default="state", choices=["state", "county"])
    r = sub.add_parser("related", help="related categories of a category, or of a region's strong ones",
                       parents=[common])
    r.add_argument("--dataset", default="eu")
    r.add_argument("--category", help="category id: its related categories with strength")
    r.add_argument("--region", help="region id: its strong categories' related categories")
    r.add_argument("--level", help="region level (default: the dataset's default level)")
    r.add_argument("--year", type=int, help="year for --region (default: latest)")
    sub.add_parser("make-categories", help="regenerate data/eu_cluster_categories.csv")
    _insights_parsers(sub, common)
    up = sub.add_parser("uploads", help="uploaded datasets (/upload) kept until they expire")
    upsub = up.add_subparsers(dest="uploads_command", required=True, parser_class=_Parser)
    upsub.add_parser("purge", help="remove the expired uploads (CLUSTER_UPLOAD_TTL_HOURS, default 72) from "
                                   "CLUSTER_USER_DATA_DIR (default data/user-datasets)")
    # the content database (analytics.content.commands)
    u = sub.add_parser("users", help="accounts of the content database")
    usub = u.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    ua = usub.add_parser("create-admin", help="create (or promote) a confirmed admin; the password is prompted")
    ua.add_argument("--email", required=True)
    ua.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    o = sub.add_parser("organisations", help="cluster organisations")
    osub = o.add_subparsers(dest="organisations_command", required=True, parser_class=_Parser)
    oi = osub.add_parser("import", help="import the seed into the content database (idempotent; profiles "
                                        "edited through moderation are kept)", parents=[common])
    oi.add_argument("--from", dest="source", help="a seed parquet file (default: the build's organisations.parquet)")
    ol = osub.add_parser("list", help="the build's seed organisations as CSV on stdout", parents=[common])
    ol.add_argument("--dataset", choices=["eu", "us"], help="eu (ECCP) or us (clustermapping.us); default both")
    ol.add_argument("--country", help="ISO country code as in the source (GR for Greece; EL is accepted), US")
    ol.add_argument("--region", help="region id: a NUTS 2021 code or prefix (DE21, DE2); US state FIPS")
    ol.add_argument("--category", help="category id, e.g. automotive")
    ol.add_argument("--format", choices=["csv"], default="csv")
    pa = sub.add_parser("partners", help="partner search (as /partners) as CSV on stdout", parents=[common])
    pa.add_argument("--org", help="search from this organisation's id (see `organisations list`)")
    pa.add_argument("--dataset", choices=["eu", "us"], default="eu", help="the dataset of --region/--category")
    pa.add_argument("--region", help="the origin region (its country is left out unless --include-home)")
    pa.add_argument("--category", help="the origin category id, e.g. automotive")
    pa.add_argument("--side", choices=["eu", "us"], help="partners only in Europe or only in the US")
    pa.add_argument("--country", help="partners only in these countries (comma-separated ISO codes)")
    pa.add_argument("--include-home", action="store_true", help="include organisations of the origin's country")
    pa.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    c = sub.add_parser("content", help="export or restore all user content (one zip file)")
    csub = c.add_subparsers(dest="content_command", required=True, parser_class=_Parser)
    csub.add_parser("export", help="write users (with password hashes), edited profiles, revisions, "
                                   "documents and the audit log").add_argument("file")
    csub.add_parser("import", help="restore an export into an empty database").add_argument("file")
    b = sub.add_parser("db", help="the content database's schema")
    bsub = b.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    bsub.add_parser("upgrade", help="apply the Alembic migrations (upgrade head)")
    lb = sub.add_parser("library", help="the saved definitions (as administrator: no owner token needed)")
    lsub = lb.add_subparsers(dest="library_command", required=True, parser_class=_Parser)
    lsub.add_parser("list", help="id, kind, dataset, owned (yes/no), name, spec as CSV on stdout")
    lr = lsub.add_parser("rename", help="rename a saved definition")
    lr.add_argument("id", type=int)
    lr.add_argument("name")
    lsub.add_parser("delete", help="delete a saved definition").add_argument("id", type=int)
    return p


def _insights_parsers(sub, common) -> None:
    """``insights prosperity`` and ``definitions derive`` (analytics.insights; docs/INSIGHTS.md)."""
    i = sub.add_parser("insights", help="cluster strength against prosperity (docs/INSIGHTS.md)")
    isub = i.add_subparsers(dest="insights_command", required=True, parser_class=_Parser)
    ip = isub.add_parser(
        "prosperity", parents=[common],
        help="the quadratic fit of GDP per capita on cluster strength as one CSV row a,b,c,r2,n",
        description="Least squares y = a·x² + b·x + c over the regions of the level with both values in the "
                    "year. x = cluster strength as a share 0–1: --variant lq2 (default) = employment in traded "
                    "categories with LQ > 2 ÷ total employment (LQ under the dataset's default denominator: "
                    "total employment in Europe, traded employment in the US); --variant us-strong = employment "
                    "in the US portal's strong traded clusters (LQ ≥ 75th percentile and ≥ 1, employment and "
                    "establishments > 25th percentile, among regions of the level) ÷ traded employment. "
                    "y = GDP per capita: PPS per inhabitant (eu), real GDP per capita in chained 2012 USD (us).")
    ip.add_argument("--dataset", required=True, help="eu or us")
    ip.add_argument("--level", help="eu: nuts2|nuts1|country; us: state (default: nuts2 / state)")
    ip.add_argument("--year", type=int, help="default: the latest year with GDP per capita")
    ip.add_argument("--variant", default="lq2", help="lq2 (default) or us-strong")
    ip.add_argument("--points", action="store_true", help="print region_id,region_name,x,y instead of the fit")
    ip.add_argument("--definitions", help="eu only: the categories' definitions set, us-concorded (the default, "
                                          "data/eu_cluster_categories.csv) or eu-colocation (derived by the build)")
    d = sub.add_parser("definitions", help="European cluster definitions from European co-location")
    dsub = d.add_subparsers(dest="definitions_command", required=True, parser_class=_Parser)
    dd = dsub.add_parser(
        "derive", parents=[common],
        help="derive categories from the co-location of NACE divisions across NUTS 2 regions: CSV "
             "nace_code,category_id,category_name on stdout, the comparison with the US-derived set on stderr",
        description="Pearson correlation of the divisions' employment shares (= of their LQs) across the NUTS 2 "
                    "regions where both are published, in one year; average-linkage clustering on 1 − r within "
                    "traded and within local divisions, cut where the average correlation of two groups falls "
                    "below --min-correlation. A division in no category is printed as category_id none with the "
                    "reason. The build writes the same set (default parameters) to "
                    "data/build/eu/definitions_eu-colocation.csv with its trace. See docs/INSIGHTS.md.")
    dd.add_argument("--dataset", required=True, help="eu (the US categories are the benchmark definitions)")
    dd.add_argument("--year", type=int, help="the year of the co-location (default: the latest)")
    dd.add_argument("--min-correlation", type=float, default=0.3, help="the cut (default 0.3)")
    dd.add_argument("--method", choices=["pearson", "spearman"], default="pearson",
                    help="correlation (default pearson)")


def _insights(args) -> int:
    from analytics.insights import prosperity as pr

    if args.dataset not in ("eu", "us"):
        raise CliError(f"--dataset {args.dataset!r}: choose eu or us")
    if args.variant not in pr.VARIANTS:
        raise CliError(f"--variant {args.variant!r}: choose {' or '.join(pr.VARIANTS)}")
    store = _store(args)
    level = args.level or store.meta["default_level"]
    if level not in store.levels:
        raise CliError(f"--level {level!r}: {store.dataset} has levels {', '.join(store.levels)}")
    year = args.year
    if year is None:
        years = pr.prosperity_years(store.dataset, level)
        if not years:
            raise CliError(f"--level {level}: {store.dataset} has no GDP per capita at this level")
        year = years[-1]
    try:
        if args.points:
            pts = pr.prosperity_points(store.dataset, level, year, args.variant, args.definitions)
            csv_safe(pts).to_csv(sys.stdout, index=False, float_format="%.10g")
            return 0
        f = pr.prosperity_fit(store.dataset, level, year, args.variant, args.definitions)
    except pr.InsightError as exc:
        raise CliError(str(exc)) from None
    print("a,b,c,r2,n")
    print(f"{f.a:.10g},{f.b:.10g},{f.c:.10g},{f.r2:.10g},{f.n}")
    label = store.meta["prosperity"]["label"]
    sets = f", definitions {args.definitions}" if args.definitions else ""
    print(f"note: {store.dataset} {level} {year}, variant {args.variant}{sets}: {f.formula(label)}", file=sys.stderr)
    return 0


def _definitions(args) -> int:
    from analytics.metrics.colocation import DeriveParams, derive, output_rows

    if args.dataset != "eu":
        raise CliError(f"--dataset {args.dataset!r}: only eu (the US categories are the benchmark definitions, "
                       "themselves derived from US co-location)")
    if not -1.0 <= args.min_correlation <= 1.0:
        raise CliError(f"--min-correlation {args.min_correlation}: a correlation from -1 to 1")
    store = _store(args)
    years = store.level_years("nuts2")
    if args.year is not None and args.year not in years:
        raise CliError(f"--year {args.year}: eu nuts2 has data for {_spans(years)}")
    facts = store.facts("nuts2")[["region_id", "industry", "year", "employment", "employment_imputed"]]
    d = derive(facts, store.industries, DeriveParams(year=args.year, method=args.method,
                                                       min_correlation=args.min_correlation))
    csv_safe(output_rows(d.table)).to_csv(sys.stdout, index=False)
    s, c = d.summary, d.summary["comparison"]
    names = dict(zip(d.table["nace_code"], d.table["nace_name"]))
    print(f"derived from {s['n_regions']} NUTS 2 regions in {s['year']} ({args.method}, min correlation "
          f"{args.min_correlation}): {s['n_categories']} categories ({s['n_categories_by_type'].get('traded', 0)} "
          f"traded, {s['n_categories_by_type'].get('local', 0)} local), {s['n_none']} divisions in none",
          file=sys.stderr)
    print(f"adjusted Rand index vs {c['reference']}: {c['ari']:.4f} over {c['n_divisions_compared']} divisions "
          f"({c['n_reference_categories']} reference categories); {c['n_moved']} divisions moved:", file=sys.stderr)
    for m in c["moved"]:
        print(f"  {m['nace_code']} {names.get(m['nace_code'], '')}: {m['from_category']} → {m['to_category']} "
              f"({m['to_category_name']}, mostly {m['to_category_matches']})", file=sys.stderr)
    return 0


def _years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            return list(range(int(a), int(b) + 1))
        return [int(y) for y in text.split(",")]
    except ValueError:
        raise CliError(f"--years {text!r}: expected e.g. 2017-2021 or 2019,2021") from None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["make-categories"]:
            from analytics.sources.eu.definitions import main as make_categories
            return make_categories(argv[1:])
        args = _parser().parse_args(argv)
        return _run(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


def _run(args) -> int:
    if args.command in ("users", "content", "db") or getattr(args, "organisations_command", None) == "import":
        from analytics.content.commands import run as run_content
        return run_content(args, CliError)
    if args.command == "uploads":
        from analytics.upload.registry import purge

        print(f"removed {purge():,} expired upload(s)", file=sys.stderr)
        return 0
    if args.command == "build":
        from analytics.build import BuildError, build, build_lock, ensure_built
        signal.signal(signal.SIGTERM, _terminate)  # a killed build cleans up its temporary folder
        progress = lambda s: print(s, file=sys.stderr)  # noqa: E731
        try:
            if args.if_stale:
                out = ensure_built(args.raw, args.build_dir, progress)
                print(f"build up to date: {out}", file=sys.stderr)
            else:
                with build_lock(config.build_dir(args.build_dir)):
                    build(args.raw, args.build_dir, progress=progress)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "download":
        from analytics.download import DownloadError, download
        try:
            download(args.dataset, config.raw_dir(args.raw), years=_years(args.years), geo=args.geo,
                     progress=lambda s: print(s, file=sys.stderr))
        except DownloadError as exc:
            raise CliError(str(exc)) from None
        return 0
    if args.command == "library":
        return _library(args)
    if args.command == "organisations":
        return _organisations_list(args)
    if args.command == "partners":
        return _partners(args)
    if args.command == "insights":
        return _insights(args)
    if args.command == "definitions":
        return _definitions(args)
    if args.command == "metrics" and (args.input or args.benchmark):
        return _upload_metrics(args)
    store = _store(args)
    if args.command == "quality":
        return _quality(store, args)
    if args.command == "related":
        return _related(store, args)
    if args.command == "regions":
        return _regions(store, args)
    return _metrics(store, args)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def _store(args):
    from analytics.build import BuildError, ensure_built
    from analytics.serving.store import LEVELS, get_store
    if args.dataset not in LEVELS:
        raise CliError(f"--dataset {args.dataset!r}: available datasets are {', '.join(LEVELS)}")
    try:  # the CLI may build (a web worker never does: analytics.build.require_build)
        ensure_built(args.raw, args.build_dir)
    except BuildError as exc:
        raise CliError(str(exc)) from None
    return get_store(args.dataset, args.build_dir, args.raw)


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


def _print(run, *args, **kwargs) -> int:
    """Run a query of :mod:`analytics.serving.api_queries` (shared with the open API) and print its
    table as CSV on stdout; a bad parameter is a CliError."""
    try:
        table: Table = run(*args, **kwargs)
    except QueryError as exc:
        raise CliError(str(exc)) from None
    table.to_csv(sys.stdout)
    return 0


def _library(args) -> int:
    import pandas as pd

    from analytics.serving.library import LibraryError, get_library

    lib = get_library()
    try:
        if args.library_command == "list":
            rows = [(d.id, d.kind, d.dataset, "yes" if d.owner_hash else "no", d.name, d.spec) for d in lib.list()]
            table = pd.DataFrame(rows, columns=["id", "kind", "dataset", "owned", "name", "spec"])
            csv_safe(table).to_csv(sys.stdout, index=False)
        elif args.library_command == "rename":
            d = lib.rename(args.id, args.name, admin=True)
            print(f"renamed {d.id} to {d.name}", file=sys.stderr)
        else:
            name = lib.get(args.id).name
            lib.delete(args.id, admin=True)
            print(f"deleted {args.id} ({name})", file=sys.stderr)
    except LibraryError as exc:
        raise CliError(str(exc)) from None
    return 0


def _regions(store, args) -> int:
    from analytics.serving import api_queries as q

    return _print(q.indicators, store, args.year, args.level, args.start_year, args.rules, args.denominator,
                  args.region, note=_note)


def _metrics(store, args) -> int:
    from analytics.serving import api_queries as q

    return _print(q.metrics, store, args.year, args.level, args.start_year, args.rules, args.denominator,
                  args.category, args.region, note=_note)


def _print_metrics(table, dataset: str, denominator: str, start_year) -> int:
    """The metrics table as CSV on stdout (built-in datasets and uploads alike)."""
    from analytics.serving.api_queries import metric_columns

    Table(metric_columns(table, dataset, denominator, start_year)).to_csv(sys.stdout)
    return 0


def _upload_metrics(args) -> int:
    """``metrics --input FILE``: an uploaded file analysed as the built-in data (analytics.upload)."""
    if not args.input:
        raise CliError("--benchmark applies to --input FILE (the built-in datasets have their own benchmark)")
    from analytics.upload.cli import upload_table

    table, base, denominator = upload_table(args, CliError)
    return _print_metrics(table, base, denominator, args.start_year)


def _related(store, args) -> int:
    from analytics.serving import api_queries as q

    return _print(q.related, store, args.category, args.region, args.level, args.year)


def _organisations_list(args) -> int:
    """``organisations list``: the published organisations (what the directory shows: the imported
    seed and approved profiles), filtered as the directory filters; a filter value that matches no
    organisation at all is an error (exit 2)."""
    from analytics.serving import api_queries as q

    return _print(q.organisations, args.dataset, args.country, args.region, args.category)


def _partners(args) -> int:
    """``partners``: the partner search of /partners, from an organisation or a region × category."""
    from analytics.serving import api_queries as q

    return _print(q.partners, args.org, args.dataset, args.region, args.category, args.side, args.country,
                  args.include_home, args.limit)


def _spans(years: list[int]) -> str:
    """2000–2011, 2017–2021 style list of year ranges."""
    from analytics.serving.api_queries import spans

    return spans(years)


def _quality(store, args) -> int:
    q = store.quality
    if args.json:
        print(json.dumps(q, indent=1))
        return 0
    from analytics.serving.quality import format_report
    print(format_report(q))
    return 0
