"""The command line: ``python -m data_ingest template|check|ingest|load-sample``.

A thin layer over the library: it reads files, calls ``check_file``,
``ingest_file``, ``write_template`` or ``load_sample``, and prints one result
per file. Exit status: 0 when every file passed, 1 when any was rejected,
2 on a usage error (argparse).

``check`` and ``ingest`` act as an administrator named by ``--user`` (default: the
operating-system user), recorded as such: ``root (command line)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import settings
from data_ingest.findings import Finding, error
from data_ingest.store import IngestResult, check_file, ingest_file
from data_ingest.template import UnknownVersion, write_template
from models.catalogue import Catalogue
from models.contract_types import ContractTypeError, load_types
from models.database import make_engine, migrate, unusable
from models.periods import Quarter
from models.schema import Contract
from records.users import operating_system_user
from users.access import Actor, local_actor

# --- output -------------------------------------------------------------------------------


def format_result(result: IngestResult) -> list[str]:
    """The lines printed for one file: a summary, then errors, warnings and changes."""
    lines = [f"{_heading(result)}: {_summary(result)}"
             + (f" ({result.file_name})" if _named(result) else "")]
    lines += [format_finding(f) for f in result.errors]
    lines += [format_finding(f) for f in result.warnings]
    lines += [f"  changed {d.code} {d.label}: {format_value(d.old)} -> {format_value(d.new)}"
              for d in result.differences]
    return lines


def format_finding(finding: Finding) -> str:
    """``  error   Refuge!C14: message advice``."""
    return f"  {finding.severity:<7} {finding}"


def format_value(value: float | None) -> str:
    if value is None:
        return "blank"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def _named(result: IngestResult) -> bool:
    return bool(result.contract and result.quarter)


def _heading(result: IngestResult) -> str:
    if result.contract and result.quarter:    # as _named
        return f"{result.contract} {result.quarter.label}"
    return result.file_name


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _summary(result: IngestResult) -> str:
    warnings = f" with {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
    if result.status == "rejected":
        return f"rejected: {_plural(len(result.errors), 'error')}"
    if result.status == "unchanged":
        matched = f"version {result.version}"
        if result.matched_quarter is not None and result.matched_quarter != result.quarter:
            matched += f" of {result.matched_quarter.label}"
        if result.checked_only:
            return f"identical to {matched}, the version held now: storing it would change nothing"
        return f"unchanged: identical to {matched} already stored"
    if result.status == "stored":
        text = f"stored as version {result.version}{warnings}"
        if result.superseded_version is not None:
            text += (f", superseding version {result.superseded_version}"
                     f" ({_plural(len(result.differences), 'measure')} changed)")
        if result.restores_version is not None:
            text += f", bringing version {result.restores_version} back"
        return text
    text = f"passed{warnings}"
    if result.superseded_version is not None:
        text += (f"; storing it would supersede version {result.superseded_version}"
                 f" ({_plural(len(result.differences), 'measure')} changed)")
    if result.restores_version is not None:
        text += (f" and bring back version {result.restores_version}, whose file this is")
    return text


def _print_results(results: Sequence[IngestResult]) -> int:
    for result in results:
        print("\n".join(format_result(result)))
    rejected = sum(r.status == "rejected" for r in results)
    if len(results) > 1:
        print(f"{_plural(len(results), 'file')}: {len(results) - rejected} passed, "
              f"{rejected} rejected")
    return 1 if rejected else 0


# --- commands ------------------------------------------------------------------------------


def _engine():
    engine = make_engine(settings.database_url())
    migrate(engine)     # so that a fresh machine works
    return engine


def _read(path: str) -> bytes | Finding:
    """The file's bytes, or an error saying why it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return error("FILE-NOT-FOUND", f"There is no file {path}.",
                     "Check the folder and the file name.")
    except IsADirectoryError:
        return error("FILE-NOT-FOUND", f"{path} is a folder, not a workbook.",
                     "Give the path of the .xlsx file.")
    except OSError as exc:
        return error("FILE-UNREADABLE", f"{path} cannot be read: {exc.strerror or exc}.",
                     "Check the file's permissions, or save it again and retry.")


def _each_file(paths: Sequence[str], handle) -> int:
    engine = _engine()
    results = []
    for path in paths:
        content = _read(path)
        name = Path(path).name
        if isinstance(content, Finding):
            results.append(IngestResult(file_name=name, status="rejected", errors=[content]))
        else:
            results.append(handle(engine, content, name))
    engine.dispose()
    return _print_results(results)


