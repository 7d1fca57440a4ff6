"""Finance: spend by service against the contract value."""

import streamlit as st

from dashboard import layout, sections, state

selection = state.current()
layout.page_header("Finance", selection)
if state.require_selection(selection):
    basis = layout.basis_switch("finance")
    st.header("Spend by service")
    sections.spend(selection, basis)
    st.header("Spend against the contract value")
    sections.indicator_trend(selection, "FN-SPEND", basis)
    sections.no_data_note(selection)
