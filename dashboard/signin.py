"""Who is using the dashboard: sign-in with the council's identity provider, or the local mode.

When ``.streamlit/secrets.toml`` has an ``[auth]`` section, every page needs
sign-in (Streamlit's ``st.login``, OpenID Connect): a visitor who is not signed
in sees only the sign-in page, and a signed-in person without a role sees only
whom to ask. The role comes from the product's database (``users``), never from
the token. Without ``[auth]`` the dashboard runs in a single-user local mode: it
serves only this computer (127.0.0.1), and a banner on every page says that sign-in
is off.
"""

from __future__ import annotations

import streamlit as st

from dashboard import cache
from records.users import operating_system_user
from users import Actor, actor_for, administrators, local_actor, record_sign_in

#: Session keys: the e-mail whose sign-in was recorded this session (recorded once), and
#: the person acting in this run (set by ``identify`` in app.py, read by the pages).
_RECORDED = "signin:recorded"
_ACTOR = "signin:actor"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def sign_in_configured() -> bool:
    """Whether ``[auth]`` is set in the secrets (the sign-in provider's settings)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _user_claim(name: str):
    try:
        return st.user.get(name)
    except Exception:
        return None


def current_actor() -> Actor:
    """The person acting in this run, as ``app.py`` identified them (pages call this)."""
    actor = st.session_state.get(_ACTOR)
    return actor if actor is not None else identify()


def identify() -> Actor:
    """Who is using this session (app.py calls it once per run, before anything is drawn).

    Stops the run at the sign-in page or the no-role page when needed.
    """
    actor = _identify()
    st.session_state[_ACTOR] = actor
    return actor


def _identify() -> Actor:
    if not sign_in_configured():
        _local_mode_guard()
        return local_actor(operating_system_user())
    if not _user_claim("is_logged_in"):
        _sign_in_page()
        st.stop()
    email = str(_user_claim("email") or "")
    engine = cache.engine()
    if st.session_state.get(_RECORDED) != email.lower():
        record_sign_in(engine, email)
        st.session_state[_RECORDED] = email.lower()
    actor = actor_for(engine, email)
    if actor.role is None:
        _no_role_page(email, administrators(engine))
        st.stop()
    return actor


def _local_mode_guard() -> None:
    """In local mode, serve only this computer, and say on every page that sign-in is off."""
    address = st.get_option("server.address") or "0.0.0.0"
    if address not in _LOOPBACK:
        st.error("Sign-in is not configured, so this dashboard may only be opened on the computer it runs on "
                 "(server address 127.0.0.1). Configure sign-in (see the README) before serving it on a network.")
        st.stop()
    st.warning("Sign-in is off: this is a single-user local copy. Anyone who can reach this address can "
               "change the data. Configure sign-in (see the README) before sharing it.", icon=":material/lock_open:")


def _sign_in_page() -> None:
    st.title("Contract monitoring")
    st.write("Sign in with your council or organisation account to see the contracts you work on.")
    st.button("Sign in", type="primary", on_click=st.login, key="signin:button")


def _no_role_page(email: str, admins: list[str]) -> None:
    st.title("Contract monitoring")
    st.warning(f"You are signed in as {email}, but you have not been given access yet.")
    if admins:
        st.write("Ask an administrator to give you a role: " + ", ".join(admins) + ".")
    else:
        st.write("Ask the council's contract monitoring team to give you a role.")
    st.button("Sign out", on_click=st.logout, key="signin:signout-norole")


def sign_out_button(actor: Actor) -> None:
    """In the sidebar: who is signed in, their role, and the sign-out button."""
    if actor.via != "sign-in":
        return
    with st.sidebar:
        role = actor.role.value if actor.role else "no role"
        where = f" of {actor.provider_name}" if actor.provider_name else ""
        st.caption(f"Signed in as {actor.email} ({role}{where})")
        st.button("Sign out", on_click=st.logout, key="signin:signout")
