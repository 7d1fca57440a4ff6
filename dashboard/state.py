"""The sidebar's choice of contract and quarter, shared by every page and kept in the URL.

``app.py`` calls :func:`sidebar` once per run, before it builds the navigation
(the service pages are those of the chosen contract's type); pages call
:func:`current` to read the same choice. The choice lives in the URL's query
parameters (``?contract=ASC0013&quarter=2016-17-Q3``), so a link to a page and
quarter can be sent round before a meeting: a URL that names a contract or a
quarter other than the one last written (a new browser session, a link, an
``st.page_link(..., query_params=...)``, Back) chooses it; one that names a contract
or quarter not held says so on the page and shows another. The choice is written back
to the URL only when it differs from the URL's, all at once: the browser adds a history
entry for each write, so one page or quarter change is one entry and Back goes back.
The quarter / year-to-date choice (:func:`basis`) is every page's, and ``basis=ytd``
in the URL. :func:`choose_contract` and :func:`choose_quarter` choose from code
(after registering a contract, after storing a return).

Page-specific state (a chart's quarter/year-to-date switch, a form's fields)
goes in ``st.session_state`` under :func:`page_key`, so that two pages never
share a key by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

import formats as fmt
from dashboard import cache, signin
from models.periods import Quarter, parse_fiscal_year, parse_quarter
from records.users import operating_system_user
from users import Actor, local_actor

#: Query parameter and session key of the chosen contract and quarter.
CONTRACT = "contract"
QUARTER = "quarter"
_SELECTION = "dashboard:selection"
_WRITTEN = "dashboard:url-written"
_WANTED_CONTRACT = "dashboard:wanted-contract"
_WANTED_QUARTER = "dashboard:wanted-quarter"
#: Query parameter and session key of the quarter / year-to-date choice, shared by every page.
BASIS = "basis"
BASES = ("quarter", "ytd")
_BASIS = "dashboard:basis"
#: The keys of the pages' quarter / year-to-date switches drawn so far (a URL's choice resets them).
_BASIS_SWITCHES = "dashboard:basis-switches"
#: What the URL asked for that is not held, said at the top of the page (item 13).
_NOT_HELD = "dashboard:not-held"


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
    #: The name of the contract's type (``contract_types/<name>.toml``), or None with no contract.
    contract_type: str | None = None
    #: The person acting (``dashboard.signin``): pass it to every function that reads or writes records.
    actor: Actor = field(default_factory=lambda: local_actor(operating_system_user()))

    @property
    def ready(self) -> bool:
        """A contract and a quarter are chosen, so there is something to draw."""
        return self.contract is not None and self.quarter is not None

    @property
    def catalogue(self):
        """The catalogue of the contract's type (``models.catalogue.Catalogue``), or None with no
        contract. ``models.contract_types.ContractTypeError`` when its file is missing or faulty
        (:func:`require_catalogue` says so on the page instead)."""
        return cache.catalogue(self.contract_type) if self.contract_type else None


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


def choose_contract(reference: str) -> None:
    """Make contract ``reference`` the sidebar's choice from the next run on (for example after
    registering it); ignored if no such contract is held."""
    st.session_state[_WANTED_CONTRACT] = reference


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


def _read_url(references: list[str]) -> None:
    """Take the choice from the URL when it names one this session did not write there:
    a link someone sent (a new session) or a link within the dashboard to a contract.

    A choice made in code in the previous run (:func:`choose_contract`, :func:`choose_quarter`)
    is newer than the URL and wins: ``st.switch_page`` reruns with the URL the run began with.
    """
    written = st.session_state.get(_WRITTEN, {})
    wanted = st.query_params.get(CONTRACT)
    if wanted is not None and wanted != written.get(CONTRACT):
        if wanted in references:
            st.session_state.setdefault(_WANTED_CONTRACT, wanted)
        else:
            st.session_state[_NOT_HELD] = {CONTRACT: wanted}
    text = st.query_params.get(QUARTER)
    quarter = parse_quarter_param(text)
    if text is not None and text != written.get(QUARTER):
        if quarter is not None:
            st.session_state.setdefault(_WANTED_QUARTER, quarter_param(quarter))
        else:
            st.session_state.setdefault(_NOT_HELD, {})[QUARTER] = text
    # Only the year to date is written (``basis=ytd``): a URL that names a contract without it
    # (a link, or Back to an entry written so) is each quarter's. A URL naming nothing is
    # Streamlit's on moving to another page (it clears the parameters): it changes nothing.
    basis = st.query_params.get(BASIS) or ("quarter" if CONTRACT in st.query_params else None)
    if basis in BASES and basis != (written.get(BASIS) or "quarter") and basis != st.session_state.get(_BASIS):
        st.session_state[_BASIS] = basis
        for key in st.session_state.get(_BASIS_SWITCHES, ()):
            st.session_state.pop(key, None)


def _contract_label(details: dict) -> str:
    provider = details.get("provider") or ""
    return f"{details['contract']} · {provider}" if provider else str(details["contract"])


#: CSS putting the sidebar's own content (the contract and quarter choosers) above the page list.
SIDEBAR_ORDER = """<style>
  [data-testid="stSidebarContent"] { display: flex; flex-direction: column; }
  [data-testid="stSidebarHeader"] { order: 0; }
  [data-testid="stSidebarUserContent"] { order: 1; padding-bottom: 0.5rem; }
  [data-testid="stSidebarNav"] { order: 2; }
