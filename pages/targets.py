"""Targets: edit them in a table; a change applies from its quarter on; every change is kept."""

import streamlit as st

from dashboard import cache, layout, state
from models.periods import Quarter
from records import display, targets
from records.contracts import contract_quarters
from users import NotAllowed

PAGE = "targets"
EDITOR = state.page_key(PAGE, "editor")
SAVED = state.page_key(PAGE, "saved")

selection = state.current()
engine = cache.engine()

st.title("Targets")
state.require_contract(selection)
st.write("Change a target, its tolerance (how far it may be missed and still be amber) or "
         "which way is better. A change applies from the quarter you choose onwards; earlier "
         "quarters keep the target they had, and every change is kept below.")

if st.session_state.get(SAVED):
    st.success(layout.escape(st.session_state.pop(SAVED)), icon=":material/check_circle:")

quarters = contract_quarters(engine, selection.contract)
labels = [q.label for q in quarters]
# Default: the quarter chosen in the sidebar (the one being discussed).
default = labels.index(selection.quarter.label) if selection.quarter and \
    selection.quarter.label in labels else 0
chosen = st.selectbox("Changes apply from", labels, index=default,
                      key=state.page_key(PAGE, "from"),
                      help="The first quarter the changed targets apply to.")
effective = quarters[labels.index(chosen)]


@cache.cached
def _editable(contract, year, quarter, version, actor):
    return targets.editable_targets(engine, contract, Quarter(year, quarter), actor)


table = _editable(selection.contract, effective.year, effective.quarter, selection.version,
                  selection.actor)
if not state.may_edit(selection):
    st.dataframe(table, hide_index=True, width="stretch",
                 column_order=["service", "label", "target", "tolerance", "unit", "direction", "in_force_from"])
    state.read_only_note("targets")
else:
    edited = st.data_editor(
        table, key=EDITOR, hide_index=True, width="stretch", num_rows="fixed",
        height=35 * (len(table) + 1) + 3, placeholder="not set",
        disabled=["indicator", "service", "label", "unit", "in_force_from"],
        column_order=["service", "label", "target", "tolerance", "unit", "direction", "in_force_from"],
        column_config={
            "service": st.column_config.TextColumn("Service"),
            "label": st.column_config.TextColumn("Indicator", width="large"),
            "target": st.column_config.NumberColumn("Target", min_value=0.0, format="localized",
                                                    help="Percentages in points: 95 for 95%."),
            "tolerance": st.column_config.NumberColumn("Amber within", min_value=0.0, format="localized",
                                                       help="How far the target may be missed "
                                                            "and still be amber."),
            "unit": st.column_config.TextColumn("Unit"),
            "direction": st.column_config.SelectboxColumn("Better", options=list(targets.DIRECTIONS),
                                                          required=True),
            "in_force_from": st.column_config.TextColumn(
                "In force since", help=f"The quarter the target in force at {effective.label} took effect."),
        })
    NOTE = state.page_key(PAGE, "note")
    note = st.text_input("Reason for the change", key=NOTE,
                         placeholder="For example: agreed at the 2016/17 Q3 review meeting")
    if st.button("Save changes", type="primary", key=state.page_key(PAGE, "save")):
        try:
            changed = targets.save_target_edits(engine, selection.contract, edited, effective,
                                                selection.actor, note)
        except (ValueError, NotAllowed) as problem:
            st.error(layout.escape(problem), icon=":material/error:")
        else:
            if changed:
                cache.clear()
                st.session_state[SAVED] = display.targets_saved(changed, effective, selection.catalogue)
                del st.session_state[EDITOR]
                del st.session_state[NOTE]   # the next change gives its own reason
                st.rerun()
            else:
                st.info("Nothing was changed.")

st.subheader("History of changes", anchor=False)
history = targets.target_history(engine, selection.contract, selection.actor)
if history.empty:
    st.text("No target has been set for this contract.")
else:
    st.dataframe(display.target_history_table(history), hide_index=True, width="stretch")
