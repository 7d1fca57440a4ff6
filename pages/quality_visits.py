"""Quality visits: record a scored visit per service and see the scores over the years."""

from datetime import date

import streamlit as st

from dashboard import cache, charts, layout, state
from records import display, visits
from records.contracts import service_names
from users import NotAllowed

PAGE = "visits"
SAVED = state.page_key(PAGE, "saved")

selection = state.current()
engine = cache.engine()

st.title("Quality visits")
state.require_contract(selection)
st.write("The council's yearly quality assessment of each service: the score at the visit and "
         "the score after the provider's action plan.")


@cache.cached
def _visits(contract, version, actor):
    return visits.visits(engine, contract, actor)


held = _visits(selection.contract, selection.version, selection.actor)
scores = visits.scores_by_year(held)
bars, columns = display.visit_chart_bars(scores)
layout.chart_with_table(
    charts.stacked_bars(bars, columns, "Quality visit scores by service and year",
                        y_title="Score (%)", stacked=False) if columns
    else charts.empty("Quality visit scores by service and year", "No visit recorded yet."),
    display.visit_chart_table(scores), key=state.page_key(PAGE, "chart"))

if st.session_state.get(SAVED):
    st.success(st.session_state.pop(SAVED), icon=":material/check_circle:")

can_change = state.may_edit(selection)
if can_change:
    with st.form(state.page_key(PAGE, "form"), clear_on_submit=True):
        st.subheader("Record a visit", anchor=False)
        left, middle, right = st.columns(3)
        service = left.selectbox("Service", service_names(engine, selection.contract),
                                 key=state.page_key(PAGE, "service"))
        visit_date = middle.date_input("Visit date", value=None, format="DD/MM/YYYY",
                                       max_value=date.today(), key=state.page_key(PAGE, "date"))
        score = right.number_input("Score (%)", min_value=0.0, max_value=100.0, value=None, step=1.0,
                                   key=state.page_key(PAGE, "score"))
        score_after = right.number_input("Score after the action plan (%)", min_value=0.0,
                                         max_value=100.0, value=None, step=1.0,
                                         key=state.page_key(PAGE, "score_after"),
                                         help="Leave blank until the action plan has been reviewed.")
        summary = st.text_area("Summary", key=state.page_key(PAGE, "summary"),
                               placeholder="What was found and what the action plan covers")
        if st.form_submit_button("Record the visit", type="primary"):
            if visit_date is None:
                st.error("Enter the date of the visit.")
            else:
                try:
                    visits.add_visit(engine, selection.contract, service, visit_date,
                                     visits.from_percent(score), visits.from_percent(score_after),
                                     summary, actor=selection.actor)
                except (ValueError, NotAllowed) as problem:
                    st.error(layout.escape(problem))
                else:
                    cache.clear()
                    st.session_state[SAVED] = "Visit recorded."
                    st.rerun()

else:
    state.read_only_note("quality visits")

st.subheader("Visits recorded", anchor=False)
if held.empty:
    st.text("No quality visit has been recorded for this contract.")
    st.stop()
st.dataframe(display.visits_table(held), hide_index=True, width="stretch")

with st.expander("Update a visit (for example the score after its action plan)" if can_change
                 else "Changes made to visits"):
    rows = held.to_dict("records")
    ids = [r["id"] for r in rows]
    if can_change:
        with st.form(state.page_key(PAGE, "update")):
            visit_id = st.selectbox("Visit", ids, key=state.page_key(PAGE, "which"),
                                    format_func=lambda i: display.visit_label(rows[ids.index(i)]))
            new_after = st.number_input("Score after the action plan (%)", min_value=0.0,
                                        max_value=100.0, value=None, step=1.0,
                                        key=state.page_key(PAGE, "new_after"))
            new_summary = st.text_area("Summary (leave blank to keep it)",
                                       key=state.page_key(PAGE, "new_summary"))
            if st.form_submit_button("Save the update"):
                changes = {}
                if new_after is not None:
                    changes["score_after"] = visits.from_percent(new_after)
                if new_summary.strip():
                    changes["summary"] = new_summary
                try:
                    changed = visits.update_visit(engine, visit_id, selection.actor,
                                                  **changes)
                except (ValueError, NotAllowed) as problem:
                    st.error(layout.escape(problem))
                else:
                    if changed:
                        cache.clear()
                        st.session_state[SAVED] = "Visit updated."
                        st.rerun()
                    st.info("Nothing was changed.")
    changes = visits.visit_changes(engine, selection.contract, selection.actor)
    if not changes.empty:
        st.markdown("**Changes made to visits**")
        st.dataframe(display.changes_table(changes, {r["id"]: display.visit_label(r) for r in rows}),
                     hide_index=True, width="stretch")
