"""The one database engine, and cached loaders keyed by their arguments and a data version.

- :func:`engine` is the only thing held with ``st.cache_resource``: one engine
  (one connection pool) per database URL for the whole server.
- Every loader is ``st.cache_data``: its result is kept per database URL, data
  version and arguments. :func:`data_version` is a cheap query whose answer
  changes whenever anything is stored, so a new submission shows on the next
  rerun without anyone clearing a cache.
- After storing something a page may call :func:`clear` to drop every cached
  result at once (not needed for correctness, only to free memory sooner).

Usage in a page (the sidebar's :class:`dashboard.state.Selection` carries the version and
the name of the contract's type)::

    sel = state.current()
    table = cache.indicators(sel.contract, sel.version)

A loader that needs the contract type's catalogue takes the type's NAME (a string,
cheap to hash) and looks the catalogue up with :func:`catalogue`.

Loaders return copies (``st.cache_data`` pickles), so callers may change them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import settings
from models.periods import Quarter


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    from models.database import make_engine, migrate

    engine = make_engine(url)
    # Once per server: a fresh machine gets its tables, an older database its new columns,
    # so that the dashboard opens (on an empty database it says what to load).
    migrate(engine)
    return engine


def database_url() -> str:
    return settings.database_url()


def engine() -> Engine:
    """The engine for ``DATABASE_URL``, created once per server process."""
    return _engine_for(database_url())


def data_version() -> str:
    """A token that changes whenever anything is stored (one cheap query, not cached)."""
    from records.data_version import data_version as query

    return query(engine())


def catalogue(type_name: str):
    """The catalogue of a contract type by name (``models.contract_types.get_type``: read once,
    again only when its file changes); ``ContractTypeError`` when it is missing or faulty."""
    from models.contract_types import get_type

    return get_type(type_name)


def clear() -> None:
    """Drop every cached query and indicator result (call after storing something)."""
    st.cache_data.clear()


# --- cached loaders ---------------------------------------------------------------------
# Each public loader passes the database URL on, so that two databases in one
# process (tests, benchmarks) never share results.


@st.cache_data(show_spinner=False, max_entries=64)
def _contracts(url: str, version: str) -> pd.DataFrame:
    from indicators.data import load_contracts

    return load_contracts(_engine_for(url)).sort_values("contract").reset_index(drop=True)


def contracts(version: str) -> pd.DataFrame:
    """Every contract held (``indicators.data.load_contracts``), by reference."""
    return _contracts(database_url(), version)


@st.cache_data(show_spinner=False, max_entries=256)
def _measures(url: str, version: str, contract: str) -> pd.DataFrame:
    from indicators.data import load_measures

    return load_measures(_engine_for(url), contract)


def measures(contract: str, version: str) -> pd.DataFrame:
    """The current measure values of one contract (``indicators.data.load_measures``)."""
    return _measures(database_url(), version, contract)


@st.cache_data(show_spinner=False, max_entries=256)
def _indicators(url: str, version: str, contract: str) -> pd.DataFrame:
    from indicators.engine import indicators_for

    return indicators_for(_engine_for(url), contract)


def indicators(contract: str, version: str) -> pd.DataFrame:
    """Every indicator of one contract for every quarter held, both bases (the engine's table)."""
    return _indicators(database_url(), version, contract)


@st.cache_data(show_spinner=False, max_entries=256)
def _quarters(url: str, version: str, contract: str) -> list[tuple[int, int]]:
    table = _indicators(url, version, contract)
    if table.empty:
        return []
    pairs = table[["year", "quarter"]].drop_duplicates().sort_values(["year", "quarter"])
    return [(int(y), int(q)) for y, q in pairs.itertuples(index=False)]


def quarters(contract: str, version: str) -> list[Quarter]:
    """The quarters held for a contract, oldest first."""
    return [Quarter(y, q) for y, q in _quarters(database_url(), version, contract)]


@st.cache_data(show_spinner=False, max_entries=512)
def _narrative(url: str, version: str, contract: str, type_name: str, year: int, quarter: int) -> list[str]:
    from indicators.narrative import narrative

    return narrative(_indicators(url, version, contract), contract, Quarter(year, quarter),
                     catalogue(type_name))


def narrative(contract: str, type_name: str, quarter: Quarter, version: str) -> list[str]:
    """The engine's sentences about the quarter (``indicators.narrative.narrative``)."""
    return _narrative(database_url(), version, contract, type_name, quarter.year, quarter.quarter)


@st.cache_data(show_spinner=False, max_entries=512)
def _quarter_return(url: str, version: str, contract: str, year: int, quarter: int, actor):
    from records.commentary import quarter_return

    return quarter_return(_engine_for(url), contract, Quarter(year, quarter), actor)


def quarter_return(contract: str, quarter: Quarter, version: str, actor):
    """The quarter's current submission: commentary and warnings (``records.commentary``), as
    ``actor`` (``users.Actor``, part of the cache key) may read it."""
    return _quarter_return(database_url(), version, contract, quarter.year, quarter.quarter, actor)


def cached(func):
    """``st.cache_data`` for a view builder of :mod:`dashboard.views`.

    The wrapped function's arguments must be hashable or DataFrames; put the data
    version among them so that a stored submission gives a new result.
    """
    return st.cache_data(show_spinner=False, max_entries=512)(func)


# --- SPC and the views the pages draw, cached whole so that a warm rerun is cheap --------


@st.cache_data(show_spinner=False, max_entries=512)
def _spc_summary(url: str, version: str, contract: str, type_name: str, year: int, quarter: int) -> pd.DataFrame:
    from indicators.spc import spc_summary

    return spc_summary(_indicators(url, version, contract), contract, catalogue(type_name),
                       Quarter(year, quarter))


def spc_summary(contract: str, type_name: str, quarter: Quarter, version: str) -> pd.DataFrame:
    """SPC verdicts of every indicator on the quarters held up to ``quarter`` (quarter basis)."""
    return _spc_summary(database_url(), version, contract, type_name, quarter.year, quarter.quarter)


@st.cache_data(show_spinner=False, max_entries=1024)
def _spc_chart(url: str, version: str, contract: str, indicator: str):
    from indicators.spc import spc_for

    return spc_for(_indicators(url, version, contract), contract, indicator)


def spc_chart(contract: str, indicator: str, version: str):
    """The SPC chart (``indicators.spc.SpcResult``) of one indicator over every quarter held."""
    return _spc_chart(database_url(), version, contract, indicator)


@st.cache_data(show_spinner=False, max_entries=512)
def _overview(url: str, version: str, contract: str, type_name: str, year: int, quarter: int, today):
    from dashboard import views

    kind = catalogue(type_name)
    chosen = Quarter(year, quarter)
    table = _indicators(url, version, contract)
    details = _contracts(url, version).set_index("contract").loc[contract].to_dict()
    details["contract"] = contract
    grid = views.overview_grid(table, kind, chosen, _spc_summary(url, version, contract, type_name, year, quarter))
    return {
        "card": views.contract_card(details, table, kind, chosen, today),
        "grid": grid,
        "counts": views.rag_counts(grid),
        "missing": views.missing_note(table, chosen),
        "figures": views.key_figures(table, _measures(url, version, contract), kind, chosen),
    }


def overview(contract: str, type_name: str, quarter: Quarter, version: str) -> dict:
    """Everything the Overview draws: ``card``, ``grid``, ``counts``, ``figures``."""
    return _overview(database_url(), version, contract, type_name, quarter.year, quarter.quarter, date.today())


@st.cache_data(show_spinner="Making the meeting pack…", max_entries=16)
def _meeting_pack(url: str, version: str, contract: str, year: int, quarter: int, suppress: bool, actor):
    from reports import build_pack

    # Made once per quarter, data version and person: the PDF and the workbook buttons share
    # it, and a second download is served from the cache at once.
    return build_pack(_engine_for(url), contract, Quarter(year, quarter), suppress, actor=actor)


def meeting_pack(contract: str, quarter: Quarter, version: str, suppress: bool = True, *, actor):
    """The meeting pack (``reports.Pack``: pdf and xlsx bytes) for a contract's quarter, made for
    ``actor`` (``users.Actor``, part of the cache key; a provider's is always suppressed)."""
    return _meeting_pack(database_url(), version, contract, quarter.year, quarter.quarter, suppress, actor)


@st.cache_data(show_spinner=False, max_entries=256)
def _latest_return(url: str, version: str, contract: str, today: date) -> dict | None:
    from alerts.deadlines import latest_status

    rows = latest_status(_engine_for(url), today, [contract])
    return rows.iloc[0].to_dict() if len(rows) else None


def latest_return(contract: str, version: str, today: date | None = None) -> dict | None:
    """The contract's latest return by its deadline (``alerts.deadlines.latest_status``), as of today."""
    return _latest_return(database_url(), version, contract, today or date.today())


@st.cache_data(show_spinner="Reading every contract…", max_entries=16)
def _portfolio(url: str, version: str, today: date) -> pd.DataFrame:
    from dashboard.portfolio import portfolio_table

    return portfolio_table(_engine_for(url), today)


def portfolio(version: str, today: date | None = None) -> pd.DataFrame:
    """One row per contract held (``dashboard.portfolio.portfolio_table``), as of today."""
    return _portfolio(database_url(), version, today or date.today())
