"""The contract register: finding, registering, changing and ending contracts.

A contract is registered once (:func:`register_contract`), with the services
and default targets of its type; after that its fields are changed in place
(:func:`change_contract`, :func:`end_contract`) and each change is logged in
``record_change`` with who made it and when, so nothing typed is lost. Every
refusal is a :class:`ContractError` whose message says, in plain words, what is
wrong and what to do; nothing is stored when one is raised.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import formats as fmt
from models.database import sessions
from models.schema import Contract, Provider, RecordChange, Service, Submission, utcnow
from records.changes import apply_changes, change_history
from users.access import Actor, require_admin, require_read


class NotFound(LookupError):
    """A contract, service or record that is not held; the message says which."""


def get_contract(session: Session, reference: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.reference == reference))
    if contract is None:
        raise NotFound(f"No contract {reference!r} is held.")
    return contract


def contract_for(session: Session, reference: str, actor: Actor, rule=require_read) -> Contract:
    """The contract, once ``rule(actor, contract)`` (``users.access.require_read`` by default,
    or ``require_edit`` / ``require_upload``) allows the person to act on it.

    Raises :class:`NotFound` for a contract not held and ``users.NotAllowed`` for one the
    person's role does not reach; every reading and writing function goes through it.
    """
    contract = get_contract(session, reference)
    rule(actor, contract)
    return contract


def get_service(session: Session, contract: Contract, name: str) -> Service:
    service = session.scalar(select(Service).where(Service.contract_id == contract.id,
                                                   Service.name == name))
    if service is None:
        raise NotFound(f"Contract {contract.reference} has no service {name!r}.")
    return service


def contract_references(engine: Engine) -> list[str]:
    with sessions(engine)() as session:
        return list(session.scalars(select(Contract.reference).order_by(Contract.reference)))


def service_names(engine: Engine, reference: str) -> list[str]:
    """The contract's services in the order they were set up."""
    with sessions(engine)() as session:
        contract = get_contract(session, reference)
        return list(session.scalars(
            select(Service.name).where(Service.contract_id == contract.id).order_by(Service.id)))


def add_contract(engine: Engine, *, reference: str, title: str, provider: str, start_date,
                 initial_end_date, annual_value: float, commissioner: str = "",
                 extended_end_date=None, contract_type: str = "domestic-abuse",
                 parameters: dict | None = None,
                 services: dict[str, str] | None = None, actor: Actor) -> int:
    """Set up a contract (and its provider, if new) with its services ``{name: description}``.

    Without the register's checks (the sample and the tests use it); only an administrator.
    """
    require_admin(actor, "set up contracts")
    created_by = actor.recorded_as
    with sessions(engine).begin() as session:
        provider_row = session.scalar(select(Provider).where(Provider.name == provider))
        if provider_row is None:
            provider_row = Provider(name=provider, created_by=created_by)
            session.add(provider_row)
        contract = Contract(reference=reference, title=title, commissioner=commissioner,
                            provider=provider_row, start_date=start_date,
                            initial_end_date=initial_end_date, extended_end_date=extended_end_date,
                            annual_value=annual_value, contract_type=contract_type,
                            parameters=dict(parameters or {}),
                            created_by=created_by)
        contract.services = [Service(name=name, description=description, created_by=created_by)
                             for name, description in (services or {}).items()]
        session.add(contract)
        session.flush()
        return contract.id


def contract_quarters(engine: Engine, reference: str) -> list:
    """Every quarter of the contract's term (the extended end when there is one), oldest first."""
    from models.periods import Quarter

    with sessions(engine)() as session:
        contract = get_contract(session, reference)
        first, last = Quarter.containing(contract.start_date), Quarter.containing(contract.end_date)
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]


def catalogue_for(db, reference: str):
    """The catalogue of a contract's type (``models.catalogue.Catalogue``); ``db`` is an engine or session.

    Raises :class:`NotFound` for a contract not held and
    ``models.contract_types.ContractTypeError`` for a type whose file is missing or faulty.
    """
    from models.contract_types import get_type

    if isinstance(db, Session):
        contract = get_contract(db, reference)
        return get_type(contract.contract_type)
    with sessions(db)() as session:
        return get_type(get_contract(session, reference).contract_type)


