"""The content database's commands of ``python -m analytics`` (parsed in :mod:`analytics.cli`):
``users create-admin``, ``organisations import``, ``content export|import``, ``db upgrade``."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from analytics.content import ContentError


def run(args, cli_error: type[Exception]) -> int:
    try:
        if args.command == "users":
            return _create_admin(args, cli_error)
        if args.command == "organisations":
            return _import_organisations(args, cli_error)
        if args.command == "content":
            return _content(args, cli_error)
        from analytics.content import db
        print(f"content database at revision {db.upgrade()}", file=sys.stderr)
        return 0
    except ContentError as exc:
        raise cli_error(str(exc)) from None


def _create_admin(args, cli_error) -> int:
    from analytics.content import accounts
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise cli_error("the passwords differ")
    user = accounts.create_admin(args.email, password)
    print(f"{user.email} is an admin (user id {user.id})", file=sys.stderr)
    return 0


def _import_organisations(args, cli_error) -> int:
    import pandas as pd

    from analytics.content.organisations import import_seed
    if args.source:
        path = Path(args.source)
        if not path.is_file():
            raise cli_error(f"--from {args.source}: no such file")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one line
            raise cli_error(f"--from {args.source}: not a readable parquet file ({type(exc).__name__})") from None
    else:
        from analytics.build import ensure_built
        try:
            from analytics.sources.organisations import load_seed
        except ImportError:
            raise cli_error("the build has no organisations seed yet; give --from PARQUET") from None
        frame = load_seed(ensure_built(args.raw, args.build_dir))
    result = import_seed(frame)
    print(json.dumps(result))
    return 0


def _content(args, cli_error) -> int:
    from analytics.content import transfer
    path = Path(args.file)
    if args.content_command == "export":
        if not path.parent.is_dir():
            raise cli_error(f"{args.file}: the folder {path.parent} does not exist")
        counts = transfer.export_content(path)
    else:
        if not path.is_file():
            raise cli_error(f"{args.file}: no such file")
        counts = transfer.import_content(path)
    print(json.dumps(counts))
    return 0
