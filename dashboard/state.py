"""The sidebar's choice of contract and quarter, shared by every page and kept in the URL.

``app.py`` calls :func:`sidebar` once per run, before the page runs; pages call
:func:`current` to read the same choice. The choice lives in the URL's query
parameters (``?contract=ASC0013&quarter=2016-17-Q3``), so a link to a page and
quarter can be sent round before a meeting: a new browser session takes its
choice from the URL, and every run writes the choice back to the URL (Streamlit
clears query parameters when the user moves to another page).

Page-specific state (a chart's quarter/year-to-date switch, a form's fields)
goes in ``st.session_state`` under :func:`page_key`, so that two pages never
share a key by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from dashboard import cache
import formats as fmt
from models.periods import Quarter, parse_fiscal_year, parse_quarter

#: Query parameter and session key of the chosen contract and quarter.
CONTRACT = "contract"
QUARTER = "quarter"
_SELECTION = "dashboard:selection"
_FROM_URL = "dashboard:read-url"
_WANTED_QUARTER = "dashboard:wanted-quarter"


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose, and what every page needs to draw it."""

    #: Contract reference, or None when no contract is held.
    contract: str | None
    #: The chosen quarter, or None when the contract has no quarter held.
    quarter: Quarter | None
    #: The data version: pass it to every cached loader.
    version: str
    #: The quarters held for the contract, oldest first.
    quarters: tuple[Quarter, ...] = ()
    #: The contract's row of ``indicators.data.load_contracts`` as a dict.
    contract_details: dict = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        """A contract and a quarter are chosen, so there is something to draw."""
        return self.contract is not None and self.quarter is not None


def page_key(page: str, name: str) -> str:
    """The session key of one page's own state: ``page_key("refuge", "basis")`` → ``refuge:basis``."""
    return f"{page}:{name}"


def quarter_param(quarter: Quarter) -> str:
    """A quarter as it appears in the URL: ``2016-17-Q3`` (no characters that need escaping)."""
    return f"{quarter.fiscal_year.replace('/', '-')}-Q{quarter.quarter}"


def parse_quarter_param(text: str | None) -> Quarter | None:
    """``2016-17-Q3`` (or ``2016/17 Q3``) → Quarter; None for anything else."""
    if not text:
        return None
    text = str(text).strip().replace(" ", "-")
    year_text, _, quarter_text = text.rpartition("-")
    try:
        return Quarter(parse_fiscal_year(year_text), parse_quarter(quarter_text))
    except ValueError:
        return None


def choose_quarter(quarter: Quarter) -> None:
    """Make ``quarter`` the sidebar's choice from the next run on (for example after storing
    its return); ignored if the contract has no such quarter."""
    st.session_state[_WANTED_QUARTER] = quarter_param(quarter)


def link_params(selection: Selection) -> dict[str, str]:
    """The query parameters that reproduce ``selection`` (for ``st.page_link(query_params=…)``)."""
    params = {}
    if selection.contract:
        params[CONTRACT] = selection.contract
    if selection.quarter:
        params[QUARTER] = quarter_param(selection.quarter)
    return params


def _read_url_once(references: list[str]) -> None:
    """On a new session, take the choice from the URL (a link someone sent)."""
    if st.session_state.get(_FROM_URL):
        return
    st.session_state[_FROM_URL] = True
    wanted = st.query_params.get(CONTRACT)
    if wanted in references:
        st.session_state[CONTRACT] = wanted
    quarter = parse_quarter_param(st.query_params.get(QUARTER))
    if quarter is not None:
        st.session_state[_WANTED_QUARTER] = quarter_param(quarter)


def _contract_label(details: dict) -> str:
    provider = details.get("provider") or ""
    return f"{details['contract']} · {provider}" if provider else str(details["contract"])


def sidebar() -> Selection:
    """Draw the contract and quarter choosers in the sidebar; return and remember the choice."""
    version = cache.data_version()
    contracts = cache.contracts(version)
    references = [str(r) for r in contracts["contract"]] if not contracts.empty else []
    details_by_ref = {str(row["contract"]): row for row in contracts.to_dict("records")}
    _read_url_once(references)

    contract = None
    if references:
        if st.session_state.get(CONTRACT) not in references:
            st.session_state[CONTRACT] = references[0]
        contract = st.sidebar.selectbox(
            "Contract", references, key=CONTRACT,
            format_func=lambda ref: _contract_label(details_by_ref[ref]),
            help="The contract whose figures every page shows.")
    else:
        st.sidebar.info("No contract is held yet.")

    quarter = None
    held: list[Quarter] = cache.quarters(contract, version) if contract else []
    if held:
        options = [quarter_param(q) for q in reversed(held)]   # newest first: the default
        wanted = st.session_state.pop(_WANTED_QUARTER, None)
        if wanted in options:
            st.session_state[QUARTER] = wanted
        elif st.session_state.get(QUARTER) not in options:
            st.session_state[QUARTER] = options[0]
        chosen = st.sidebar.selectbox(
            "Quarter", options, key=QUARTER,
            format_func=lambda param: fmt.quarter(parse_quarter_param(param)),
            help="Financial-year quarter: Q1 April–June, Q2 July–September, "
                 "Q3 October–December, Q4 January–March.")
        quarter = parse_quarter_param(chosen)
    elif contract:
        st.sidebar.info("No quarterly return is held for this contract yet.")

    _write_url(contract, quarter)
    selection = Selection(contract, quarter, version, tuple(held),
                          dict(details_by_ref.get(contract, {})) if contract else {})
    st.session_state[_SELECTION] = selection
    return selection


def _write_url(contract: str | None, quarter: Quarter | None) -> None:
    wanted = {CONTRACT: contract, QUARTER: quarter_param(quarter) if quarter else None}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _leave_pages_directory_mode() -> None:
    """Run through ``app.py`` when Streamlit ran a page file on its own.

    With a ``pages/`` folder beside ``app.py``, Streamlit treats the folder as a
    page list until some session has called ``st.navigation``. So the first
    session after the server starts, if it opens a link to a page (``/refuge``),
    gets that file run on its own, without the sidebar. Switching the flag that
    ``st.navigation`` itself switches and rerunning sends the same page through
    ``app.py``; it works because each ``url_path`` in ``app.py`` is its file's name.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current() -> Selection:
    """The choice made in the sidebar in this run (pages call this)."""
    _leave_pages_directory_mode()
    selection = st.session_state.get(_SELECTION)
    if selection is None:   # a page run on its own, without app.py (not in normal use)
        selection = sidebar()
    return selection


def require_contract(selection: Selection) -> str:
    """The chosen contract; with none held, say why and stop the page (records pages need no quarter)."""
    if selection.contract is None:
        require_selection(selection)
        st.stop()
    return selection.contract


def require_selection(selection: Selection) -> bool:
    """Show why there is nothing to draw; True when a contract and quarter are chosen."""
    if selection.contract is None:
        st.info("No contract is held yet. Load the sample with `python -m data_ingest load-sample`, "
                "or set up a contract first.")
        return False
    if selection.quarter is None:
        st.info(f"No quarterly return is held for {selection.contract} yet. "
                "Upload the provider's workbook to see its figures here.")
        return False
    return True
