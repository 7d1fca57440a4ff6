"""No measure or indicator code is written into the product's code: they come from the type files.

Any string literal in ``data_ingest/``, ``indicators/``, ``records/``,
``dashboard/``, ``pages/`` or ``reports/`` that holds a code of any type in
``contract_types/`` (as a whole word: ``"OS04"``, ``"RF-OCC"``, ``f"... (OS04)"``)
fails, naming the file and line. Docstrings may mention codes (they explain
with examples); comments are not string literals. The catalogue must no longer
serve the old module globals (``ONE_STOP``, ``MEASURES``...) through a module
``__getattr__``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import settings
from models.contract_types import load_types

FOLDERS = ("data_ingest", "indicators", "records", "dashboard", "pages", "reports")


def _codes() -> set[str]:
    codes: set[str] = set()
    for catalogue in load_types(settings.ROOT / "contract_types").values():
        codes |= {m.code for m in catalogue.measures} | {i.code for i in catalogue.indicators}
    return codes


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings of a module, class or function."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def _literals_with_codes(path: Path, pattern: re.Pattern, root: Path = settings.ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            codes = sorted(set(pattern.findall(node.value)))
            if codes:
                where = path.relative_to(root)
                found.append((node.lineno, f"{where}:{node.lineno}: {', '.join(codes)} in {node.value[:60]!r}"))
    return [line for _, line in sorted(found)]


def test_no_measure_or_indicator_code_is_a_literal_in_the_product():
    codes = _codes()
    assert len(codes) > 50
    # A code as a whole word: not part of a longer code (OS04 in OS041, RF-OCC in RF-OCC2).
    pattern = re.compile(r"(?<![A-Za-z0-9-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                         + r")(?![A-Za-z0-9-])")
    found = []
    for folder in FOLDERS:
        for path in sorted((settings.ROOT / folder).rglob("*.py")):
            found += _literals_with_codes(path, pattern)
    assert found == [], "codes written into the code (read them from the catalogue):\n" + "\n".join(found)


def test_the_catalogue_no_longer_serves_the_old_globals():
    tree = ast.parse((settings.ROOT / "models" / "catalogue.py").read_text(encoding="utf-8"))
    module_getattr = [node.lineno for node in tree.body
                      if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"]
    assert module_getattr == [], (
        f"models/catalogue.py:{module_getattr[0] if module_getattr else ''}: the transitional module "
        "__getattr__ still serves the old globals; remove it once no code uses them")


def test_the_scan_finds_a_code_where_there_is_one(tmp_path):
    # The test above can fail: a literal is found, a docstring and a comment are not.
    module = tmp_path / "example.py"
    module.write_text('"""Mentions OS04 in a docstring."""\n'
                      "# and OS04 in a comment\n"
                      "def f():\n"
                      '    """RF-OCC in a docstring."""\n'
                      '    return {"OS04": 1}, f"rate (RF-OCC) {f}", "OS041 is not a code"\n',
                      encoding="utf-8")
    pattern = re.compile(r"(?<![A-Za-z0-9-])(RF-OCC|OS04)(?![A-Za-z0-9-])")
    found = _literals_with_codes(module, pattern, root=tmp_path)
    assert [line.split(":")[1] for line in found] == ["5", "5"]
    assert "OS04" in found[0] + found[1] and "RF-OCC" in found[0] + found[1]
