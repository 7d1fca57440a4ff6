"""No import cycle between the top-level packages: each imports only packages below it.

The graph is read from the source with ``ast`` (nothing is imported): an edge A → B
for every ``import B…`` or ``from B… import`` in a module of package A, at the top of
the file or inside a function (a lazy import is a dependency all the same).

Programs are left out of the graph: a package's ``__main__.py`` and the command line
it runs (:data:`PROGRAMS`) sit on top of everything and may use packages above their
own (``python -m data_ingest load-sample`` loads the sample, which is above the
reader). Nothing may import a program but its own ``__main__``, which
:func:`test_no_module_imports_a_program` checks, so leaving them out hides nothing.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Command-line modules that are not ``__main__.py``: each run only by its package's ``__main__``.
PROGRAMS = {"data_ingest/cli.py"}
#: Top-level modules that are programs, not libraries.
TOP_PROGRAMS = {"app.py"}
#: Packages at the very top, which run programs to test or time them.
DRIVERS = {"tests", "benchmarks"}


def _is_program(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return path.name == "__main__.py" or relative in PROGRAMS or relative in TOP_PROGRAMS


def top_level() -> dict[str, list[Path]]:
    """Each top-level package (a folder with ``__init__.py``) or module, and its files."""
    found: dict[str, list[Path]] = {}
    for path in sorted(ROOT.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            found[path.name] = sorted(path.rglob("*.py"))
        elif path.suffix == ".py":
            found[path.stem] = [path]
    return found


def imported(path: Path) -> list[str]:
    """Absolute module names a file imports (relative imports stay inside its package)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def graph() -> dict[str, dict[str, list[str]]]:
    """package -> package it imports -> the files that import it."""
    packages = top_level()
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for package, files in packages.items():
        for path in files:
            if _is_program(path):
                continue
            for name in imported(path):
                other = name.split(".")[0]
                if other in packages and other != package:
                    where = path.relative_to(ROOT).as_posix()
                    if where not in edges[package][other]:
                        edges[package][other].append(where)
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan), each as one cycle path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, {})):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_path(edges, group) for group in groups]


def _path(edges, group: list[str]) -> list[str]:
    """A cycle through the group's first member, found breadth first: [a, b, …, a]."""
    start = group[0]
    queue = [[start]]
    while queue:
        path = queue.pop(0)
        for other in sorted(edges.get(path[-1], {})):
            if other == start:
                return path + [start]
            if other in group and other not in path:
                queue.append(path + [other])
    return group


def describe(edges, cycle: list[str]) -> str:
    steps = [f"{a} -> {b} ({', '.join(edges[a][b])})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " then ".join(steps)


def test_no_import_cycle_between_top_level_packages():
    edges = graph()
    found = cycles(edges)
    assert not found, "import cycles between top-level packages:\n" + "\n".join(
        describe(edges, c) for c in found)


def test_no_module_imports_a_program():
    """A program (``__main__``, a command line) is imported by nothing but its own ``__main__``
    (and the tests and benchmarks that drive it)."""
    programs = {path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
                for files in top_level().values() for path in files if _is_program(path)}
    offenders = []
    for package, files in top_level().items():
        if package in DRIVERS:
            continue
        for path in files:
            own_main = path.name == "__main__.py"
            for name in imported(path):
                if name in programs and not (own_main and name.split(".")[0] == path.parent.name):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_the_check_finds_a_cycle():
    """The checker itself: a made-up cycle is found and named with the files that make it."""
    edges = {"a": {"b": ["a/x.py"]}, "b": {"c": ["b/y.py"]}, "c": {"a": ["c/z.py"]}, "d": {"a": ["d/w.py"]}}
    found = cycles(edges)
    assert found == [["a", "b", "c", "a"]]
    assert describe(edges, found[0]) == "a -> b (a/x.py) then b -> c (b/y.py) then c -> a (c/z.py)"