# --- the register: registering, changing and ending contracts ---------------------------------


class ContractError(ValueError):
    """A registration or change that is refused; the message says what is wrong and what to do."""


#: Each field of the register in the words its users know it by (for messages and the history).
FIELDS: dict[str, str] = {
    "reference": "Reference",
    "title": "Title",
    "commissioner": "Commissioner",
    "provider": "Provider",
    "contract_type": "Type",
    "annual_value": "Annual value",
    "start_date": "Start",
    "initial_end_date": "Initial end",
    "extended_end_date": "Extended end",
    "ended_on": "Ended on",
    "parameters": "Parameters",
}
#: Fields a change may set; the reference and the type say how returns are read, so they stay.
CHANGEABLE = ("title", "commissioner", "provider", "annual_value", "start_date", "initial_end_date",
              "extended_end_date", "ended_on", "parameters")
_REFERENCE_LENGTH = 50

REGISTER_COLUMNS = ["reference", "title", "commissioner", "provider", "contract_type", "type_title",
                    "annual_value", "start_date", "initial_end_date", "extended_end_date",
                    "ended_on", "end_date", "status", "parameters", "created_at", "created_by"]
HISTORY_COLUMNS = ["changed_at", "changed_by", "field", "old_value", "new_value"]


def contract_types() -> dict[str, str]:
    """Every contract type held in the types folder: ``{name: title}``, by name.

    Raises ``models.contract_types.ContractTypeError`` when a type file is faulty.
    """
    from models.contract_types import load_types

    return {name: catalogue.title for name, catalogue in sorted(load_types().items())}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (isinstance(value, float) and math.isnan(value))


def whole_number(value) -> int | None:
    """``value`` as a whole number of 0 or more (28, 28.0, "28"); None when it is not one."""
    if isinstance(value, bool) or _blank(value):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and value >= 0:
        return int(value)
    return None


def _parameter_problems(catalogue, parameters: dict) -> tuple[dict[str, int], list[str]]:
    """The type's parameters as whole numbers, and what is wrong with those given."""
    problems, clean = [], {}
    known = {p.key: p for p in catalogue.parameters}
    for key in parameters:
        if key not in known:
            listed = ", ".join(known) or "none"
            problems.append(f"{key!r} is not a parameter of a {catalogue.name} contract "
                            f"(its parameters: {listed}).")
    for key, parameter in known.items():
        given = parameters.get(key)
        if _blank(given):
            problems.append(f"{parameter.label} is required for a {catalogue.name} contract.")
            continue
        number = whole_number(given)
        if number is None:
            problems.append(f"{parameter.label} must be a whole number of 0 or more, not {given!r}.")
        else:
            clean[key] = number
    return clean, problems


