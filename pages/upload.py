"""Upload quarterly returns: check each workbook, preview it, confirm, store.

Nothing is stored until the user confirms, and a workbook with an error is never
stored. Everything computed here comes from records.uploads (tested without a browser).
"""

import streamlit as st

from dashboard import cache, layout, state
from models.periods import Quarter
from records import display, uploads

PAGE = "upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The uploader's key changes after a store, which empties it for the next files.
UPLOADER_ROUND = state.page_key(PAGE, "round")
CHECKED = state.page_key(PAGE, "checked")
STORED = state.page_key(PAGE, "stored")

selection = state.current()
engine = cache.engine()

st.title("Upload quarterly returns")
st.write("Drop the provider's monitoring workbooks here. Each one is checked first; nothing is "
         "stored until you confirm, and a workbook with errors is never stored.")


@st.cache_data(show_spinner=False)
def _template(type_name, reference, provider, year, quarter):
    return uploads.template_bytes(cache.catalogue(type_name), reference, provider,
                                  quarter=Quarter(year, quarter))


# The template is the chosen contract's type's: with no contract there is none to offer.
if selection.contract and selection.contract_type:
    provider = selection.contract_details.get("provider")
    due = uploads.quarter_due_next(list(selection.quarters))
    st.download_button(
        f"Download the workbook for {due.label}",
        data=_template(selection.contract_type, selection.contract, provider, due.year, due.quarter),
        file_name=uploads.template_file_name(selection.contract), mime=XLSX, icon=":material/download:",
        help=f"The template providers fill in each quarter, with contract {selection.contract} and "
             f"{due.label} (the quarter due next: the one after the newest return held) filled in.",
        key=state.page_key(PAGE, "template"))


def _findings(findings):
    """Each error or warning on its own lines: where, what is wrong, what to do (as text)."""
    table = uploads.findings_table(findings)
    st.markdown("\n".join(
        f"- **{layout.escape(row['Where'])}** — {layout.escape(row['Problem'])}"
        + (f"  \n  *What to do:* {layout.escape(row['What to do'])}" if row["What to do"] else "")
        for row in table.to_dict("records")))


# What the last confirm did (files stored, and the rejected ones with their errors) stays on
# screen above the uploader until the next files are dropped, and only until then.
outcome = st.container()

round_ = st.session_state.get(UPLOADER_ROUND, 0)
files = st.file_uploader(
    "Workbooks (.xlsx)", accept_multiple_files=True, key=state.page_key(PAGE, f"files{round_}"),
    help="Drag one or several workbooks here, or click to choose them.")

if not files:
    with outcome:
        for summary, level, errors in st.session_state.get(STORED, []):
            {"success": st.success, "info": st.info, "error": st.error}[level](
                layout.escape(summary))
            if errors:
                _findings(errors)
    st.stop()

st.session_state.pop(STORED, None)
checked = st.session_state.setdefault(CHECKED, {})
to_check = [f for f in files if (f.file_id, selection.version) not in checked]
if to_check:
    bar = st.progress(0.0, text="Checking…") if len(to_check) > 1 else None

    def _progress(done, total, name):
        if bar is not None:
            bar.progress(done / total, text=f"Checked {done} of {total}: {name}")

    results = uploads.check_uploads(engine, [(f.name, f.getvalue()) for f in to_check],
                                    selection.actor, _progress)
    for f, result in zip(to_check, results, strict=True):
        checked[(f.file_id, selection.version)] = result
    if bar is not None:
        bar.empty()

results = [(f, checked[(f.file_id, selection.version)]) for f in files]


for uploaded, result in results:
    with st.container(border=True):
        st.subheader(uploaded.name, anchor=False)
        headline = layout.escape(uploads.result_headline(result, with_name=False))
        if result.status == "rejected":
            st.error(headline, icon=":material/block:")
            st.markdown("**Errors to correct** — by sheet and cell:")
            _findings(result.errors)
        elif result.status == "unchanged":
            st.info(headline, icon=":material/info:")
        else:
            st.success(headline, icon=":material/check_circle:")
        if result.warnings:
            st.markdown("**Warnings** — the workbook can be stored; the warnings stay with "
                        "the quarter wherever it is shown:")
            _findings(result.warnings)
        if result.status == "passed":
            st.markdown(f"**Headline indicators, {result.quarter.label}**, as they will be "
                        "once stored:")
            preview = uploads.headline_preview(engine, result, selection.actor)
            st.dataframe(layout.rag_styler(display.preview_table(preview), preview["rag"], ["RAG"]),
                         hide_index=True, width="stretch", height=layout.table_height(len(preview)))
            if result.superseded_version is not None:
                if result.differences:
                    st.markdown(f"**Differences from version {result.superseded_version}**, "
                                "measure by measure:")
                    st.dataframe(display.differences_display(
                        uploads.differences_table(result.differences)),
                        hide_index=True, width="stretch")
                else:
                    st.info("No figure differs from the version held.")

valid = [(f, r) for f, r in results if r.status == "passed"]
rejected = len(results) - len(valid)
if rejected:
    st.warning(uploads.rejected_note(rejected))
if not valid:
    st.stop()

label = (f"Confirm and store {len(valid)} workbooks" if len(valid) > 1
         else "Confirm and store this workbook")
if st.button(label, type="primary", key=state.page_key(PAGE, "confirm")):
    bar = st.progress(0.0, text="Storing…") if len(valid) > 1 else None

    def _stored(done, total, name):
        if bar is not None:
            bar.progress(done / total, text=f"Stored {done} of {total}: {name}")

    stored = uploads.store_uploads(engine, [(f.name, f.getvalue()) for f, _ in valid], selection.actor,
                                   _stored)
    cache.clear()
    st.session_state[STORED] = uploads.after_storing(
        stored, [r for _, r in results if r.status == "rejected"])
    st.session_state[CHECKED] = {}
    shown = uploads.quarter_to_show(stored, selection.contract)
    if shown is not None:
        # The sidebar's own hook for choosing a quarter before its selectbox is drawn.
        st.session_state[state._WANTED_QUARTER] = state.quarter_param(shown)
    st.session_state[UPLOADER_ROUND] = round_ + 1
    st.rerun()
