"""One Stop: information, advice and crisis intervention."""

import streamlit as st

from dashboard import charts, layout, sections, state
from models.catalogue import MEASURES_BY_CODE, ONE_STOP, indicators_for

selection = state.current()
layout.page_header("One Stop", selection)
if state.require_selection(selection):
    basis = layout.basis_switch("one_stop")

    st.header("Responding to new referrals")
    sections.indicators_together(selection, ("OS-RESP24", "OS-SAFE48", "OS-ASSESS"), basis,
                                 "New referrals: responded to, safety planned and assessed")

    st.header("Risk and outcomes of closed cases")
    sections.measures_stacked(
        selection, ("OS09", "OS10", "OS11"), basis, "Risk scores of closed cases",
        names={"OS09": "Risk decreased", "OS10": "Risk stayed the same", "OS11": "Risk increased"},
        y_title="Closed cases", colours=charts.GOOD_NEUTRAL_BAD, key="one_stop_risk")
    sections.outcomes(
        selection, ("OS12", "OS13", "OS14", "OS15", "OS16"), "OS08", basis,
        "Outcomes of closed cases",
        names={code: MEASURES_BY_CODE[code].label.removeprefix("Closed cases: ").capitalize()
               for code in ("OS12", "OS13", "OS14", "OS15", "OS16")},
        total_name="cases closed", key="one_stop_outcomes")

    st.header("Every One Stop indicator")
    for indicator in indicators_for(ONE_STOP):
        sections.indicator_trend(selection, indicator.code, basis)
    sections.no_data_note(selection)
