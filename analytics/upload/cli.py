"""``python -m analytics metrics --input FILE --year Y [--benchmark self|eu|us]``: an uploaded file's
regional clusters, the table the built-in ``metrics`` prints (the caller formats it), with the file's
problems as one message (exit 2) and the notes on stderr."""
from __future__ import annotations

import sys

import pandas as pd

from analytics.upload.reader import read_upload
from analytics.upload.store import UploadError, build_store


def upload_table(args, error) -> tuple[pd.DataFrame, str, str]:
    """(metrics table of the year, base dataset ``eu``/``us``, LQ denominator); raises ``error``
    (the CLI's exception class) with the file's problems or a bad option."""
    for opt, value in (("--level", args.level), ("--region", args.region)):
        if value:
            raise error(f"{opt} does not apply to --input (the file's regions are the level)")
    if args.category and "=" in args.category:
        raise error("custom categories (--category Name=...) do not apply to --input yet; give a category id")
    result = read_upload(args.input)
    if not result.ok:
        raise error(result.message())
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.benchmark in ("eu", "us"):  # the built-in benchmark: built first, as the built-in metrics are
        from analytics.build import BuildError, ensure_built

        try:
            ensure_built(args.raw, args.build_dir)
        except BuildError as exc:
            raise error(str(exc)) from None
    try:
        store = build_store(result, args.benchmark or "self", args.build_dir, args.raw)
    except UploadError as exc:
        raise error(str(exc)) from None
    years = store.level_years(store.level)
    for name, year in (("--year", args.year), ("--start-year", args.start_year)):
        if year is not None and year not in years:
            raise error(f"{name} {year}: the file has data for {', '.join(map(str, years))}")
    if args.start_year is not None and args.start_year >= args.year:
        raise error(f"--start-year {args.start_year} must be before --year {args.year}")
    rules, denominator = store.rules_and_denominator(args.rules, args.denominator)
    for note in store.notes:
        print(f"note: {note}", file=sys.stderr)
    note = store.window_note(args.start_year, args.year)
    if note:
        print(f"note: {note}", file=sys.stderr)
    table = store.table(store.level, args.year, rules, denominator, args.start_year).copy()
    if args.category:
        if args.category not in set(store.categories["category_id"]):
            raise error(f"--category {args.category!r}: unknown; see the category_id column of the output")
        table = table[table["category_id"] == args.category]
    return table, store.base, denominator
