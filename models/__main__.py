"""The command line of the models: ``python -m models check-type FILE...``.

``check-type`` validates contract type files before they are put in
``contract_types/``, exactly as the product will when it loads them, and
prints one line per file::

    contract_types/domestic-abuse.toml: ok (58 measures, 16 checks, 21 indicators, 4 pages, versions 1, 2)
    my-type.toml: refused
      measure HV03: sheet 'Missed visits' is not in sheets ['Visits', 'Finance']; ...

A folder stands for every ``.toml`` file in it. Exit status: 0 when every
file is ok, 1 when any was refused, 2 on a usage error (argparse).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from models.catalogue import Catalogue
from models.contract_types import ContractTypeError, check_type_file


def summary(catalogue: Catalogue) -> str:
    """``58 measures, 16 checks, 21 indicators, 4 pages, versions 1, 2``."""
    counts = ((len(catalogue.measures), "measure"), (len(catalogue.checks), "check"),
              (len(catalogue.indicators), "indicator"), (len(catalogue.pages), "page"))
    versions = ", ".join(str(v) for v in catalogue.versions)
    return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts) + \
        f", {'version' if len(catalogue.versions) == 1 else 'versions'} {versions}"


def check_types(paths: Sequence[str]) -> tuple[list[str], bool]:
    """The lines to print for the files (folders stand for their ``.toml`` files) and whether all are ok."""
    lines: list[str] = []
    all_ok = True
    for given in paths:
        path = Path(given)
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        if not files:
            lines += [f"{given}: refused", "  the folder holds no .toml file"]
            all_ok = False
        for file in files:
            try:
                catalogue = check_type_file(file)
            except ContractTypeError as refused:
                all_ok = False
                lines.append(f"{file}: refused")
                # Each problem already starts with the file's name; the heading line says it once.
                lines += [f"  {problem.removeprefix(f'{file.name}: ')}" for problem in refused.problems]
            else:
                lines.append(f"{file}: ok ({summary(catalogue)})")
    return lines, all_ok


def cmd_check_type(args) -> int:
    lines, all_ok = check_types(args.files)
    print("\n".join(lines))
    return 0 if all_ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models", description="Contract types and the database.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-type", help="validate contract type files before use",
        description="Validate contract type files (TOML) as the product does when it loads them; "
                    "a folder means every .toml file in it. See docs/contract-types.md.")
    check.add_argument("files", nargs="+", metavar="FILE", help="a type file, or a folder of them")
    check.set_defaults(run=cmd_check_type)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
