"""Contracts: the register of contracts held; register, change and end one.

Everything is checked by ``records.contracts`` (tested without a browser);
this page only draws the forms and says what was done or what to correct.
"""

from datetime import date

import streamlit as st

from dashboard import cache, layout, state
from data_ingest.template import template_workbook
from models.contract_types import ContractTypeError, get_type
from records import contracts
from records.uploads import template_file_name
from users import NotAllowed
from users.access import can_administer

PAGE = "contracts"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Widest range of dates a contract may have (the date pickers' default is only ten years).
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def key(name: str) -> str:
    """This page's own session keys: ``contracts_<name>``."""
    return f"{PAGE}_{name}"


SAVED = key("saved")          # what the last change did, shown after the rerun
REGISTERED = key("registered")  # the reference just registered: offer its template

selection = state.current()
engine = cache.engine()

st.title("Contracts")
st.write("Every contract the council monitors. Register a new one here, then send its provider the "
         "template to fill in each quarter; change a contract when it is varied or extended, and end "
         "it if it stops early. Every change is kept with who made it and when.")

try:
    types = contracts.contract_types()
except ContractTypeError as problem:
    st.error(f"A contract type file cannot be read, so no contract can be registered: {problem}",
             icon=":material/error:")
    types = {}

if st.session_state.get(SAVED):
    st.success(layout.escape(st.session_state.pop(SAVED)), icon=":material/check_circle:")

just_registered = st.session_state.get(REGISTERED)
if just_registered:
    with st.container(border=True):
        st.markdown(f"**Next for {layout.escape(just_registered)}:** download its template and send "
                    "it to the provider; when their first return comes back, upload it.")
        try:
            details = contracts.contract_details(engine, just_registered)
            catalogue = get_type(details["contract_type"])
        except (contracts.NotFound, ContractTypeError) as problem:
            st.warning(layout.escape(problem))
        else:
            left, right = st.columns(2)
            left.download_button(
                "Download its template", icon=":material/download:", mime=XLSX,
                data=template_workbook(catalogue, reference=just_registered,
                                       provider=details["provider"]),
                file_name=template_file_name(just_registered), key=key("template"),
                help="The workbook the provider fills in each quarter, with the contract's reference "
                     "and provider already on its Cover.")
            with right:
                st.page_link("pages/upload.py", label="Upload its first return",
                             icon=":material/upload_file:")
        if st.button("Done", key=key("done"), help="Hide this box."):
            st.session_state.pop(REGISTERED, None)
            st.rerun()

# --- the register ------------------------------------------------------------------------------

st.subheader("Register", anchor=False)
register = contracts.contract_register(engine)
if register.empty:
    st.info("No contract is registered yet: register the first one below.")
else:
    st.dataframe(contracts.register_table(register), hide_index=True, width="stretch",
                 key=key("register"))
references = list(register["reference"])


def _parameter_inputs(type_name: str, current: dict, prefix: str) -> dict:
    """One whole-number input per parameter of the type, filled with the values held."""
    values = {}
    for parameter in get_type(type_name).parameters:
        values[parameter.key] = st.number_input(
            parameter.label, min_value=0, step=1, value=current.get(parameter.key),
            help=parameter.help or None, key=key(f"{prefix}_{parameter.key}"), placeholder="required")
    return values


def _saved(message: str, reference: str | None = None) -> None:
    st.session_state[SAVED] = message
    if reference:
        st.session_state[REGISTERED] = reference
        state.choose_contract(reference)   # the sidebar shows it from the next run on
    cache.clear()
    st.rerun()


def _choose(tab_key: str) -> str | None:
    if not references:
        st.info("No contract is registered yet.")
        return None
    default = references.index(selection.contract) if selection.contract in references else 0
    return st.selectbox("Contract", references, index=default, key=key(tab_key))


if can_administer(selection.actor):
    register_tab, change_tab, end_tab, history_tab = st.tabs(
        ["Register a contract", "Change a contract", "End a contract", "History of changes"])

    # --- register ------------------------------------------------------------------------------------

    with register_tab:
        if types:
            # Outside the form, so that the parameters below follow the type chosen.
            chosen_type = st.selectbox("Type of contract", list(types), format_func=lambda n: types[n],
                                       key=key("add_type"),
                                       help="Says which services, return and indicators the contract has.")
            with st.form(key("add"), clear_on_submit=False, border=True):
                first = st.columns(2)
                reference = first[0].text_input("Reference", key=key("add_reference"), max_chars=50,
                                                placeholder="For example ASC0013")
                title = first[1].text_input("Title", key=key("add_title"))
                second = st.columns(3)
                provider = second[0].text_input("Provider", key=key("add_provider"),
                                                help="The organisation commissioned; typed as before for "
                                                     "a provider already held.")
                commissioner = second[1].text_input("Commissioner", key=key("add_commissioner"))
                value = second[2].number_input("Annual value (£)", min_value=0.0, step=1000.0, value=None,
                                               key=key("add_value"), placeholder="required")
                third = st.columns(3)
                start = third[0].date_input("Start", value=None, min_value=EARLIEST, max_value=LATEST,
                                            format="DD/MM/YYYY", key=key("add_start"))
                end = third[1].date_input("Initial end", value=None, min_value=EARLIEST, max_value=LATEST,
                                          format="DD/MM/YYYY", key=key("add_end"))
                extended = third[2].date_input("Extended end (if extended)", value=None, min_value=EARLIEST,
                                               max_value=LATEST, format="DD/MM/YYYY",
                                               key=key("add_extended"))
                parameters = _parameter_inputs(chosen_type, {}, "add")
                if st.form_submit_button("Register the contract", type="primary"):
                    try:
                        contracts.register_contract(
                            engine, selection.actor, reference=reference, title=title,
                            provider=provider, commissioner=commissioner, contract_type=chosen_type,
                            annual_value=value, start_date=start, initial_end_date=end,
                            extended_end_date=extended, parameters=parameters)
                    except (contracts.ContractError, NotAllowed) as problem:
                        st.error(layout.escape(problem), icon=":material/error:")
                    else:
                        for name in ("reference", "title", "provider", "commissioner", "value", "start",
                                     "end", "extended", *parameters):
                            st.session_state.pop(key(f"add_{name}"), None)   # an empty form for the next
                        _saved(f"Registered {reference.strip()}, with the services and default targets "
                               f"of its type.", reference.strip())
        else:
            st.info("No contract type is available: a type file is needed first (see docs/).")


    # --- change -------------------------------------------------------------------------------------

    with change_tab:
        chosen = _choose("change_contract")
        if chosen:
            held = contracts.contract_details(engine, chosen)
            # Keys carry the contract, so that choosing another one shows its own values.
            with st.form(key(f"change_{chosen}"), border=True):
                st.caption(f"Type: {types.get(held['contract_type'], held['contract_type'])} "
                           "(the reference and the type cannot change).")
                first = st.columns(3)
                title = first[0].text_input("Title", value=held["title"], key=key(f"change_title_{chosen}"))
                provider = first[1].text_input("Provider", value=held["provider"],
                                               key=key(f"change_provider_{chosen}"))
                commissioner = first[2].text_input("Commissioner", value=held["commissioner"],
                                                   key=key(f"change_commissioner_{chosen}"))
                second = st.columns(4)
                value = second[0].number_input("Annual value (£)", min_value=0.0, step=1000.0,
                                               value=float(held["annual_value"]),
                                               key=key(f"change_value_{chosen}"))
                start = second[1].date_input("Start", value=held["start_date"], min_value=EARLIEST,
                                             max_value=LATEST, format="DD/MM/YYYY",
                                             key=key(f"change_start_{chosen}"))
                end = second[2].date_input("Initial end", value=held["initial_end_date"], min_value=EARLIEST,
                                           max_value=LATEST, format="DD/MM/YYYY",
                                           key=key(f"change_end_{chosen}"))
                extended = second[3].date_input("Extended end", value=held["extended_end_date"],
                                                min_value=EARLIEST, max_value=LATEST, format="DD/MM/YYYY",
                                                key=key(f"change_extended_{chosen}"),
                                                help="Set it when the contract is extended.")
                try:
                    parameters = _parameter_inputs(held["contract_type"], held["parameters"],
                                                   f"change_{chosen}")
                except ContractTypeError as problem:
                    st.error(layout.escape(problem))
                    parameters = None
                if st.form_submit_button("Save the changes", type="primary"):
                    changes = {"title": title, "provider": provider, "commissioner": commissioner,
                               "annual_value": value, "start_date": start, "initial_end_date": end,
                               "extended_end_date": extended}
                    if parameters is not None:
                        changes["parameters"] = parameters
                    try:
                        changed = contracts.change_contract(engine, selection.actor,
                                                            chosen, **changes)
                    except (contracts.ContractError, NotAllowed) as problem:
                        st.error(layout.escape(problem), icon=":material/error:")
                    else:
                        if changed:
                            _saved(f"Changed {chosen}: "
                                   + ", ".join(contracts.FIELDS[f].lower() for f in changed) + ".")
                        else:
                            st.info("Nothing was changed.")

    # --- end ------------------------------------------------------------------------------------------

    with end_tab:
        chosen = _choose("end_contract")
        if chosen:
            held = contracts.contract_details(engine, chosen)
            if held["ended_on"]:
                st.info(f"{chosen} was ended on {held['ended_on'].strftime('%d/%m/%Y')}.")
            with st.form(key(f"end_{chosen}"), border=True):
                st.write("Ending a contract early makes its term end that day; its returns, targets and "
                         "records are kept.")
                ended_on = st.date_input("Last day of the contract", value=None, min_value=EARLIEST,
                                         max_value=LATEST, format="DD/MM/YYYY", key=key(f"end_on_{chosen}"))
                if st.form_submit_button("End the contract"):
                    try:
                        contracts.end_contract(engine, selection.actor, chosen, ended_on)
                    except (contracts.ContractError, NotAllowed) as problem:
                        st.error(layout.escape(problem), icon=":material/error:")
                    else:
                        _saved(f"{chosen} ends on {ended_on.strftime('%d/%m/%Y')}.")

else:
    history_tab = st.container()
    st.info("Only an administrator registers, changes or ends contracts; your role can read the "
            "register and its history.", icon=":material/visibility:")

# --- history --------------------------------------------------------------------------------------

with history_tab:
    chosen = _choose("history_contract")
    if chosen:
        from records.display import uk_time

        history = contracts.contract_history(engine, chosen, selection.actor)
        st.dataframe(
            history.assign(changed_at=[uk_time(t) for t in history["changed_at"]]).rename(columns={
                "changed_at": "When", "changed_by": "Who", "field": "What",
                "old_value": "Was", "new_value": "Became"}),
            hide_index=True, width="stretch", key=key(f"history_{chosen}"))