def _check_fields(fields: dict) -> tuple[dict, list[str]]:
    """The register's fields made tidy (text stripped, numbers as numbers), and every fault."""
    from models.contract_types import ContractTypeError, load_types

    problems = []
    fields = dict(fields)
    for key in ("reference", "title", "commissioner", "provider"):
        fields[key] = "" if fields.get(key) is None else str(fields[key]).strip()
    for key in ("reference", "title", "provider"):
        if not fields[key]:
            problems.append(f"{FIELDS[key]} is required.")
    if len(fields["reference"]) > _REFERENCE_LENGTH:
        problems.append(f"Reference must be at most {_REFERENCE_LENGTH} characters.")

    value = fields.get("annual_value")
    if value is None or _blank(value):
        problems.append("Annual value is required (the contract's value for a year, in pounds).")
    else:
        try:
            number = float(str(value).replace(",", "").replace("£", "")) \
                if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            problems.append(f"Annual value must be an amount in pounds, not {value!r}.")
        elif number < 0:
            problems.append(f"Annual value must be £0 or more, not {fmt.money(number)}.")
        else:
            fields["annual_value"] = number

    for key in ("start_date", "initial_end_date"):
        if fields.get(key) is None:
            problems.append(f"{FIELDS[key]} date is required.")
    for key in ("start_date", "initial_end_date", "extended_end_date", "ended_on"):
        if fields.get(key) is not None and not isinstance(fields[key], date):
            problems.append(f"{FIELDS[key]} must be a date, not {fields[key]!r}.")
            fields[key] = None
    start, initial_end = fields.get("start_date"), fields.get("initial_end_date")
    extended_end, ended_on = fields.get("extended_end_date"), fields.get("ended_on")
    if start and initial_end and initial_end <= start:
        problems.append(f"The initial end ({fmt.uk_date(initial_end)}) must be after the start "
                        f"({fmt.uk_date(start)}).")
    if initial_end and extended_end and extended_end <= initial_end:
        problems.append(f"An extension must end after the initial end: the extended end "
                        f"({fmt.uk_date(extended_end)}) is not after {fmt.uk_date(initial_end)}.")
    if ended_on and start and ended_on < start:
        problems.append(f"A contract cannot end ({fmt.uk_date(ended_on)}) before it starts "
                        f"({fmt.uk_date(start)}).")
    term_end = extended_end or initial_end
    if ended_on and term_end and ended_on > term_end:
        problems.append(f"The term already ends on {fmt.uk_date(term_end)}: a contract can only be "
                        f"ended early, not on {fmt.uk_date(ended_on)}.")

    name = "" if fields.get("contract_type") is None else str(fields["contract_type"]).strip()
    fields["contract_type"] = name
    try:
        types = load_types()
    except ContractTypeError as problem:
        raise ContractError(f"The contract types cannot be read: {problem}") from None
    if not name:
        problems.append(f"Type is required: choose one of {', '.join(sorted(types))}.")
    elif name not in types:
        problems.append(f"There is no contract type {name!r}: choose one of "
                        f"{', '.join(sorted(types)) or '(none: add a type file first)'}.")
    else:
        fields["parameters"], faults = _parameter_problems(types[name], dict(fields.get("parameters") or {}))
        problems += faults
    return fields, problems


def _provider(session: Session, name: str, user: str) -> Provider:
    provider = session.scalar(select(Provider).where(Provider.name == name))
    if provider is None:
        provider = Provider(name=name, created_by=user)
        session.add(provider)
    return provider


def _reference_taken(session: Session, reference: str) -> str | None:
    """The reference already held that differs from ``reference`` at most by case."""
    return session.scalar(select(Contract.reference)
                          .where(func.upper(Contract.reference) == reference.upper()))


def register_contract(engine: Engine, actor: Actor, *, reference: str, title: str, provider: str,
                      contract_type: str, annual_value: float, start_date: date,
                      initial_end_date: date, commissioner: str = "",
                      extended_end_date: date | None = None,
                      parameters: dict | None = None) -> int:
    """Register a contract with the services and default targets of its type; its id.

    Only an administrator (``users.NotAllowed`` otherwise, before anything is checked or
    stored); ``actor.recorded_as`` is recorded as who registered it (on the contract, its
    services and targets). Raises :class:`ContractError`, storing nothing, with every fault:
    a reference already held, an end before the start, an unknown type, a
    parameter that is missing or not a whole number of 0 or more, a negative value.
    """
    from models.contract_types import get_type
    from models.periods import Quarter
    from records.targets import set_default_targets

    require_admin(actor, "register contracts")
    user = actor.recorded_as
    fields, problems = _check_fields({
        "reference": reference, "title": title, "commissioner": commissioner, "provider": provider,
        "contract_type": contract_type, "annual_value": annual_value, "start_date": start_date,
        "initial_end_date": initial_end_date, "extended_end_date": extended_end_date,
        "ended_on": None, "parameters": parameters})
    with sessions(engine).begin() as session:
        held = _reference_taken(session, fields["reference"]) if fields["reference"] else None
        if held is not None:
            problems.insert(0, f"A contract with reference {held} is already registered: "
                               "choose another reference, or change that contract instead.")
        if problems:
            raise ContractError("\n".join(problems))
        catalogue = get_type(fields["contract_type"])
        contract = Contract(
            reference=fields["reference"], title=fields["title"], commissioner=fields["commissioner"],
            provider=_provider(session, fields["provider"], user),
            start_date=fields["start_date"], initial_end_date=fields["initial_end_date"],
            extended_end_date=fields["extended_end_date"], annual_value=fields["annual_value"],
            contract_type=catalogue.name, parameters=fields["parameters"], created_by=user)
        contract.services = [Service(name=s.name, description=s.description, created_by=user)
                             for s in catalogue.services]
        session.add(contract)
        session.flush()
        # The type's targets apply from the quarter the contract starts in, until someone
        # changes them; in the same transaction, so a contract is never held without them.
        set_default_targets(session, fields["reference"], catalogue,
                            Quarter.containing(fields["start_date"]), actor)
        return contract.id


