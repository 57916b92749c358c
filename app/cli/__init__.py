"""The `zhuzhou-facts` command: seed, check, coverage, serve."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from app.config import database_url_problem, get_settings
from app.dataset.build import build
from app.dataset.coverage import check_coverage
from app.dataset.errors import DatasetError
from app.dataset.files import load_seed
from app.dataset.load import IntegrityError, prepare, seed_database
from app.dataset.roles import SeedRefused
from app.store.engines import is_sqlite


def _database_url(value: str) -> str:
    """--database-url, checked as DATABASE_URL is (app/config.py)."""
    problem = database_url_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value


def _cmd_seed(args: argparse.Namespace) -> int:
    if args.reader_role is not None and is_sqlite(args.database_url):
        print("error: --reader-role is for PostgreSQL", file=sys.stderr)
        return 2
    result = seed_database(args.database_url, args.seed_dir, args.reader_role)
    print(f"seeded {result.database}")
    if args.reader_role is not None:
        print(f"role {args.reader_role} may SELECT the dataset and nothing else")
    print(f"dataset version {result.version}")
    for table, n in sorted(result.counts.items()):
        print(f"  {table:16} {n:5}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    built = prepare(args.seed_dir)
    print(f"ok: dataset version {built.version}")
    for table, n in sorted(built.counts().items()):
        print(f"  {table:16} {n:5}")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    seed = load_seed(args.seed_dir)
    report = check_coverage(seed, build(seed))
    for t in report.tokens:
        if args.all or t.covered_by is None:
            status = t.covered_by or "UNCOVERED"
            print(f"{t.document} ¶{t.paragraph:<3} {t.text:<8} {status}   …{t.context}…")
    for p in report.problems:
        print(f"problem: {p}")
    covered = len(report.tokens) - len(report.uncovered)
    print(
        f"{covered} of {len(report.tokens)} number tokens in the body are covered; "
        f"{len(report.uncovered)} uncovered; {len(report.problems)} ignore-list problem(s)"
    )
    return 0 if report.ok else 1


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.cli.serve import serve  # imports uvicorn: only this command needs it

    serve(args.host, args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the commands)."""
    settings = get_settings()
    root = argparse.ArgumentParser(prog="zhuzhou-facts", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--seed-dir",
        type=Path,
        default=settings.seed_dir,
        help=f"folder of curated files (default: SEED_DIR, else {settings.seed_dir})",
    )

    p = sub.add_parser(
        "seed",
        parents=[common],
        help="validate the seed files and atomically (re)build the database",
    )
    p.add_argument(
        "--database-url",
        type=_database_url,
        default=settings.database_url,
        help="target database: sqlite:///file or postgresql://user@host/db (default: "
        "DATABASE_URL, else the SQLite file under var/)",
    )
    p.add_argument(
        "--reader-role",
        help="PostgreSQL: the role the API serves with; it is created if missing (without a "
        "password) and left able to SELECT the dataset and nothing else",
    )
    p.set_defaults(func=_cmd_seed)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="validate and resolve the seed files without writing anything",
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "coverage",
        parents=[common],
        help="fail unless every number in the body is a fact or an explained ignore",
    )
    p.add_argument("--all", action="store_true", help="list covered tokens too")
    p.set_defaults(func=_cmd_coverage)

    p = sub.add_parser(
        "serve",
        help="run the HTTP API with uvicorn (its limits and every other setting: environment "
        "variables, README Settings)",
    )
    p.add_argument(
        "--host",
        default=settings.host,
        help=f"address to listen on (default: HOST, else {settings.host})",
    )
    p.add_argument(
        "--port",
        type=int,
        default=settings.port,
        help=f"port to listen on (default: PORT, else {settings.port})",
    )
    p.set_defaults(func=_cmd_serve)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        args = parser().parse_args(argv)
    except ValidationError as exc:  # a setting in the environment (app/config.py)
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = error["msg"].removeprefix("Value error, ")
            print(f"error: {name}: {message}", file=sys.stderr)
        return 2
    try:
        code: int = args.func(args)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into a reader that stopped early, e.g. `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except IntegrityError as exc:
        print(f"error: the new database failed its checks: {exc}", file=sys.stderr)
        print("the old database was kept.", file=sys.stderr)
        return 1
    except SeedRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 1
    except DBAPIError as exc:  # the database refused a statement: its words, not a traceback
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(f"error: the database refused the seed: {reason}", file=sys.stderr)
        print("the dataset was not changed (it is replaced in one transaction).", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
