"""Actions, escalation and meeting notes of a contract: what was agreed, by whom, and how it went."""

from datetime import date

import streamlit as st

from dashboard import cache, layout, state
from records import actions, display, escalation, meetings
from records.contracts import contract_quarters, service_names
from users import NotAllowed

PAGE = "actions"
SAVED = state.page_key(PAGE, "saved")

selection = state.current()
engine = cache.engine()

st.title("Actions, escalation and meetings")
contract = state.require_contract(selection)
catalogue = state.require_catalogue(selection)
if catalogue is None:
    st.stop()
actor = selection.actor
today = date.today()
can_change = state.may_edit(selection)


@cache.cached
def _actions(contract, version, today, actor):
    return actions.actions(engine, contract, today, actor)


@cache.cached
def _meetings(contract, version, actor):
    return meetings.meetings(engine, contract, actor)


def _saved(message: str) -> None:
    cache.clear()
    st.session_state[SAVED] = message
    st.rerun()


if st.session_state.get(SAVED):
    st.success(st.session_state.pop(SAVED), icon=":material/check_circle:")

log = _actions(contract, selection.version, today, actor)
held_meetings = _meetings(contract, selection.version, actor)
meeting_rows = held_meetings.to_dict("records")
meeting_ids = [None] + [m["id"] for m in meeting_rows]
services = service_names(engine, contract)
indicator_codes = [None] + [i.code for i in catalogue.indicators]
stage = escalation.current_stage(engine, contract, actor)


def _meeting_name(meeting_id):
    if meeting_id is None:
        return "none"
    row = meeting_rows[meeting_ids.index(meeting_id) - 1]
    return meetings.meeting_label(row["meeting_date"], row["quarter"])


def _indicator_name(code):
    if code is None:
        return "none"
    indicator = catalogue.indicators_by_code[code]
    return f"{indicator.service}: {indicator.label}"


overdue = actions.overdue_count(log)
top = st.columns([2, 1, 1])
top[0].metric("Escalation stage", stage["stage"],
              help="Since " + display.uk_time(stage["changed_on"]) if stage["changed_on"] else None)
top[1].metric("Open actions", actions.open_count(log))
top[2].metric("Overdue actions", overdue)

actions_tab, escalation_tab, meetings_tab = st.tabs(["Actions", "Escalation", "Meeting notes"])

# --- actions ------------------------------------------------------------------------------
with actions_tab:
    if log.empty:
        st.text("No action has been recorded for this contract. Add one with the form below.")
    else:
        if overdue:
            st.warning(f"{overdue} action{'s are' if overdue != 1 else ' is'} overdue: past "
                       "the due date and not done.", icon=":material/schedule:")
        table = display.actions_table(log)
        st.dataframe(display.actions_styler(table, log["overdue"]), hide_index=True,
                     width="stretch", key=state.page_key(PAGE, "log"))

    if can_change:
        with st.form(state.page_key(PAGE, "add"), clear_on_submit=True):
            st.subheader("Add an action", anchor=False)
            text = st.text_area("Action", key=state.page_key(PAGE, "text"),
                                placeholder="What is to be done")
            left, middle, right = st.columns(3)
            owner = left.text_input("Owner", key=state.page_key(PAGE, "owner"))
            due = middle.date_input("Due date", value=None, format="DD/MM/YYYY",
                                    key=state.page_key(PAGE, "due"))
            status = right.selectbox("Status", actions.STATUSES, key=state.page_key(PAGE, "status"))
            left, middle, right = st.columns(3)
            service = left.selectbox("Service", [None, *services], key=state.page_key(PAGE, "service"),
                                     format_func=lambda s: "none" if s is None else s)
            indicator = middle.selectbox("Indicator", indicator_codes, format_func=_indicator_name,
                                         key=state.page_key(PAGE, "indicator"))
            meeting = right.selectbox("Agreed at meeting", meeting_ids, format_func=_meeting_name,
                                      key=state.page_key(PAGE, "meeting"))
            shared = st.checkbox("Share with the provider", key=state.page_key(PAGE, "share"),
                                 help="The provider's staff see shared actions; the others stay "
                                      "within the council.")
            if st.form_submit_button("Add the action", type="primary"):
                try:
                    actions.add_action(engine, contract, text, owner=owner, due_date=due, status=status,
                                       service=service, indicator=indicator, meeting_id=meeting,
                                       shared_with_provider=shared, actor=actor)
                except (ValueError, NotAllowed) as problem:
                    st.error(layout.escape(problem))
                else:
                    _saved("Action added.")

    else:
        state.read_only_note("actions")
    if not log.empty:
        rows = log.to_dict("records")
        ids = [r["id"] for r in rows]
        if can_change:
            with st.form(state.page_key(PAGE, "update")):
                st.subheader("Update an action", anchor=False)
                action_id = st.selectbox("Action", ids, key=state.page_key(PAGE, "which"),
                                         format_func=lambda i: display.action_label(rows[ids.index(i)]))
                left, middle, right = st.columns(3)
                new_status = left.selectbox("New status", [None, *actions.STATUSES],
                                            key=state.page_key(PAGE, "new_status"),
                                            format_func=lambda s: "unchanged" if s is None else s)
                new_owner = middle.text_input("New owner (blank: unchanged)",
                                              key=state.page_key(PAGE, "new_owner"))
                new_due = right.date_input("New due date (blank: unchanged)", value=None,
                                           format="DD/MM/YYYY", key=state.page_key(PAGE, "new_due"))
                if st.form_submit_button("Save the update"):
                    changes = actions.requested_changes(status=new_status, owner=new_owner, due_date=new_due)
                    try:
                        changed = actions.update_action(engine, action_id, actor, **changes)
                    except (ValueError, NotAllowed) as problem:
                        st.error(layout.escape(problem))
                    else:
                        if changed:
                            _saved("Action updated.")
                        st.info("Nothing was changed.")
        history = actions.action_changes(engine, contract, actor)
        if not history.empty:
            with st.expander("Changes made to actions"):
                st.dataframe(display.changes_table(history, {r["id"]: display.action_label(r)
                                                             for r in rows}),
                             hide_index=True, width="stretch")

