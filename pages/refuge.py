"""Refuge: 28 units for women and their children."""

import streamlit as st

from dashboard import charts, layout, sections, state
from models.catalogue import MEASURES_BY_CODE

selection = state.current()
layout.page_header("Refuge", selection)
if state.require_selection(selection):
    basis = layout.basis_switch("refuge")

    st.header("Occupancy")
    sections.indicator_trend(selection, "RF-OCC", basis)

    st.header("Who is living in the refuge")
    sections.measures_stacked(
        selection, ("RF06", "RF07", "RF08", "RF09"), "quarter",
        "Women and children resident at the end of the quarter",
        names={"RF04": "Women", "RF06": "Children aged 0–3", "RF07": "Children aged 4–10",
               "RF08": "Children aged 11–15", "RF09": "Children aged 16–17"},
        beside="RF04", colours=charts.BANDS, key="refuge_resident")
    st.caption("Women and children resident are counts at the end of each quarter, "
               "so they are the same on both bases.")

    st.header("Referrals declined for no vacancy")
    sections.indicator_trend(selection, "RF-DECLINED", basis)

    st.header("Length of stay")
    sections.indicator_trend(selection, "RF-STAY", basis, in_months=True,
                             title="Average length of stay of women who left, in months")

    st.header("Leavers")
    sections.indicator_trend(selection, "RF-SETTLED", basis)
    sections.outcomes(
        selection, ("RF16", "RF17", "RF18", "RF19", "RF20", "RF21"), "RF14", basis,
        "Outcomes reported by women who left",
        names={code: MEASURES_BY_CODE[code].label.removeprefix("Leavers reporting a ")
               .removeprefix("Women who left to ").capitalize()
               for code in ("RF16", "RF17", "RF18", "RF19", "RF20", "RF21")},
        total_name="women who left", key="refuge_outcomes")
    sections.no_data_note(selection)