def _fields_of(contract: Contract) -> dict:
    return {"reference": contract.reference, "title": contract.title,
            "commissioner": contract.commissioner, "provider": contract.provider.name,
            "contract_type": contract.contract_type, "annual_value": contract.annual_value,
            "start_date": contract.start_date, "initial_end_date": contract.initial_end_date,
            "extended_end_date": contract.extended_end_date, "ended_on": contract.ended_on,
            "parameters": dict(contract.parameters or {})}


def contract_details(engine: Engine, reference: str) -> dict:
    """The register's fields of one contract (raises :class:`NotFound`)."""
    with sessions(engine)() as session:
        return _fields_of(get_contract(session, reference))


def _log(session: Session, contract: Contract, field: str, old: str | None, new: str | None,
         user: str, when) -> None:
    session.add(RecordChange(table_name=Contract.__tablename__, record_id=contract.id, field=field,
                             old_value=old, new_value=new, changed_at=when, changed_by=user))


def _parameters_text(parameters: dict | None) -> str | None:
    return json.dumps(parameters, sort_keys=True) if parameters else None


def change_contract(engine: Engine, actor: Actor, reference: str, /, **changes) -> list[str]:
    """Change fields of a registered contract; returns the fields changed (none when all the same).

    Fields: ``CHANGEABLE``. ``parameters`` may name only the parameters that
    change. Only an administrator (``users.NotAllowed``, storing nothing). Each change is
    logged with ``actor.recorded_as`` and the time. Raises
    :class:`ContractError` (storing nothing) for a field that cannot change or
    a result that would not be registered, and :class:`NotFound` for an unknown contract.
    """
    require_admin(actor, "change contracts")
    user = actor.recorded_as
    fixed = [key for key in changes if key not in CHANGEABLE]
    if fixed:
        names = ", ".join(FIELDS.get(key, key) for key in fixed)
        raise ContractError(
            f"{names} cannot be changed: the reference and the type say how the contract's returns "
            "are read. End this contract and register a new one instead.")
    with sessions(engine).begin() as session:
        contract = get_contract(session, reference)
        before = _fields_of(contract)
        wanted = {**before, **changes}
        if "parameters" in changes:
            wanted["parameters"] = {**before["parameters"], **(changes["parameters"] or {})}
        fields, problems = _check_fields(wanted)
        if problems:
            raise ContractError("\n".join(problems))
        now = utcnow()
        changed = []
        if fields["provider"] != before["provider"]:
            _log(session, contract, "provider", before["provider"], fields["provider"], user, now)
            contract.provider = _provider(session, fields["provider"], user)
            changed.append("provider")
        if fields["parameters"] != before["parameters"]:
            _log(session, contract, "parameters", _parameters_text(before["parameters"]),
                 _parameters_text(fields["parameters"]), user, now)
            contract.parameters = dict(fields["parameters"])   # a new dict, so the change is saved
            changed.append("parameters")
        plain = {key: fields[key] for key in CHANGEABLE
                 if key in changes and key not in ("provider", "parameters")}
        changed += apply_changes(session, contract, plain, user)
    return [key for key in CHANGEABLE if key in changed]