def command_line_actor(args) -> Actor:
    """Who the command line acts as: ``--user`` or the operating-system user, an administrator."""
    return local_actor((args.user or "").strip() or _default_user(), via="command line")


def cmd_check(args) -> int:
    actor = command_line_actor(args)
    return _each_file(args.files, lambda engine, content, name: check_file(engine, content, name, actor))


def cmd_ingest(args) -> int:
    actor = command_line_actor(args)
    return _each_file(args.files, lambda engine, content, name: ingest_file(
        engine, content, name, actor))


def cmd_template(args) -> int:
    reference = provider = type_name = None
    if args.contract:
        engine = _engine()
        with Session(engine) as session:
            contract = session.scalars(
                select(Contract).where(func.upper(Contract.reference)
                                       == args.contract.strip().upper())).first()
            if contract is not None:
                reference, provider = contract.reference, contract.provider.name
                type_name = contract.contract_type
        engine.dispose()
        if contract is None:
            print(f"Contract {args.contract} is not in the database; no template written. "
                  f"Load it first (for the sample: python -m data_ingest load-sample).",
                  file=sys.stderr)
            return 1
        if args.type and args.type != type_name:
            print(f"Contract {reference} is of type {type_name}, not {args.type}; no template "
                  "written. Leave out --type to use the contract's.", file=sys.stderr)
            return 1
    try:
        catalogue = _template_type(args.type or type_name)
    except (ContractTypeError, LookupError) as exc:
        print(f"{exc} No template written.", file=sys.stderr)
        return 1
    try:
        write_template(args.out, catalogue, reference=reference, provider=provider,
                       quarter=args.quarter, version=args.version)
    except UnknownVersion as exc:
        print(f"{exc} No template written.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.out} cannot be written: {exc.strerror or exc}. Check the folder exists "
              f"and the file is not open in Excel.", file=sys.stderr)
        return 1
    what = f"for {reference} ({provider})" if reference else "blank"
    when = f" {args.quarter.label}" if args.quarter else ""
    print(f"{args.out}: template{when} {what} written")
    return 0


def _template_type(name: str | None) -> Catalogue:
    """The type named, or the only type there is; LookupError saying which exist otherwise."""
    types = load_types()
    if name is None and len(types) == 1:
        return next(iter(types.values()))
    if name in types:
        return types[name]
    held = ", ".join(sorted(types)) or "none"
    if name is None:
        raise LookupError(f"Say which contract type the template is for: --type NAME (types held: {held}).")
    raise LookupError(f"There is no contract type {name} (types held: {held}).")


def cmd_load_sample(args) -> int:
    # The sample sits above the reader and the store it loads through: a command line may
    # use it, the package's modules do not (tests/test_package_cycles.py).
    from sample_data.load import load_sample

    engine = _engine()
    results = load_sample(engine)
    engine.dispose()
    return _print_results(results)


# --- parser ---------------------------------------------------------------------------------


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a quarter like '2016/17 Q4'") from None


def _version(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a template version like 2")
    return int(text)


def _default_user() -> str:
    return operating_system_user()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m data_ingest",
        description="Quarterly monitoring workbooks: write the template, check and store returns. "
                    "The database is DATABASE_URL (default: a SQLite file under data/).")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    template = commands.add_parser("template", help="write a blank workbook for providers")
    template.add_argument("out", metavar="OUT.xlsx", help="where to write it")
    template.add_argument("--contract", metavar="REF",
                          help="fill in the contract reference and provider from the database "
                               "(the contract's type is used)")
    template.add_argument("--type", metavar="NAME",
                          help="the contract type (a file in contract_types/, without .toml)")
    template.add_argument("--version", type=_version, metavar="N",
                          help="the template version (default: the type's latest)")
    template.add_argument("--quarter", type=_quarter, metavar="'2016/17 Q4'",
                          help="fill in the financial year and quarter")
    template.set_defaults(run=cmd_template)

    check = commands.add_parser("check", help="validate workbooks; writes nothing")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--user", default=None,
                       help="who is checking (default: your login name)")
    check.set_defaults(run=cmd_check)

    ingest = commands.add_parser("ingest", help="validate and store each workbook on its own")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--user", default=None,
                        help="who is uploading, recorded as 'NAME (command line)' "
                             "(default: your login name)")
    ingest.set_defaults(run=cmd_ingest)

    sample = commands.add_parser(
        "load-sample", help="load the sample contract, targets, quality visits and workbooks")
    sample.set_defaults(run=cmd_load_sample)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SQLAlchemyError as exc:
        print(unusable(exc), file=sys.stderr)
        return 1