# --- escalation ---------------------------------------------------------------------------
with escalation_tab:
    st.text(f"Current stage: {stage['stage']}"
            + (f" since {display.uk_time(stage['changed_on'])}" if stage["changed_on"] else ""))
    if can_change:
        with st.form(state.page_key(PAGE, "escalate"), clear_on_submit=True):
            st.subheader("Change the stage", anchor=False)
            left, right = st.columns(2)
            new_stage = left.selectbox("Stage", escalation.STAGES, key=state.page_key(PAGE, "stage"),
                                       index=escalation.STAGES.index(stage["stage"])
                                       if stage["stage"] in escalation.STAGES else 0)
            changed_on = right.date_input("Date of the change", value=today, format="DD/MM/YYYY",
                                          key=state.page_key(PAGE, "stage_date"))
            note = st.text_area("Why", key=state.page_key(PAGE, "stage_note"))
            shared = st.checkbox("Share with the provider", key=state.page_key(PAGE, "stage_share"),
                                 help="The provider's staff see shared changes of stage and their notes.")
            if st.form_submit_button("Record the change", type="primary"):
                try:
                    escalation.change_stage(engine, contract, new_stage, changed_on, note, actor,
                                            shared_with_provider=shared)
                except (ValueError, NotAllowed) as problem:
                    st.error(layout.escape(problem))
                else:
                    _saved("Escalation stage recorded.")
    else:
        state.read_only_note("escalation stages")
    history = escalation.escalation_history(engine, contract, actor)
    if history.empty:
        st.text("No change of stage has been recorded: the contract is in routine monitoring.")
    else:
        st.dataframe(display.escalation_table(history), hide_index=True, width="stretch")

# --- meeting notes ----------------------------------------------------------------------
with meetings_tab:
    quarters = contract_quarters(engine, contract)
    labels = [None] + [q.label for q in quarters]
    if can_change:
        with st.form(state.page_key(PAGE, "meeting_form"), clear_on_submit=True):
            st.subheader("Record a meeting", anchor=False)
            left, right = st.columns(2)
            meeting_date = left.date_input("Meeting date", value=today, format="DD/MM/YYYY",
                                           key=state.page_key(PAGE, "meeting_date"))
            default = labels.index(selection.quarter.label) if selection.quarter and \
                selection.quarter.label in labels else 0
            quarter_label = right.selectbox("Quarter discussed", labels, index=default,
                                            key=state.page_key(PAGE, "meeting_quarter"),
                                            format_func=lambda q: "none" if q is None else q)
            notes = st.text_area("Notes", height=200, key=state.page_key(PAGE, "meeting_notes"))
            shared = st.checkbox("Share with the provider", key=state.page_key(PAGE, "meeting_share"),
                                 help="The provider's staff see shared meeting notes.")
            if st.form_submit_button("Record the meeting", type="primary"):
                quarter = quarters[labels.index(quarter_label) - 1] if quarter_label else None
                try:
                    meetings.add_meeting(engine, contract, meeting_date, quarter, notes,
                                         shared_with_provider=shared, actor=actor)
                except (ValueError, NotAllowed) as problem:
                    st.error(layout.escape(problem))
                else:
                    _saved("Meeting recorded.")
    else:
        state.read_only_note("meeting notes")
    if held_meetings.empty:
        st.text("No meeting has been recorded for this contract.")
    for row in meeting_rows:
        with st.expander(meetings.meeting_label(row["meeting_date"], row["quarter"])):
            st.text(row["notes"] or "No notes.")
            st.caption(layout.escape(f"Recorded {display.uk_time(row['created_at'])} by {row['created_by']}"))
            if can_change:
                with st.form(state.page_key(PAGE, f"edit_meeting{row['id']}")):
                    new_notes = st.text_area("Edit the notes", value=row["notes"],
                                             key=state.page_key(PAGE, f"notes{row['id']}"))
                    if st.form_submit_button("Save the notes"):
                        if meetings.update_meeting(engine, row["id"], actor, notes=new_notes):
                            _saved("Meeting notes saved.")
                        st.info("Nothing was changed.")
