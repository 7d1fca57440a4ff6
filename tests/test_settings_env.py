"""Every environment variable is read in ``settings.py``, and each is in the README's tables."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" \
        and isinstance(node.value, ast.Name) and node.value.id == "os"


def reads(path: Path) -> list[tuple[int, str]]:
    """(line, variable) of each read of the environment in a file: ``os.environ.get(NAME)``,
    ``os.environ[NAME]`` and ``os.getenv(NAME)`` (NAME "?" when not a literal)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if (node.func.attr == "get" and _is_environ(node.func.value)) or (
                    node.func.attr == "getenv" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "os"):
                name = node.args[0] if node.args else None
            else:
                continue
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            name = node.slice
        else:
            continue
        found.append((node.lineno, name.value if isinstance(name, ast.Constant) else "?"))
    return found


def test_the_environment_is_read_only_in_settings():
    elsewhere = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", ".venv") or relative.as_posix() == "settings.py" \
                or relative.parts[0].startswith("."):
            continue
        elsewhere += [f"{relative}:{line} reads {name}" for line, name in reads(path)]
    assert not elsewhere, elsewhere


def test_every_variable_is_in_the_readme():
    variables = {name for _, name in reads(ROOT / "settings.py")}
    assert "?" not in variables
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    listed = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    assert variables <= listed, sorted(variables - listed)
