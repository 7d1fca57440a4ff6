"""``python -m indicators export [--contract REF] [--format csv|json]``: indicators to standard output.

Exit status: 0 done, 1 an unknown contract, 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

from models.database import make_engine, migrate

from .data import load_contracts
from .engine import all_indicators
from .export import export_rows, write_csv, write_json


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indicators",
                                     description="Indicators computed from the monitoring returns.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export", help="every indicator for every period held, one row per contract, indicator, "
                       "period and basis, to standard output")
    export.add_argument("--contract", metavar="REF", help="only this contract (for example ASC0013)")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engine = make_engine()
    try:
        migrate(engine)
        if args.contract is not None:
            known = set(load_contracts(engine)["contract"])
            if args.contract not in known:
                listed = ", ".join(sorted(known)) or "none yet"
                print(f"Unknown contract {args.contract!r}. Contracts held: {listed}.", file=sys.stderr)
                return 1
        rows = export_rows(all_indicators(engine, args.contract))
        try:
            (write_json if args.format == "json" else write_csv)(rows, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (``| head``): not an error of ours.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
