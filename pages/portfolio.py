"""Portfolio: every contract held, one row each; the first page a council officer sees."""

import pandas as pd
import streamlit as st

from dashboard import cache, portfolio, state
from models.contract_types import ContractTypeError
from models.periods import Quarter

PAGE = "portfolio"

selection = state.current()


st.title("Portfolio")
try:
    rows = cache.portfolio(selection.version)
except ContractTypeError as problem:
    st.error(f"A contract type file cannot be read, so the portfolio cannot be shown: {problem}",
             icon=":material/error:")
    st.stop()

if selection.actor.is_provider:
    # Their own organisation's contracts only; the escalation stage is the council's own record.
    rows = rows[rows[portfolio.PROVIDER] == selection.actor.provider_name]
elif not selection.actor.is_council:
    rows = rows.iloc[0:0]

if rows.empty:
    st.info("No contract is registered yet. Register one on the Contracts page, download its "
            "template for the provider, then upload their first return.")
    st.page_link("pages/contracts.py", label="Register a contract", icon=":material/add_business:")
    st.stop()

st.write("Every contract held, one row each. Click a column's heading to sort by it; click a "
         "row (the box at its left) to open that contract's Overview at its latest quarter, or its "
         "link to open it in a new tab.")
filters = st.columns(3)
providers = filters[0].multiselect("Provider", portfolio.choices(rows, portfolio.PROVIDER),
                                   key=state.page_key(PAGE, "providers"), placeholder="All providers")
types = filters[1].multiselect("Type", portfolio.choices(rows, portfolio.TYPE),
                               key=state.page_key(PAGE, "types"), placeholder="All types")
commissioners = filters[2].multiselect("Commissioner", portfolio.choices(rows, portfolio.COMMISSIONER),
                                       key=state.page_key(PAGE, "commissioners"),
                                       placeholder="All commissioners")
shown = portfolio.filter_portfolio(rows, providers, types, commissioners)
if len(shown) != len(rows):
    st.caption(f"{len(shown)} of {len(rows)} contracts match the filters.")

# The table's key changes after a row is opened, so that coming back finds no row selected.
ROUND = state.page_key(PAGE, "round")
round_ = st.session_state.get(ROUND, 0)
# The escalation stage is the council's own record: not shown to a provider's staff.
columns = [c for c in portfolio.COLUMNS if c != portfolio.STAGE or selection.actor.is_council]
event = st.dataframe(
    shown[columns], hide_index=True, width="stretch",
    key=state.page_key(PAGE, f"table{round_}"), on_select="rerun", selection_mode="single-row",
    column_order=[portfolio.OVERVIEW, *[c for c in columns if c != portfolio.OVERVIEW]],
    column_config={
        portfolio.OVERVIEW: st.column_config.LinkColumn(
            "Overview", display_text=":material/open_in_new:", width="small",
            help="Open the contract's Overview at its latest quarter."),
        portfolio.TITLE: st.column_config.TextColumn(width="medium"),
        portfolio.LATEST: st.column_config.TextColumn(help="The newest quarter with a return held."),
        portfolio.RED: st.column_config.NumberColumn(
            help="Indicators red in the latest quarter held (missing the target by more than "
                 "the tolerance)."),
        portfolio.AMBER: st.column_config.NumberColumn(
            help="Indicators amber in the latest quarter held (missing the target by no more than "
                 "the tolerance)."),
        portfolio.GREEN: st.column_config.NumberColumn(
            help="Indicators meeting their target in the latest quarter held."),
        portfolio.RETURN_DUE: st.column_config.TextColumn(
            help="The last quarter of the term that has finished."),
        portfolio.RETURN: st.column_config.TextColumn(
            help="Whether the return for the last quarter due has been received, and when."),
        portfolio.SPEND: st.column_config.NumberColumn(
            "Spend against value (YTD)", format="%.0f%%",
            help="Spend reported this financial year to the latest quarter held, against the "
                 "contract value for the same quarters (a quarter of the annual value each). "
                 "Blank when the return left spend blank."),
        portfolio.DAYS_LEFT: st.column_config.NumberColumn(
            format="%d", help="Days from today to the end of the term in force; below 0 when it "
                              "has ended."),
        portfolio.STAGE: st.column_config.TextColumn(help="The contract's escalation stage in force."),
    })

# Clicking a row opens that contract's Overview here; the link column opens it in a new tab.
picked = event.selection.rows if event is not None else []
if picked:
    row = shown.iloc[picked[0]]
    st.session_state[ROUND] = round_ + 1
    state.choose_contract(row[portfolio.REFERENCE])
    if not pd.isna(row["latest_period"]):
        state.choose_quarter(Quarter.from_index(int(row["latest_period"])))
    st.switch_page("pages/overview.py")
