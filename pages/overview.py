"""Overview: are we on target this quarter, which way is each measure going, is the change real."""

import streamlit as st

import formats as fmt
from dashboard import cache, layout, state
from reports import pack_file_stem

selection = state.current()
layout.page_header("Overview", selection)
if state.require_selection(selection) and state.require_catalogue(selection) is not None:
    contract, quarter, version = selection.contract, selection.quarter, selection.version
    view = cache.overview(contract, selection.contract_type, quarter, version)
    card = view["card"]
    held = cache.quarter_return(contract, quarter, version, selection.actor)
    if held is not None and held.warnings:
        count = len(held.warnings)
        with st.expander(f"The {fmt.quarter(quarter)} return was stored with {count} warning"
                         f"{'s' if count != 1 else ''}: read before relying on its figures",
                         icon=":material/warning:"):
            for warning in held.warnings:
                st.markdown(f"- {layout.escape(fmt.finding(warning))}")

    # --- the return's deadline ---------------------------------------------------------
    returns = cache.latest_return(contract, version)
    if returns is not None:
        next_due = (f" Next return due: {returns['next_due_period']} by {fmt.uk_date(returns['next_due_date'])}."
                    if returns["next_due_period"] and returns["next_due_period"] != returns["period"] else "")
        st.markdown(f"**Latest return** · {layout.escape(returns['summary'])}.{layout.escape(next_due)}",
                    help="Returns are due 20 working days after the quarter ends (unless the contract says "
                         "otherwise), not counting weekends or bank holidays in England and Wales. "
                         "See the Returns calendar for every quarter.")

    # --- the meeting pack ---------------------------------------------------------------
    with st.expander("Meeting pack for this quarter (PDF and Excel)", icon=":material/description:"):
        shared = st.toggle("Suppress small numbers (for sharing outside the council)", value=True,
                           key=state.page_key("overview", "pack-suppressed"))
        stem = pack_file_stem(contract, quarter, shared)
        # Made when a button is pressed (about a second; the button shows a spinner meanwhile),
        # once per quarter, data version and person: the other button, and any later download,
        # are served from the cache at once.
        st.caption("Made when you press a button: about a second the first time, then at once.")
        left, right = st.columns(2)
        left.download_button(
            "Meeting pack (PDF)",
            data=lambda: cache.meeting_pack(contract, quarter, version, shared,
                                            actor=selection.actor).pdf,
            file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore",
            icon=":material/picture_as_pdf:", key=state.page_key("overview", "pack-pdf"))
        right.download_button(
            "Meeting pack figures (Excel)",
            data=lambda: cache.meeting_pack(contract, quarter, version, shared,
                                            actor=selection.actor).xlsx,
            file_name=f"{stem}.xlsx", on_click="ignore", key=state.page_key("overview", "pack-xlsx"),
            icon=":material/table_view:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    # --- the contract card -------------------------------------------------------------
    with st.container(border=True):
        st.subheader(card.title or card.reference)
        extended = (f", extended to **{fmt.uk_date(card.extended_end)}**" if card.extended_end
                    else ", not extended")
        st.markdown(
            f"**{layout.escape(card.provider or fmt.NO_DATA)}** · contract **{layout.escape(card.reference)}** · "
            f"commissioned by {layout.escape(card.commissioner or fmt.NO_DATA)}  \n"
            f"Term **{fmt.uk_date(card.start)}** to **{fmt.uk_date(card.initial_end)}**{extended}")
        figures = st.columns(5)
        figures[0].metric("Days left", fmt.whole(card.days_left) if card.days_left is not None else fmt.NO_DATA,
                          help=f"Days from the end of {fmt.quarter(quarter)} to the end of the term in force "
                               f"({fmt.uk_date(card.end)}).")
        figures[1].metric("Annual value", fmt.money(card.annual_value))
        figures[2].metric("Value to date", fmt.money(card.value_to_date),
                          help=f"A quarter of the annual value for each of the {card.quarters_due} quarters "
                               f"from the start of the contract to the end of {fmt.quarter(quarter)}.")
        figures[3].metric("Spend to date", fmt.money(card.spend_to_date),
                          help="Spend reported in the quarterly returns from the start of the contract to "
                               f"the end of {fmt.quarter(quarter)}.")
        figures[4].metric("Spend against value", fmt.percent(card.spend_share),
                          help="Spend to date against the contract value of the quarters whose spend is "
                               "reported.")
        notes = [f"Days left and value to date are at the end of {fmt.quarter(quarter)}."]
        if card.quarters_missing:
            notes.append(f"Spend is reported for {card.quarters_reported} of the {card.quarters_due} "
                         "quarters under contract so far; spend against value compares those quarters only.")
        if card.ended:
            notes.append(f"The contract has since ended, on {fmt.uk_date(card.end)}.")
        st.caption(" ".join(notes))

    # --- against target ------------------------------------------------------------------
    counts = view["counts"]
    st.subheader(f"Against target, {fmt.quarter(quarter)}")
    summary = st.columns(4)
    summary[0].metric(fmt.rag("red"), counts["red"])
    summary[1].metric(fmt.rag("amber"), counts["amber"])
    summary[2].metric(fmt.rag("green"), counts["green"])
    summary[3].metric("No data", counts["no data"])
    grid = view["grid"]
    if grid.empty:
        st.info("No indicator has a target for this quarter. Targets are set on the Targets page.")
    else:
        shown = grid.drop(columns=["indicator", "rag", "why"])
        with st.container(key="overview_grid"):
            # Static: an interactive grid would cut a figure, target or band to its column's width.
            layout.static_table(shown.rename(columns=layout.OVERVIEW_HEADINGS), grid["rag"], ("Quarter", "RAG"))
        st.caption("Exceptions (red, then amber) first. RAG: ✔ Green meets the target; ▲ Amber misses "
                   "it by no more than the tolerance (the target's amber band); ✖ Red misses it by more. "
                   + layout.OVERVIEW_GRID_NOTES + " " + fmt.ROUNDING_RULE + " " + fmt.SPC_KEY
                   + (f" * {view['missing']}" if view["missing"] else ""))
        exceptions = grid[grid["rag"].isin(["red", "amber"])]
        if len(exceptions):
            with st.expander(f"Why {len(exceptions)} indicator{'s are' if len(exceptions) != 1 else ' is'} "
                             "red or amber", icon=":material/help:"):
                st.markdown("\n".join(f"- {fmt.rag(r)} {layout.escape(ind)}: {layout.escape(why)}"
                                       for r, ind, why in zip(exceptions["rag"], exceptions["Indicator"],
                                                              exceptions["why"], strict=True)))

    # --- key figures ----------------------------------------------------------------------
    st.subheader(f"Key figures, {fmt.quarter(quarter)} and {fmt.period(quarter, 'ytd')}")
    figures = view["figures"]
    if figures.empty:
        st.write(fmt.NO_DATA)
    else:
        with st.container(key="overview_figures"):
            layout.static_table(figures.drop(columns=["code"]).rename(columns=layout.OVERVIEW_HEADINGS))

    # --- what the figures say, and what the provider says ---------------------------------
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("What the figures say")
        sentences = cache.narrative(contract, selection.contract_type, quarter, version)
        if sentences:
            st.markdown("\n".join(f"- {layout.escape(s)}" for s in sentences))
        else:
            st.write("Nothing to report for this quarter.")
    with right:
        st.subheader("Provider's commentary")
        if held is None or not held.commentary:
            st.write("The provider gave no commentary for this quarter.")
        else:
            for topic, text in held.commentary.items():
                st.markdown(f"**{layout.escape(topic)}**  \n{layout.escape(text)}")
        if held is not None:
            # Typed by the provider: shown as text (an address there is neither fetched nor linked).
            completed = layout.escape(held.completed_by) if held.completed_by else "not given"
            on = f", {layout.escape(fmt.uk_date(held.date_completed))}" if held.date_completed else ""
            st.caption(f"Return version {held.version}, completed by {completed}{on}.")
