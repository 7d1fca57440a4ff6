"""The monitoring dashboard: ``streamlit run app.py``.

This file is the frame around every page: it sets the page layout, draws the
sidebar's contract and quarter choosers (kept in the URL, see
``dashboard/state.py``) and runs the page chosen. Pages are listed here
explicitly, grouped in sections; to add a page, add its ``st.Page`` to a section.
Each ``url_path`` is the page file's name without ``.py`` (see
``dashboard.state._leave_pages_directory_mode`` for why), and each page begins
with ``state.current()``.
"""

from __future__ import annotations

import streamlit as st

from dashboard import state

st.set_page_config(page_title="Contract monitoring", page_icon=":material/monitoring:", layout="wide")

PAGES = {
    "Performance": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:",
                url_path="overview", default=True),
        st.Page("pages/one_stop.py", title="One Stop", icon=":material/support_agent:",
                url_path="one_stop"),
        st.Page("pages/refuge.py", title="Refuge", icon=":material/home:", url_path="refuge"),
        st.Page("pages/fresh_start.py", title="Fresh Start", icon=":material/autorenew:",
                url_path="fresh_start"),
        st.Page("pages/finance.py", title="Finance", icon=":material/payments:", url_path="finance"),
    ],
    "Records": [
        st.Page("pages/upload.py", title="Upload returns", icon=":material/upload_file:",
                url_path="upload"),
        st.Page("pages/history.py", title="Submission history", icon=":material/history:",
                url_path="history"),
        st.Page("pages/targets.py", title="Targets", icon=":material/flag:", url_path="targets"),
        st.Page("pages/quality_visits.py", title="Quality visits", icon=":material/fact_check:",
                url_path="quality_visits"),
        st.Page("pages/actions.py", title="Actions and meetings", icon=":material/checklist:",
                url_path="actions"),
    ],
    "Meetings": [
        st.Page("pages/meeting.py", title="Meeting mode", icon=":material/co_present:",
                url_path="meeting"),
    ],
}

page = st.navigation(PAGES)
state.sidebar()
page.run()
