"""``python -m users``: people and roles from the command line (the first admin, scripting).

    python -m users add EMAIL --role admin|officer|viewer|provider [--provider NAME] [--contract REF ...]
    python -m users list
    python -m users remove EMAIL

The command line acts as an administrator and records changes against the
operating-system user (or ``--user``), marked "command line".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from models.database import make_engine, migrate
from records.users import operating_system_user

from . import UserError, grant, local_actor, people, withdraw
from .access import Role


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m users", description="People and their roles.")
    parser.add_argument("--user", help="who is making the change (default: the operating-system user)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="grant a role (or change it)")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--provider", help="the provider organisation, for the provider role")
    add.add_argument("--contract", action="append", default=[],
                     help="for an officer: a contract they monitor (repeat; none means every contract)")
    add.add_argument("--name", default="", help="the person's name")
    commands.add_parser("list", help="everyone with a role")
    remove = commands.add_parser("remove", help="withdraw a person's role")
    remove.add_argument("email")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    engine = make_engine()
    migrate(engine)
    by = local_actor(args.user or operating_system_user(), via="command line")
    try:
        if args.command == "add":
            grant(engine, args.email, args.role, by, provider=args.provider, contracts=args.contract,
                  name=args.name)
            print(f"{args.email.strip().lower()}: {args.role}"
                  + (f" of {args.provider}" if args.provider else "")
                  + (f" for {', '.join(args.contract)}" if args.contract else ""))
        elif args.command == "remove":
            if not withdraw(engine, args.email, by):
                print(f"{args.email}: has no role", file=sys.stderr)
                return 1
            print(f"{args.email.strip().lower()}: role withdrawn")
        else:
            table = people(engine)
            if table.empty:
                print("No one has a role yet. Add the first administrator with: "
                      "python -m users add EMAIL --role admin")
            for row in table.itertuples():
                signed_in = f"{row.last_signed_in_at:%d/%m/%Y %H:%M}" if row.last_signed_in_at else "never"
                print(f"{row.email}\t{row.role}\t{row.provider or '-'}\t{row.contracts}\tlast signed in {signed_in}")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