def end_contract(engine: Engine, actor: Actor, reference: str, ended_on: date) -> list[str]:
    """End a contract early on ``ended_on``: its term then ends that day (logged like any change).

    Only an administrator (``users.NotAllowed``)."""
    require_admin(actor, "end contracts")
    if ended_on is None:
        raise ContractError("Say the day the contract ends.")
    return change_contract(engine, actor, reference, ended_on=ended_on)


def contract_status(fields: dict, today: date) -> str:
    """``in force``, ``not started``, ``ended early`` or ``term over`` on ``today``."""
    if fields.get("ended_on") and fields["ended_on"] <= today:
        return "ended early"
    end = fields.get("ended_on") or fields.get("extended_end_date") or fields.get("initial_end_date")
    if end and end < today:
        return "term over"
    if fields.get("start_date") and fields["start_date"] > today:
        return "not started"
    return "in force"


def contract_register(engine: Engine, today: date | None = None) -> pd.DataFrame:
    """Every contract registered, by reference: columns ``REGISTER_COLUMNS`` (values as held)."""
    today = today or date.today()
    try:
        titles = contract_types()
    except ValueError:   # a faulty type file: the register still lists its contracts
        titles = {}
    with sessions(engine)() as session:
        contracts = session.scalars(select(Contract).order_by(Contract.reference)).all()
        rows = []
        for contract in contracts:
            fields = _fields_of(contract)
            rows.append({**fields, "type_title": titles.get(contract.contract_type, ""),
                         "end_date": contract.end_date, "status": contract_status(fields, today),
                         "created_at": contract.created_at, "created_by": contract.created_by})
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """:func:`contract_register` in the users' words and UK formats, for a page or the terminal."""
    def date_text(value) -> str:
        return "" if fmt.is_missing(value) else fmt.uk_date(value)

    def parameters_text(parameters) -> str:
        return "; ".join(f"{key.replace('_', ' ')} {value}" for key, value in (parameters or {}).items())

    return pd.DataFrame({
        "Reference": register["reference"],
        "Title": register["title"],
        "Provider": register["provider"],
        "Commissioner": register["commissioner"],
        "Type": register["contract_type"],
        "Annual value": [fmt.money(v) for v in register["annual_value"]],
        "Start": [date_text(v) for v in register["start_date"]],
        "Initial end": [date_text(v) for v in register["initial_end_date"]],
        "Extended end": [date_text(v) for v in register["extended_end_date"]],
        "Ended on": [date_text(v) for v in register["ended_on"]],
        "Status": register["status"],
        "Parameters": [parameters_text(p) for p in register["parameters"]],
    })


def contract_history(engine: Engine, reference: str, actor: Actor) -> pd.DataFrame:
    """Who registered the contract and every change since, newest first: ``HISTORY_COLUMNS``,
    with ``field`` in the users' words. Anyone who may read the contract (``require_read``)."""
    with sessions(engine)() as session:
        contract = contract_for(session, reference, actor)
        contract_id, registered_at, registered_by = contract.id, contract.created_at, contract.created_by
    changes = change_history(engine, Contract.__tablename__, contract_id)
    changes["field"] = [FIELDS.get(f, f) for f in changes["field"]]
    registered = pd.DataFrame([{"changed_at": registered_at, "changed_by": registered_by,
                                "field": "Registered", "old_value": None, "new_value": reference}])
    frames = [changes[HISTORY_COLUMNS]] if len(changes) else []
    return pd.concat(frames + [registered], ignore_index=True)[HISTORY_COLUMNS]


def returns_held(engine: Engine, reference: str) -> int:
    """How many quarters have a return stored for the contract."""
    with sessions(engine)() as session:
        contract = get_contract(session, reference)
        return int(session.scalar(select(func.count()).select_from(Submission)
                                  .where(Submission.contract_id == contract.id,
                                         Submission.is_current.is_(True))) or 0)
