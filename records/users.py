"""Who is making a change: the name recorded against everything a user stores.

Where sign-in is configured the page passes the signed-in user's claims
(``st.user``); otherwise the change is recorded against the operating-system
user running the dashboard. This module knows nothing of Streamlit.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping

#: Claims of a signed-in user tried in turn for the name to record.
_CLAIMS = ("email", "preferred_username", "name", "sub")


def current_user(signed_in: Mapping | None = None) -> str:
    """The signed-in user's e-mail (or name) when signed in, else the operating-system user."""
    if signed_in and signed_in.get("is_logged_in"):
        for claim in _CLAIMS:
            value = signed_in.get(claim)
            if value:
                return str(value)
    return operating_system_user()


def operating_system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "unknown user"