</style>"""


def sidebar(actor: Actor | None = None) -> Selection:
    """Draw the contract and quarter choosers in the sidebar; return and remember the choice.

    A provider's staff are offered only their own organisation's contracts.
    """
    actor = actor or local_actor(operating_system_user())
    # The choosers above the list of pages, so that on a small screen (1280×720) the quarter
    # is in reach without scrolling the sidebar (Streamlit draws its page list first).
    st.sidebar.html(SIDEBAR_ORDER)
    version = cache.data_version()
    contracts = visible_contracts(cache.contracts(version), actor)
    references = [str(r) for r in contracts["contract"]] if not contracts.empty else []
    details_by_ref = {str(row["contract"]): row for row in contracts.to_dict("records")}
    _read_url(references)

    contract = None
    if references:
        wanted = st.session_state.pop(_WANTED_CONTRACT, None)
        if wanted in references:
            st.session_state[CONTRACT] = wanted
        elif st.session_state.get(CONTRACT) not in references:
            st.session_state[CONTRACT] = references[0]
        contract = st.sidebar.selectbox(
            "Contract", references, key=CONTRACT,
            format_func=lambda ref: _contract_label(details_by_ref[ref]),
            help="The contract whose figures every page shows.")
    else:
        st.sidebar.info("No contract is held yet: register one on the Contracts page.")

    quarter = None
    held: list[Quarter] = cache.quarters(contract, version) if contract else []
    if held:
        options = [quarter_param(q) for q in reversed(held)]   # newest first: the default
        wanted = st.session_state.pop(_WANTED_QUARTER, None)
        if wanted in options:
            st.session_state[QUARTER] = wanted
        elif wanted is not None and (QUARTER not in st.session_state.get(_NOT_HELD, {})):
            st.session_state.setdefault(_NOT_HELD, {})[QUARTER] = wanted
        if st.session_state.get(QUARTER) not in options:
            st.session_state[QUARTER] = options[0]
        chosen = st.sidebar.selectbox(
            "Quarter", options, key=QUARTER,
            format_func=lambda param: fmt.quarter(parse_quarter_param(param)),
            help="Financial-year quarter: Q1 April–June, Q2 July–September, "
                 "Q3 October–December, Q4 January–March.")
        quarter = parse_quarter_param(chosen)
    elif contract:
        st.sidebar.info("No quarterly return is held for this contract yet.")

    _say_not_held(contract, quarter)
    _write_url(contract, quarter)
    details = dict(details_by_ref.get(contract, {})) if contract else {}
    selection = Selection(contract, quarter, version, tuple(held), details,
                          str(details["contract_type"]) if details.get("contract_type") else None, actor)
    st.session_state[_SELECTION] = selection
    return selection


def _say_not_held(contract: str | None, quarter: Quarter | None) -> None:
    """Say on the page that a link's contract or quarter is not held, and what is shown instead."""
    asked = st.session_state.pop(_NOT_HELD, None)
    if not asked:
        return
    if CONTRACT in asked:
        instead = f"showing {contract} instead" if contract else "no contract is shown"
        st.warning(f"The link names contract {asked[CONTRACT]!r}, which is not held (or not one you "
                   f"may see): {instead}.", icon=":material/link_off:")
    if QUARTER in asked:
        text = asked[QUARTER]
        named = parse_quarter_param(text)
        what = (f"quarter {fmt.quarter(named)}, which is not held for {contract}" if named
                else f"quarter {text!r}, which is not a quarter (write it as 2016-17-Q3)")
        instead = f"showing {fmt.quarter(quarter)} instead" if quarter else "no quarter is shown"
        st.warning(f"The link names {what}: {instead}.", icon=":material/link_off:")


def basis() -> str:
    """The quarter / year-to-date choice (``quarter`` or ``ytd``), shared by every page and kept
    in the URL (``basis=ytd``)."""
    chosen = st.session_state.get(_BASIS)
    return chosen if chosen in BASES else "quarter"


def basis_shown(switch_key: str) -> str | None:
    """What the switch ``switch_key`` showed when it was last drawn (None: never drawn)."""
    return st.session_state.get(_BASIS_SWITCHES, {}).get(switch_key)


