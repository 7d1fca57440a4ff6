"""Submission history: every quarter's versions, the original files, and where a figure came from."""

import streamlit as st

from dashboard import cache, state
from data_ingest.store import original_workbook
from models.catalogue import BASES
from records import display, submissions

PAGE = "history"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

selection = state.current()
engine = cache.engine()

st.title("Submission history")
state.require_contract(selection)


@cache.cached
def _history(contract, version, actor):
    return submissions.submission_history(engine, contract, actor)


history = _history(selection.contract, selection.version, selection.actor)
st.write(f"Every workbook received for {selection.contract}, newest quarter first. A quarter sent "
         "again gets a new version; the old one is kept, marked superseded.")
if history.empty:
    st.info("No workbook has been stored for this contract yet. Use the upload page to add one.")
    st.stop()

st.dataframe(display.history_table(history), hide_index=True, width="stretch",
             column_config={"Version": st.column_config.NumberColumn(format="%d")})

# --- one submission -------------------------------------------------------------------
st.subheader("One submission", anchor=False)
rows = history.to_dict("records")
ids = [r["submission_id"] for r in rows]
# Start on the current version of the quarter chosen in the sidebar.
default = next((n for n, r in enumerate(rows) if selection.quarter and r["is_current"]
                and r["period"] == selection.quarter.label), 0)
chosen = st.selectbox("Submission", ids, index=default, key=state.page_key(PAGE, "submission"),
                      format_func=lambda i: display.submission_label(rows[ids.index(i)]))
row = rows[ids.index(chosen)]
st.text(f"Uploaded {display.uk_time(row['uploaded_at'])} by {row['uploaded_by'] or 'unknown'}; "
        f"completed by {row['completed_by'] or 'not given'}.")

name, content = original_workbook(engine, chosen, selection.actor)
st.download_button("Download the original file", data=content, file_name=name, mime=XLSX,
                   icon=":material/download:", key=state.page_key(PAGE, "download"))

warnings = submissions.submission_warnings(engine, chosen, selection.actor)
if warnings:
    st.markdown("**Warnings raised when it was checked**")
    st.dataframe(display.stored_warnings_table(warnings), hide_index=True, width="stretch")
else:
    st.text("No warnings were raised when it was checked.")

with st.expander("Every figure in this submission, with its cell"):
    st.dataframe(display.values_display(submissions.submission_values(engine, chosen, selection.actor)),
                 hide_index=True, width="stretch")

# --- where a figure came from -------------------------------------------------------------
st.subheader("Where a figure came from", anchor=False)
if selection.quarter is None:
    st.info("Choose a quarter in the sidebar.")
    st.stop()
catalogue = state.require_catalogue(selection)
if catalogue is None:
    st.stop()
left, right = st.columns([3, 1])
codes = [i.code for i in catalogue.indicators]
indicator = left.selectbox("Indicator", codes, key=state.page_key(PAGE, "indicator"),
                           format_func=lambda c: f"{catalogue.indicators_by_code[c].service}: "
                                                 f"{catalogue.indicators_by_code[c].label}")
basis = right.radio("Basis", BASES, key=state.page_key(PAGE, "basis"),
                    format_func=lambda b: "Quarter" if b == "quarter" else "Year to date")
figure = display.figure_text(cache.indicators(selection.contract, selection.version),
                             indicator, selection.quarter, basis, catalogue)
st.text(figure)
sources = submissions.figure_sources(engine, selection.contract, indicator, selection.quarter, basis,
                                     actor=selection.actor)
if sources.empty:
    st.info("None of the measures this figure reads is held for this period.")
else:
    st.dataframe(display.sources_display(sources), hide_index=True, width="stretch",
                 column_config={"Part": st.column_config.TextColumn(width=100)})
