"""The monitoring dashboard: ``python -m dashboard`` (or ``streamlit run app.py``).

This file is the frame around every page: it finds who is acting (sign-in, or the
local single-user mode: ``dashboard/signin.py``), sets the page layout, draws the
sidebar's contract and quarter choosers (kept in the URL, see
``dashboard/state.py``), lists the pages and runs the one chosen.

The sidebar comes first because the service pages depend on the contract chosen:
they are the pages of its contract type's file (``contract_types/<type>.toml``),
one ``st.Page`` each, drawn by ``pages/service.py``. Choosing a contract of
another type changes them. The other pages are files, listed explicitly in
sections; to add one, add its ``st.Page`` to a section. Each file page's
``url_path`` is its file's name without ``.py`` (see
``dashboard.state._leave_pages_directory_mode`` for why), and each page begins
with ``state.current()``. The Portfolio is the first page (``/``); the Overview
is ``/overview``.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import layout, signin, state
from models.contract_types import ContractTypeError
from pages.service import service_page
from users import Actor, NotAllowed, Role

st.set_page_config(page_title="Contract monitoring", page_icon=":material/monitoring:", layout="wide")

# Who is acting comes first: without sign-in this stops at the sign-in or no-role page.
actor = signin.identify()
selection = state.sidebar(actor)
signin.sign_out_button(actor)

#: URL paths of the file pages: a service page whose slug is one of them gets its type's name before it.
FILE_PAGES = {"portfolio", "overview", "contracts", "upload", "history", "targets", "quality_visits",
              "actions", "meeting", "returns", "notifications", "people"}
COUNCIL = frozenset({Role.ADMIN, Role.OFFICER, Role.VIEWER})
EVERYONE = COUNCIL | {Role.PROVIDER}


def service_pages(selection: state.Selection) -> list:
    """One page per service page of the chosen contract's type (none without a contract, or when
    its type file cannot be used: the Overview then says why)."""
    try:
        catalogue = selection.catalogue
    except ContractTypeError:
        return []
    if catalogue is None:
        return []
    return [st.Page(partial(service_page, page.slug), title=page.title, icon=page.icon,
                    url_path=page.slug if page.slug not in FILE_PAGES else f"{catalogue.name}_{page.slug}")
            for page in catalogue.pages]


PORTFOLIO = st.Page("pages/portfolio.py", title="Portfolio", icon=":material/table_view:",
                    url_path="portfolio", default=True)
OVERVIEW = st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview")

#: Each section's pages with the roles that see them. The pages show each role what it may
#: use; the rules themselves are applied below the pages (``users.access``), whatever is shown.
SECTIONS: dict[str, list[tuple[st.Page, frozenset]]] = {
    "Performance": [(PORTFOLIO, EVERYONE), (OVERVIEW, EVERYONE)]
    + [(page, EVERYONE) for page in service_pages(selection)],
    "Records": [
        (st.Page("pages/upload.py", title="Upload returns", icon=":material/upload_file:",
                 url_path="upload"), frozenset({Role.ADMIN, Role.OFFICER, Role.PROVIDER})),
        (st.Page("pages/history.py", title="Submission history", icon=":material/history:",
                 url_path="history"), EVERYONE),
        (st.Page("pages/returns.py", title="Returns calendar", icon=":material/event_available:",
                 url_path="returns"), EVERYONE),
        (st.Page("pages/contracts.py", title="Contracts", icon=":material/contract:",
                 url_path="contracts"), COUNCIL),
        (st.Page("pages/targets.py", title="Targets", icon=":material/flag:", url_path="targets"), COUNCIL),
        (st.Page("pages/quality_visits.py", title="Quality visits", icon=":material/fact_check:",
                 url_path="quality_visits"), COUNCIL),
        (st.Page("pages/actions.py", title="Actions and meetings", icon=":material/checklist:",
                 url_path="actions"), COUNCIL),
    ],
    "Meetings": [
        (st.Page("pages/meeting.py", title="Meeting mode", icon=":material/co_present:",
                 url_path="meeting"), COUNCIL),
    ],
    "You": [
        (st.Page("pages/notifications.py", title="Notifications", icon=":material/notifications:",
                 url_path="notifications"), EVERYONE),
        (st.Page("pages/people.py", title="People and roles", icon=":material/manage_accounts:",
                 url_path="people"), frozenset({Role.ADMIN})),
    ],
}


def pages_for(actor: Actor) -> dict[str, list]:
    """The navigation a role sees: its pages, by section."""
    shown = {section: [page for page, roles in pages if actor.role in roles]
             for section, pages in SECTIONS.items()}
    return {section: pages for section, pages in shown.items() if pages}


PAGES = pages_for(actor)

#: The URL path of the page shown in the previous run.
SHOWN = "app:shown"

# Expanded: every page in view (Streamlit folds a list of more than twelve behind "View more").
page = st.navigation(PAGES, expanded=True)
shown = st.session_state.get(SHOWN)
st.session_state[SHOWN] = page.url_path
if page is PORTFOLIO and shown and shown not in {p.url_path for ps in PAGES.values() for p in ps}:
    # A service page of the contract chosen before, which the newly chosen contract's type does
    # not have: Streamlit falls back to the first page; the new contract's Overview is closer.
    # (The rerun begins with this run's URL, which names the contract chosen before.)
    state.choose_contract(selection.contract)
    if selection.quarter:
        state.choose_quarter(selection.quarter)
    st.switch_page(OVERVIEW)
try:
    page.run()
except NotAllowed as refused:
    # The rules below the pages refused something this page asked for (a crafted request).
    st.error(layout.escape(str(refused)), icon=":material/block:")
