"""``python -m reports pack --contract ASC0013 --year 2016/17 --quarter 3 --out DIR``.

Writes ``DIR/pack.pdf`` and ``DIR/pack.xlsx`` for the quarter, with small numbers
suppressed unless ``--all-figures`` is given (a pack for council use only). It acts as an
administrator named by ``--user`` (default: the operating-system user), marked as the
command line.
Exit status: 0 when the pack was written, 1 when it could not be made (the
contract or quarter is not held, an unreadable database), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from models.periods import Quarter, parse_fiscal_year, parse_quarter


def _fiscal_year(text: str) -> int:
    try:
        return parse_fiscal_year(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _quarter(text: str) -> int:
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _uk_date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date like 14/02/2017")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m reports",
                                  description="The quarterly contract monitoring meeting pack.")
    commands = top.add_subparsers(dest="command", required=True)
    pack = commands.add_parser("pack", help="write pack.pdf and pack.xlsx for one quarter")
    pack.add_argument("--contract", required=True, help="contract reference, e.g. ASC0013")
    pack.add_argument("--year", required=True, type=_fiscal_year, help="financial year, e.g. 2016/17")
    pack.add_argument("--quarter", required=True, type=_quarter, help="quarter: 1 to 4 (or Q3)")
    pack.add_argument("--out", required=True, type=Path, help="folder to write the pack into")
    pack.add_argument("--all-figures", action="store_true",
                      help="show counts under 5 (council use only; by default they are suppressed)")
    pack.add_argument("--meeting-date", type=_uk_date,
                      help="date of the meeting for the cover, dd/mm/yyyy "
                           "(default: the meeting recorded for the quarter)")
    pack.add_argument("--no-charts", action="store_true", help="leave the charts out of the PDF")
    pack.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL or the SQLite file)")
    pack.add_argument("--timings", action="store_true", help="print where the time went")
    pack.add_argument("--user", default=None, help="who is making the pack (default: your login name)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from models.database import make_engine
    from records.users import operating_system_user
    from users.access import local_actor

    from . import build_pack
    from .content import NotHeld

    quarter = Quarter(args.year, args.quarter)
    actor = local_actor((args.user or "").strip() or operating_system_user(), via="command line")
    engine = make_engine(args.database)
    try:
        pack = build_pack(engine, args.contract, quarter, actor=actor, suppress=not args.all_figures,
                          meeting_date=args.meeting_date, charts=not args.no_charts)
    except NotHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: the database could not be read ({exc.__class__.__name__}). Check "
              "DATABASE_URL, and load data first (python -m data_ingest load-sample).", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    args.out.mkdir(parents=True, exist_ok=True)
    pdf, xlsx = args.out / "pack.pdf", args.out / "pack.xlsx"
    pdf.write_bytes(pack.pdf)
    xlsx.write_bytes(pack.xlsx)
    kind = "small numbers suppressed" if pack.suppressed else "all figures: council use only"
    print(f"{args.contract} {quarter.label}: wrote {pdf} and {xlsx} ({kind})")
    if args.timings:
        for step, seconds in pack.timings.items():
            print(f"  {step:<14} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
