"""Fresh Start: the perpetrator programme, with the Partner Support Service."""

import streamlit as st

from dashboard import layout, sections, state

selection = state.current()
layout.page_header("Fresh Start", selection)
if state.require_selection(selection):
    st.header("From referral to completion")
    sections.funnel(selection, (("FS01", "Referred"), ("FS02", "Attended for assessment"),
                                ("FS03", "Accepted onto the programme"), ("FS04", "Started the programme"),
                                ("FS07", "Completed the programme")),
                    "Fresh Start from referral to completion", key="fresh_start_funnel")
    st.caption("People move between stages across quarters, so a stage is not a subset of the one "
               "before within one year.")

    basis = layout.basis_switch("fresh_start")
    st.header("Active caseload")
    sections.indicator_trend(selection, "FS-ACTIVE", basis)
    sections.indicator_trend(selection, "FS-WAIT", basis)
    sections.indicator_trend(selection, "FS-COMPLETE", basis)

    st.header("Referrals and assessment")
    sections.indicator_trend(selection, "FS-REFS", basis)
    sections.indicator_trend(selection, "FS-ATTEND", basis)
    sections.indicator_trend(selection, "FS-ACCEPT", basis)

    st.header("Partner Support Service")
    sections.indicator_trend(selection, "FS-PARTNERS", basis)
    sections.measures_stacked(
        selection, ("FS09", "FS11", "FS12"), basis, "Partner Support Service: referrals and work done",
        names={"FS09": "Partners referred", "FS11": "Risk assessments completed",
               "FS12": "Safety plans completed"}, y_title="People", stacked=False,
        key="fresh_start_partner_work")
    sections.no_data_note(selection)