def remember_basis(chosen: str | None, switch_key: str | None = None) -> None:
    """Make ``chosen`` the basis of every page, and write it to the URL if it changed (None, or
    anything but a basis, changes nothing)."""
    if chosen not in BASES:
        return
    if switch_key:
        st.session_state.setdefault(_BASIS_SWITCHES, {})[switch_key] = chosen
    if st.session_state.get(_BASIS) != chosen:
        st.session_state[_BASIS] = chosen
        written = st.session_state.get(_WRITTEN)
        if written is not None:
            _write_url(written.get(CONTRACT), parse_quarter_param(written.get(QUARTER)))


def _write_url(contract: str | None, quarter: Quarter | None) -> None:
    """Write the choice to the URL only when it differs from the URL's, in one message.

    Each message the browser receives adds an entry to its history (or, after Back,
    rewrites the entry Back landed on): writing the parameters one by one, or on every
    run, filled the history with copies of each page and broke the Back button.
    """
    wanted = {CONTRACT: contract, QUARTER: quarter_param(quarter) if quarter else None,
              BASIS: "ytd" if contract and basis() == "ytd" else None}
    st.session_state[_WRITTEN] = wanted
    current = st.query_params.to_dict()
    new = {key: value for key, value in current.items() if key not in wanted}
    new.update({key: value for key, value in wanted.items() if value is not None})
    if new != current:
        st.query_params.from_dict(new)


def _leave_pages_directory_mode() -> None:
    """Run through ``app.py`` when Streamlit ran a page file on its own.

    With a ``pages/`` folder beside ``app.py``, Streamlit treats the folder as a
    page list until some session has called ``st.navigation``. So the first
    session after the server starts, if it opens a link to a page (``/refuge``),
    gets that file run on its own, without the sidebar. Switching the flag that
    ``st.navigation`` itself switches and rerunning sends the same page through
    ``app.py``; it works because each ``url_path`` in ``app.py`` is its file's name.

    A service page has no file (``pages/service.py`` draws every one), so that first
    session, opening a link straight to one, sees Streamlit's "Page not found" box over
    the right page. Renaming the ``pages/`` folder (Streamlit's advice) ends both.
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
        selection = sidebar(signin.current_actor())
    return selection


def visible_contracts(contracts: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The rows of ``contracts`` (``indicators.data.load_contracts``) the person may see."""
    if actor.is_council:
        return contracts
    if actor.is_provider and not contracts.empty:
        return contracts[contracts["provider"] == actor.provider_name].reset_index(drop=True)
    return contracts.iloc[0:0]


def require_contract(selection: Selection) -> str:
    """The chosen contract; with none held, say why and stop the page (records pages need no quarter)."""
    if selection.contract is None:
        require_selection(selection)
        st.stop()
    return selection.contract


#: The page where contracts are registered (``app.py`` lists it).
CONTRACTS_PAGE = "pages/contracts.py"
#: What every page says on an empty database.
NO_CONTRACT = ("No contract is held yet. Register one on the Contracts page; then download its "
               "template and upload the provider's first return.")


def require_selection(selection: Selection) -> bool:
    """Show why there is nothing to draw; True when a contract and quarter are chosen."""
    if selection.contract is None:
        st.info(NO_CONTRACT)
        st.page_link(CONTRACTS_PAGE, label="Register a contract", icon=":material/add_business:")
        return False
    if selection.quarter is None:
        st.info(f"No quarterly return is held for {selection.contract} yet. "
                "Upload the provider's workbook to see its figures here.")
        return False
    return True


def require_catalogue(selection: Selection):
    """The catalogue of the chosen contract's type; when its file is missing or faulty, say
    so (the loader's message names the file and the fault) and return None."""
    from models.contract_types import ContractTypeError

    try:
        return selection.catalogue
    except ContractTypeError as problem:
        st.error(f"The figures of {selection.contract} cannot be shown: its contract type "
                 f"{selection.contract_type!r} cannot be used. {problem}", icon=":material/error:")
        return None


def may_edit(selection: Selection) -> bool:
    """Whether the person may change the chosen contract's records (targets, visits, actions…).

    The functions below the pages refuse them anyway; this only decides whether to offer the forms.
    """
    if not selection.contract:
        return False
    from records.contracts import get_contract
    from users.access import can_edit

    with cache.engine().connect() as connection:
        from sqlalchemy.orm import Session

        with Session(bind=connection) as session:
            return can_edit(selection.actor, get_contract(session, selection.contract))


def read_only_note(what: str) -> None:
    """Says, where a form would be, that the person's role reads but does not change this."""
    st.info(f"Your role can read {what} but not change them.", icon=":material/visibility:")
