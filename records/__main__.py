"""``python -m records contracts add|change|end|list|history``: the contract register from a terminal.

A thin layer over ``records.contracts``: it reads the arguments, calls the
register, and prints what was done or why it was refused. It acts as an administrator
named by ``--user`` (default: the operating-system user), recorded as such:
``root (command line)``. Exit status: 0 when
done, 1 when refused, 2 on a usage error (argparse).

    python -m records contracts add --reference ASC0099 --title "Community recovery" \\
        --provider "Recovery Works" --type substance-misuse --value 300000 \\
        --start 01/04/2025 --end 31/03/2028 [--extended-end DATE] [--commissioner NAME] \\
        [--parameter KEY=NUMBER ...] [--user NAME]
    python -m records contracts change ASC0099 [--title …] [--extended-end DATE] [--parameter KEY=N] …
    python -m records contracts end ASC0099 --on 30/09/2026 [--user NAME]
    python -m records contracts list [--format table|csv]
    python -m records contracts history ASC0099
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

import settings
from models.database import make_engine, migrate
from records import contracts
from records.users import operating_system_user
from users.access import Actor, local_actor

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _date(text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date like 31/03/2028")


def _parameter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=NUMBER, for example refuge_capacity=28")
    return key.strip(), value.strip()


def _engine():
    engine = make_engine(settings.database_url())
    migrate(engine)     # so that a fresh machine works
    return engine


def _actor(args) -> Actor:
    """Who the command line acts as: ``--user`` or the operating-system user, an administrator."""
    name = (getattr(args, "user", None) or "").strip() or operating_system_user()
    return local_actor(name, via="command line")


def _refused(problem: Exception) -> int:
    print("Not done:", file=sys.stderr)
    for line in str(problem).splitlines():
        print(f"  {line}", file=sys.stderr)
    return 1


def _fields(args, names: tuple[str, ...]) -> dict:
    """The register's fields given on the command line (those left out are not touched)."""
    given = {}
    mapping = {"title": "title", "commissioner": "commissioner", "provider": "provider",
               "annual_value": "value", "start_date": "start", "initial_end_date": "end",
               "extended_end_date": "extended_end", "contract_type": "type", "reference": "reference"}
    for field in names:
        value = getattr(args, mapping[field], None)
        if value is not None:
            given[field] = value
    if args.parameter:
        given["parameters"] = dict(args.parameter)
    return given


def cmd_add(args) -> int:
    engine = _engine()
    try:
        contracts.register_contract(engine, _actor(args), **_fields(args, (
            "reference", "title", "commissioner", "provider", "contract_type", "annual_value",
            "start_date", "initial_end_date", "extended_end_date")))
    except contracts.ContractError as problem:
        return _refused(problem)
    finally:
        engine.dispose()
    print(f"{args.reference.strip()}: registered as a {args.type} contract, with its services and "
          f"default targets. Its template: python -m data_ingest template OUT.xlsx "
          f"--contract {args.reference.strip()}")
    return 0


def cmd_change(args) -> int:
    engine = _engine()
    try:
        changed = contracts.change_contract(engine, _actor(args), args.reference, **_fields(args, (
            "title", "commissioner", "provider", "annual_value", "start_date", "initial_end_date",
            "extended_end_date")))
    except (contracts.ContractError, contracts.NotFound) as problem:
        return _refused(problem)
    finally:
        engine.dispose()
    if changed:
        print(f"{args.reference}: changed " + ", ".join(contracts.FIELDS[f].lower() for f in changed))
    else:
        print(f"{args.reference}: nothing changed")
    return 0


def cmd_end(args) -> int:
    engine = _engine()
    try:
        contracts.end_contract(engine, _actor(args), args.reference, args.on)
    except (contracts.ContractError, contracts.NotFound) as problem:
        return _refused(problem)
    finally:
        engine.dispose()
    print(f"{args.reference}: ends on {args.on.strftime('%d/%m/%Y')}")
    return 0


def cmd_list(args) -> int:
    engine = _engine()
    table = contracts.register_table(contracts.contract_register(engine))
    engine.dispose()
    if table.empty:
        print("No contract is registered yet: add one with python -m records contracts add.")
    elif args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        print(table.to_string(index=False))
    return 0


def cmd_history(args) -> int:
    from records.display import uk_time

    engine = _engine()
    try:
        history = contracts.contract_history(engine, args.reference, _actor(args))
    except contracts.NotFound as problem:
        return _refused(problem)
    finally:
        engine.dispose()
    for row in history.to_dict("records"):
        what = row["field"] if row["field"] == "Registered" else \
            f"{row['field']}: {row['old_value'] or 'blank'} -> {row['new_value'] or 'blank'}"
        print(f"{uk_time(row['changed_at'])}  {row['changed_by'] or 'unknown'}  {what}")
    return 0


def _contract_options(parser: argparse.ArgumentParser, adding: bool) -> None:
    parser.add_argument("--title", required=adding)
    parser.add_argument("--provider", required=adding)
    parser.add_argument("--commissioner", default="" if adding else None)
    parser.add_argument("--value", required=adding, help="annual value in pounds, e.g. 524994")
    parser.add_argument("--start", type=_date, required=adding, help="start date, dd/mm/yyyy")
    parser.add_argument("--end", type=_date, required=adding, help="initial end date, dd/mm/yyyy")
    parser.add_argument("--extended-end", type=_date, dest="extended_end",
                        help="end of the term as extended, dd/mm/yyyy")
    parser.add_argument("--parameter", type=_parameter, action="append", metavar="KEY=NUMBER",
                        help="a parameter of the contract's type, whole number (repeat for each); "
                             + _parameter_keys())
    parser.add_argument("--user", default=None,
                        help="who is making the change, recorded as 'NAME (command line)' "
                             "(default: your login name)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m records",
                                     description="Keep the register of contracts.")
    groups = parser.add_subparsers(dest="group", required=True)
    register = groups.add_parser("contracts", help="the contract register")
    commands = register.add_subparsers(dest="command", required=True)

    add = commands.add_parser("add", help="register a contract")
    add.add_argument("--reference", required=True)
    add.add_argument("--type", required=True,
                     help="the contract type, e.g. " + ", ".join(_type_names()))
    _contract_options(add, adding=True)
    add.set_defaults(handler=cmd_add)

    change = commands.add_parser("change", help="change a contract's fields")
    change.add_argument("reference")
    _contract_options(change, adding=False)
    change.set_defaults(handler=cmd_change)

    end = commands.add_parser("end", help="end a contract early")
    end.add_argument("reference")
    end.add_argument("--on", type=_date, required=True, help="the day it ends, dd/mm/yyyy")
    end.add_argument("--user", default=None,
                     help="who is making the change (default: your login name)")
    end.set_defaults(handler=cmd_end)

    listing = commands.add_parser("list", help="list the register")
    listing.add_argument("--format", choices=("table", "csv"), default="table")
    listing.set_defaults(handler=cmd_list)

    history = commands.add_parser("history", help="who registered and changed a contract, and when")
    history.add_argument("reference")
    history.set_defaults(handler=cmd_history)
    return parser


def _parameter_keys() -> str:
    """Each type's parameter keys, for the help: ``domestic-abuse: refuge_capacity``."""
    from models.contract_types import ContractTypeError, load_types

    try:
        types = load_types()
    except ContractTypeError:
        return ""
    return "; ".join(f"{name}: {', '.join(p.key for p in c.parameters) or 'none'}"
                     for name, c in sorted(types.items()))


def _type_names() -> list[str]:
    try:
        return list(contracts.contract_types())
    except ValueError:
        return []


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
