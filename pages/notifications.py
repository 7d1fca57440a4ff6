"""Notifications: my alerts (mark them read), the kinds I get, and for an administrator what was sent to whom.

Alerts are raised and e-mailed by ``python -m alerts send`` (run by the council's
scheduler); each one is listed here for the person it went to, by the e-mail
address they sign in with.
"""

import pandas as pd
import streamlit as st

from alerts.rules import KINDS, PROVIDER_KINDS
from dashboard import cache, state
from records import display, notifications
from users.access import Role, can_administer

PAGE = "notifications"

engine = cache.engine()
actor = state.current().actor

st.title("Notifications")


def _when(value) -> str:
    return display.uk_time(value) or "not yet"


# --- my alerts ------------------------------------------------------------------------------
if actor.via != "sign-in":
    st.info("Sign-in is off, so there is no list of your own: alerts go to people by the e-mail address "
            "they sign in with. The alerts recorded for everyone are below.")
else:
    unread = notifications.notifications(engine, actor.email, unread_only=True)
    st.subheader(f"Unread ({len(unread)})", anchor=False)
    if unread.empty:
        st.write("Nothing new.")
    else:
        if st.button("Mark all read", key=state.page_key(PAGE, "all-read"), icon=":material/done_all:"):
            notifications.mark_read(engine, actor.email)
            st.rerun()
        for row in unread.to_dict("records"):
            with st.container(border=True):
                st.markdown(f"**{row['subject']}**")
                st.text(row["body"])
                left, right = st.columns([4, 1])
                left.caption(f"{row['what']}. Raised {_when(row['created_at'])}; "
                             f"e-mailed {_when(row['sent_at'])}.")
                if right.button("Mark read", key=state.page_key(PAGE, f"read-{row['id']}")):
                    notifications.mark_read(engine, actor.email, [row["id"]])
                    st.rerun()

    earlier = notifications.notifications(engine, actor.email)
    earlier = earlier[earlier["read_at"].notna()]
    if not earlier.empty:
        with st.expander(f"Read earlier ({len(earlier)})"):
            st.dataframe(pd.DataFrame({
                "Alert": earlier["subject"], "Kind": earlier["what"],
                "Raised": earlier["created_at"].map(_when), "Read": earlier["read_at"].map(_when)}),
                hide_index=True, width="stretch")

    # --- what I get -----------------------------------------------------------------------------
    st.subheader("What I get", anchor=False)
    if actor.role in (Role.ADMIN, Role.VIEWER):
        st.write("Alerts go to the officers who monitor a contract and, for their own returns, to the "
                 "provider's staff; your role gets none.")
    else:
        kinds = [k for k in KINDS if not actor.is_provider or k in PROVIDER_KINDS]
        st.write("Each kind is on until you turn it off. A change applies from the next run.")
        wanted = notifications.preferences(engine, actor.email)
        for kind in kinds:
            on = st.toggle(KINDS[kind], value=wanted[kind], key=state.page_key(PAGE, f"kind-{kind}"))
            if on != wanted[kind]:
                notifications.set_preference(engine, actor.email, kind, on)
                st.toast(f"{'On' if on else 'Off'}: {KINDS[kind].lower()}.")

# --- what was sent (administrators) --------------------------------------------------------
if can_administer(actor):
    st.subheader("Alerts sent", anchor=False)
    log = notifications.sent_log(engine, actor)
    if log.empty:
        st.write("No alert has been raised yet. `python -m alerts send` raises and sends them; the README "
                 "shows how to run it every morning.")
    else:
        people = ["Everyone", *sorted(log["email"].unique())]
        who = st.selectbox("Person", people, key=state.page_key(PAGE, "person"))
        if who != "Everyone":
            log = log[log["email"] == who]
        pending = int(log["sent_at"].isna().sum())
        if pending:
            st.warning(f"{pending} alert{'s' if pending != 1 else ''} not sent yet: the last run could not "
                       "reach the mail server, or has not run since they were raised.")
        st.dataframe(pd.DataFrame({
            "To": log["email"], "Alert": log["subject"], "Kind": log["what"], "Contract": log["contract"],
            "Raised": log["created_at"].map(_when), "Sent": log["sent_at"].map(_when),
            "Read": log["read_at"].map(display.uk_time)}), hide_index=True, width="stretch")
