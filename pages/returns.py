"""Returns calendar: every contract's quarterly returns, due, received on time or late, or overdue.

Rows are contracts and columns quarters; each cell says the status in words with
an icon as well as a colour. A provider's staff see only their own organisation's
contracts, with the dates their next returns are due.
"""

from datetime import date
from html import escape

import pandas as pd
import streamlit as st

from alerts import deadlines
from dashboard import cache, state

PAGE = "returns"
#: How many quarters the calendar can show at once.
SPANS = {"4 quarters": 4, "8 quarters": 8, "12 quarters": 12, "Every quarter": None}

selection = state.current()
engine = cache.engine()
actor = selection.actor

st.title("Returns calendar")


@st.cache_data(show_spinner=False, max_entries=64)
def _statuses(url: str, version: str, today: date) -> pd.DataFrame:
    return deadlines.return_statuses(cache.engine(), today)


def _visible(statuses: pd.DataFrame) -> pd.DataFrame:
    """A provider's staff see their own organisation's contracts; council roles see every contract."""
    if not actor.is_provider:
        return statuses
    return statuses[statuses["provider_id"] == actor.provider_id].reset_index(drop=True)


left, right = st.columns([1, 1])
today = left.date_input("Status as on", value=date.today(), format="DD/MM/YYYY",
                        key=state.page_key(PAGE, "today"),
                        help="The calendar as it stands on this day: what had been received by then, "
                             "and what was due or overdue.")
span = right.selectbox("Quarters shown", list(SPANS), index=1, key=state.page_key(PAGE, "span"))

statuses = _visible(_statuses(cache.database_url(), selection.version, today))
if statuses.empty:
    st.info("No contract owes a return yet: a contract's first return is due after its first quarter ends.")
    st.stop()

st.write("Each quarterly return is due a number of working days after the quarter ends (20 unless the "
         "contract says otherwise), not counting weekends or bank holidays in England and Wales. "
         "A return counts as received on the day its first version was uploaded.")

text, status = deadlines.calendar(statuses, SPANS[span])
details = {(f"{r['contract']} · {r['provider']}", r["period"]): r["status_text"]
           for r in statuses.to_dict("records")}


def _cell(contract: str, quarter: str) -> str:
    value, word = text.loc[contract, quarter], status.loc[contract, quarter]
    if not isinstance(word, str):
        return f'<td class="outside" title="Outside the contract\'s term">{escape(value)}</td>'
    # Dark text on the light colours, white on the dark ones, so that every word stays legible.
    ink = "#000000" if word in (deadlines.NOT_YET_DUE, deadlines.DUE, deadlines.LATE) else "#FFFFFF"
    return (f'<td data-status="{escape(word)}" title="{escape(details[(contract, quarter)])}" '
            f'style="background-color:{deadlines.STATUS_COLOUR[word]};color:{ink}">{escape(value)}</td>')


# A table of text rather than a data grid: each cell's words are in the page for screen readers,
# and the full status is each cell's tooltip.
rows_html = "".join(
    f'<tr><th scope="row">{escape(contract)}</th>{"".join(_cell(contract, q) for q in text.columns)}</tr>'
    for contract in text.index)
header = "".join(f'<th scope="col">{escape(q)}</th>' for q in text.columns)
st.html(f"""
<style>
.returns-calendar {{overflow-x: auto;}}
.returns-calendar table {{border-collapse: collapse; font-size: 0.85rem;}}
.returns-calendar th, .returns-calendar td {{border: 1px solid #bbbbbb; padding: 0.3rem 0.5rem;
  white-space: nowrap; text-align: left;}}
.returns-calendar td.outside {{color: #666666; text-align: center;}}
</style>
<div class="returns-calendar"><table>
<caption style="caption-side: top; text-align: left">Quarterly returns by contract and quarter,
as on {today:%d/%m/%Y}</caption>
<thead><tr><th scope="col">Contract</th>{header}</tr></thead>
<tbody>{rows_html}</tbody></table></div>
""")
st.caption("  ·  ".join(f"{deadlines.STATUS_ICON[s]} {deadlines.STATUS_SHORT[s]}: "
                        f"{meaning}" for s, meaning in (
                            (deadlines.ON_TIME, "received by the due date"),
                            (deadlines.LATE, "received after it, by so many working days"),
                            (deadlines.DUE, "the quarter has ended; due on the date shown"),
                            (deadlines.OVERDUE, "not received, so many working days after the due date"),
                            (deadlines.NOT_YET_DUE, "the quarter has not ended yet"))) +
           f"  ·  {deadlines.NOT_IN_TERM} outside the contract's term.")

# --- what is owed next ------------------------------------------------------------------------
st.subheader("Next returns due" if not actor.is_provider else "Your next returns due", anchor=False)
latest = deadlines.latest_status(engine, today, statuses=statuses)
owed = pd.DataFrame({
    "Contract": latest["contract"], "Provider": latest["provider"],
    "Next return owed": latest["next_due_period"].fillna("none"),
    "Due on": [d.strftime("%d/%m/%Y") if isinstance(d, date) else "" for d in latest["next_due_date"]],
    "Returns overdue": latest["overdue_count"],
    "Latest quarter ended": latest["summary"]})
st.dataframe(owed, hide_index=True, width="stretch")

# --- one contract's returns -----------------------------------------------------------------
references = list(dict.fromkeys(statuses["contract"]))
default = references.index(selection.contract) if selection.contract in references else 0
chosen = st.selectbox("One contract's returns", references, index=default, key=state.page_key(PAGE, "contract"))
rows = statuses[statuses["contract"] == chosen].iloc[::-1]
st.dataframe(pd.DataFrame({
    "Quarter": rows["period"],
    "Due on": [d.strftime("%d/%m/%Y") for d in rows["due_date"]],
    "Status": rows["status_text"],
    "Received on": [d.strftime("%d/%m/%Y") if isinstance(d, date) else "not received" for d in rows["received_on"]],
    "Versions": rows["versions"]}), hide_index=True, width="stretch")
