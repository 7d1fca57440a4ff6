"""Getting the dashboard ready before it listens, so that nobody waits for a cold start.

A freshly started server would make its first visitor wait for Python to import the
libraries the pages use (pandas, Plotly, SQLAlchemy: about two seconds), for the
database's schema check, and for the engine to compute the indicators of the contract
opened. ``python -m dashboard`` calls :func:`warm` before the server starts listening,
so the first visit is as quick as any other: the modules the app and its pages import
are imported, the engine made, and the Portfolio and each contract's latest quarter
(the first :data:`WARM_CONTRACTS`) put in the caches the pages read.
"""

from __future__ import annotations

import ast
import importlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import settings

#: The longest the dashboard waits for the warm-up before it listens all the same.
WARM_SECONDS = 30.0
#: How many contracts' latest quarters are computed before the server listens (the rest on
#: their first visit): enough for a council's contracts, bounded for a very large register.
WARM_CONTRACTS = 20
#: The files whose imports are the app's: the entry point, the pages and what draws them.
APP_FILES = ("app.py", "pages/*.py", "dashboard/*.py")
#: Modules the libraries import only when first used (pandas' table styles compile their
#: templates on import: a quarter of a second).
FIRST_USE_MODULES = ("pandas.io.formats.style",)


def modules_imported(root: Path = settings.ROOT) -> list[str]:
    """Every module the app's files import, at the top or inside a function, in file order."""
    names: dict[str, None] = {}
    for pattern in APP_FILES:
        for path in sorted(root.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(dict.fromkeys(alias.name for alias in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names[node.module] = None
                    # ``from dashboard import cache``: cache may be a module of the package.
                    names.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return list(names)


def import_modules(names: list[str]) -> None:
    for name in names:
        # ``package.name`` where the name is a function or class, not a module, is passed over;
        # so is a module that fails to import: the page that needs it says so when opened.
        with suppress(Exception):
            importlib.import_module(name)


@contextmanager
def _quiet_streamlit() -> Iterator[None]:
    """Streamlit warns that there is no script run when it is used before the server starts:
    true, and expected here."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _draw_once() -> None:
    """Draw one of each kind of element the pages use, to no screen: Streamlit's own first-use
    work (its one-off look at how it was started walks the whole call stack) and the
    libraries' (Arrow tables, Plotly's JSON) are then done before anyone visits."""
    import pandas as pd
    import plotly.graph_objects as go
    import streamlit as st

    from dashboard import layout

    table = pd.DataFrame({"Quarter": ["2016/17 Q3"], "RAG": ["green"]})
    st.markdown("")
    st.dataframe(layout.rag_styler(table, table["RAG"], ["RAG"]), hide_index=True)
    layout.static_table(table, table["RAG"], ("RAG",))
    st.plotly_chart(go.Figure(go.Scatter(x=[1], y=[1])), config=layout.PLOTLY_CONFIG)


def warm(contracts: int = WARM_CONTRACTS) -> str:
    """Import the app's modules and fill the caches of the first pages; says what was done.

    A database that cannot be opened, or a contract that cannot be computed, is left for the
    pages to report, as they do."""
    start = time.perf_counter()
    problems: list[str] = []
    ready = 0
    with _quiet_streamlit():
        import_modules([*modules_imported(), *FIRST_USE_MODULES])
        from dashboard import cache

        try:
            _draw_once()
            version = cache.data_version()
            cache.portfolio(version)
            held = cache.contracts(version)
        except Exception as exc:  # noqa: BLE001 - the pages say what is wrong with the database
            problems.append(str(exc))
            held = None
        for reference, type_name in ([] if held is None else
                                     held[["contract", "contract_type"]].head(contracts).itertuples(index=False)):
            try:
                quarters = cache.quarters(reference, version)
                if quarters:
                    cache.overview(reference, type_name, quarters[-1], version)
                    cache.narrative(reference, type_name, quarters[-1], version)
                    cache.latest_return(reference, version)
                ready += 1
            except Exception as exc:  # noqa: BLE001 - its pages say what is wrong
                problems.append(f"{reference}: {exc}")
    for problem in problems:
        logging.getLogger(__name__).warning("Not made ready ahead of the first visit: %s", problem)
    return (f"Made ready in {time.perf_counter() - start:.1f} s: the app's code, and the latest quarter "
            f"of {ready} contract{'' if ready == 1 else 's'}"
            + (f"; {len(problems)} problem{'' if len(problems) == 1 else 's'} logged above" if problems else "")
            + ".")


def warm_before_listening(wait: float = WARM_SECONDS) -> str:
    """:func:`warm`, waited for at most ``wait`` seconds: a database that does not answer must
    not keep the dashboard from starting. The warm-up then goes on beside the server."""
    said: list[str] = []
    thread = threading.Thread(target=lambda: said.append(warm()), name="warm-up", daemon=True)
    thread.start()
    thread.join(wait)
    if said:
        return said[0]
    logging.disable(logging.NOTSET)     # the server's own messages must be seen meanwhile
    return (f"Still getting ready after {wait:.0f} s (is the database answering?); listening "
            "meanwhile.")
