"""People and roles: who may sign in, with which role, for which organisation; grant, change, withdraw.

Only an administrator sees this page, and ``users`` refuses anyone else whatever
page they reach. Every grant, change and withdrawal is recorded with who made it.
"""

import pandas as pd
import streamlit as st

from dashboard import cache, layout, state
from records import display
from users import NotAllowed, Role, UserError, grant, people, withdraw
from users.access import can_administer

PAGE = "people"
SAVED = state.page_key(PAGE, "saved")
ROLE_WORDS = {
    Role.ADMIN: "Administrator: people, contracts and contract types, and everything an officer does",
    Role.OFFICER: "Officer: a council contract monitor (uploads, targets, visits, actions, meetings, escalation)",
    Role.VIEWER: "Viewer: managers and members; reads everything the council holds, changes nothing",
    Role.PROVIDER: "Provider: staff of one provider; their own contracts' template, returns and figures",
}

selection = state.current()
actor = selection.actor
engine = cache.engine()

st.title("People and roles")
if not can_administer(actor):
    st.error("Only an administrator may see who has access.", icon=":material/block:")
    st.stop()

st.write("People sign in with the council's identity provider; what they may do is set here, by the "
         "e-mail address they sign in with. A person with no role sees only whom to ask.")
if st.session_state.get(SAVED):
    st.success(layout.escape(st.session_state.pop(SAVED)), icon=":material/check_circle:")

table = people(engine)
if table.empty:
    st.info("No one has a role yet.")
else:
    shown = pd.DataFrame({
        "E-mail": table["email"], "Name": table["name"], "Role": table["role"].str.capitalize(),
        "Organisation": table["provider"].where(table["provider"] != "", "the council"),
        "Contracts": table["contracts"],
        "Last signed in": [display.uk_time(v) or "never" for v in table["last_signed_in_at"]],
        "Added by": table["created_by"],
    })
    st.dataframe(shown, hide_index=True, width="stretch")

contracts = cache.contracts(selection.version)
references = [str(r) for r in contracts["contract"]] if not contracts.empty else []
providers = sorted({str(p) for p in contracts["provider"]}) if not contracts.empty else []

grant_tab, withdraw_tab = st.tabs(["Grant or change a role", "Withdraw a role"])
with grant_tab, st.form(state.page_key(PAGE, "grant"), clear_on_submit=False):
    email = st.text_input("E-mail address they sign in with", key=state.page_key(PAGE, "email"))
    name = st.text_input("Name (optional)", key=state.page_key(PAGE, "name"))
    role = st.selectbox("Role", list(Role), format_func=lambda r: ROLE_WORDS[r],
                        key=state.page_key(PAGE, "role"))
    provider = st.selectbox("Organisation (provider role only)", [""] + providers,
                            format_func=lambda p: p or "the council",
                            key=state.page_key(PAGE, "provider"))
    assigned = st.multiselect("Contracts (officer only; none means every contract)", references,
                              key=state.page_key(PAGE, "contracts"))
    if st.form_submit_button("Save", type="primary"):
        try:
            grant(engine, email, role, actor, provider=provider or None, contracts=assigned, name=name)
        except (UserError, NotAllowed) as problem:
            st.error(layout.escape(problem), icon=":material/error:")
        else:
            st.session_state[SAVED] = f"{email.strip().lower()} is now {role.value}."
            st.rerun()

with withdraw_tab:
    emails = list(table["email"]) if not table.empty else []
    if not emails:
        st.write("No one has a role to withdraw.")
    else:
        with st.form(state.page_key(PAGE, "withdraw")):
            chosen = st.selectbox("Person", emails, key=state.page_key(PAGE, "withdraw-email"))
            if st.form_submit_button("Withdraw their role"):
                try:
                    withdraw(engine, chosen, actor)
                except (UserError, NotAllowed) as problem:
                    st.error(layout.escape(problem), icon=":material/error:")
                else:
                    st.session_state[SAVED] = f"{chosen} no longer has a role."
                    st.rerun()
