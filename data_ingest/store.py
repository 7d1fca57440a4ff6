"""Storing checked workbooks: one quarter's return becomes one submission version.

``check_file`` reads and checks a workbook and writes nothing. ``ingest_file``
does the same and, when there is no error, stores it in one transaction: the
original bytes, the values (blank stays NULL, never zero), the commentary and
the warnings. Sending a quarter again makes a new version that supersedes the
old one, which is kept. A file identical (same SHA-256) to the quarter's current
version changes nothing, and ``check_file`` says so before anything is stored; the
file of a superseded version, sent again, is stored as a new version that brings
it back.

Storing one quarter is one atomic step per quarter: the identity check, the
version number and the insert run under a lock of that contract's quarter (an
advisory transaction lock on PostgreSQL; ``BEGIN IMMEDIATE`` on SQLite, whose
writers take turns anyway), so two identical uploads at the same moment make one
version, never two. An upload that meets another one is retried with back-off
until :data:`STORE_WAIT_SECONDS` have passed; only then is it refused
(``STORE-CONFLICT``).

A workbook is read as its contract's type: the contract reference on the Cover
finds the contract, and the contract's type (``contract_types/``) says which
measures and checks the Cover's template version has.

Both take the person acting (``users.access.Actor``). Someone whose role sends no returns
(a viewer, or no role) is refused outright (``users.NotAllowed``); a workbook whose Cover
names a contract the person may not send returns for (another provider's, or an officer's
contract not assigned) is rejected with a ``NOT-YOUR-CONTRACT`` error on the Cover's
reference cell, checked against nothing else, and nothing is stored. The submission
records ``actor.recorded_as`` as who uploaded it.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, SupportsFloat, SupportsIndex, cast

from sqlalchemy import (
    Connection,
    Engine,
    Numeric,
    Select,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, ReturningInsert
from sqlalchemy.sql.elements import ClauseElement

from data_ingest.checks import ContractTerms, check_workbook
from data_ingest.findings import Finding, error
from data_ingest.reader import DATE_TEXT_FORMAT, ParsedWorkbook, read_workbook
from models.catalogue import COVER, Catalogue
from models.contract_types import get_type
from models.periods import Quarter
from models.schema import Commentary, Contract, MeasureValue, Submission, utcnow
from users.access import ASK, Actor, NotAllowed, Role, can_upload, require_read

Status = Literal["stored", "unchanged", "rejected", "passed"]


@dataclass
class Difference:
    """One measure whose value changed between the superseded version and the new one."""

    code: str
    label: str
    old: float | None
    new: float | None
    #: An amount in pounds (to be shown to the penny), not a count.
    money: bool = False


@dataclass
class IngestResult:
    file_name: str
    status: Status
    contract: str | None = None
    quarter: Quarter | None = None
    version: int | None = None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    #: Against the current version when the quarter was already held.
    differences: list[Difference] = field(default_factory=list)
    submission_id: int | None = None
    #: The parsed measure values (None for blank), for previews.
    values: dict[str, float | None] = field(default_factory=dict)
    #: The version this one superseded (``stored``) or would supersede (``passed``).
    superseded_version: int | None = None
    #: For ``unchanged`` (``version`` and ``submission_id`` are then the identical one's):
    #: its quarter, and whether it is still current (always, since a superseded one is
    #: brought back as a new version rather than matched).
    matched_quarter: Quarter | None = None
    matched_is_current: bool | None = None
    #: The superseded version this file is identical to, which storing it brings back
    #: (``stored``) or would bring back (``passed``).
    restores_version: int | None = None
    #: True for ``check_file``'s results: nothing was stored, only checked.
    checked_only: bool = False
    #: The contract's type and the workbook's template version, when they are known.
    contract_type: str | None = None
    template_version: int | None = None

    @property
    def ok(self) -> bool:
        """Not rejected: stored, unchanged or passed."""
        return self.status != "rejected"


# --- the two entry points ------------------------------------------------------------


def check_file(engine: Engine, content: bytes, file_name: str, actor: Actor,
               today: date | None = None) -> IngestResult:
    """Read and check a workbook against the database; writes nothing.

    The differences are against the quarter's current version when one is held,
    so that a user sees what storing it would change. ``actor``: who is checking it
    (see the module's notes for what is refused).
    """
    require_sender(actor)
    today = today or date.today()
    with engine.connect() as connection:
        found = _Found()
        parsed = read_workbook(content, file_name, found.type_of(connection))
        contract, findings, held = _check(connection, parsed, today, actor, found.contract)
        result = _result(parsed, file_name, findings, contract)
        result.checked_only = True
        if result.status == "rejected":
            return result
        contract, quarter, catalogue = _passed(contract, parsed)
        result.status = "passed"
        _compare(connection, result, contract, quarter, catalogue, held,
                 hashlib.sha256(content).hexdigest())
    return result


def ingest_file(engine: Engine, content: bytes, file_name: str, actor: Actor,
                today: date | None = None) -> IngestResult:
    """Check a workbook and, when it has no error, store it: all or nothing.

    ``actor``: who is sending it, recorded as ``uploaded_by`` (see the module's notes for
    what is refused).

    Two uploads of the same quarter at once are stored one after the other (see the
    module's notes); one that cannot get its turn within :data:`STORE_WAIT_SECONDS`
    is refused with ``STORE-CONFLICT`` and nothing is stored.
    """
    require_sender(actor)
    today = today or date.today()
    sha256 = hashlib.sha256(content).hexdigest()
    deadline = time.monotonic() + STORE_WAIT_SECONDS
    pause = _FIRST_PAUSE
    # One connection throughout: reading the file (outside any write transaction, which is
    # kept short) and then each attempt at storing it.
    with engine.connect() as connection:
        found = _Found()
        parsed = read_workbook(content, file_name, found.type_of(connection))
        connection.rollback()
        while True:
            try:
                with connection.begin():
                    _lock_quarter(connection, parsed)
                    return _ingest_once(connection, parsed, content, sha256, file_name, actor,
                                        today, found.contract)
            except (IntegrityError, OperationalError) as exc:
                if not _contended(exc):
                    raise
                if time.monotonic() + pause > deadline:
                    break
            # Back off, with jitter so that uploads that met do not meet again.
            time.sleep(pause * random.uniform(0.5, 1.0))
            pause = min(pause * 2, _LONGEST_PAUSE)
    result = _result(parsed, file_name, [], None)
    result.status = "rejected"
    result.errors = [error(
        "STORE-CONFLICT",
        "Other uploads of the same quarter kept the database busy for "
        f"{STORE_WAIT_SECONDS:.0f} seconds, so this one was not stored.",
        "Send the file again; it will then be compared with the version just stored.")]
    return result


#: How long an upload waits for its turn when others of the same quarter are being stored.
STORE_WAIT_SECONDS = 60.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.01, 1.0
#: One wait for the quarter's lock on PostgreSQL (SQLite's busy timeout is 5 s too).
_LOCK_WAIT_MS = 5000


def _contended(exc: Exception) -> bool:
    """Whether a failure is another upload getting in the way (worth trying again):
    a unique version taken, SQLite busy, a lock wait or deadlock on PostgreSQL."""
    if isinstance(exc, IntegrityError):
        return True
    if not isinstance(exc, DBAPIError):
        return False    # not from the database's driver: nothing to wait for
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _lock_quarter(connection: Connection, parsed: ParsedWorkbook) -> None:
    """Take this contract's quarter for the rest of the transaction (see the module's notes)."""
    if connection.dialect.name == "sqlite":
        # The driver has not begun a transaction yet (it does so before the first write):
        # take the write lock now, so the identity check and the version run alone.
        _driver(connection, "BEGIN IMMEDIATE", ())
        return
    if connection.dialect.name == "postgresql" and parsed.contract_reference and parsed.quarter:
        key = f"{str(parsed.contract_reference).strip().upper()}|{parsed.quarter.index}"
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        # A wait is bounded like SQLite's busy timeout; the caller tries again after it.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_LOCK_WAIT_MS}")
        connection.execute(_LOCK, {"key": number})


class _Found:
    """The contract the reader looked up, kept so that checking does not look it up again."""

    def __init__(self) -> None:
        self.contract: HeldContract | None = None

    def type_of(self, connection: Connection):
        def look_up(reference: str) -> Catalogue | None:
            self.contract = _contract(connection, reference)
            return get_type(self.contract.contract_type) if self.contract is not None else None
        return look_up


def _passed(contract: HeldContract | None, parsed: ParsedWorkbook) -> tuple[HeldContract, Quarter, Catalogue]:
    """The contract, quarter and type of a workbook that passed its checks (``_result`` and
    ``_check`` reject one without them, so a missing one here is a mistake of this module)."""
    if contract is None or parsed.quarter is None or parsed.catalogue is None:
        raise ValueError("a workbook passed its checks without a contract, quarter and type")
    return contract, parsed.quarter, parsed.catalogue


def _compare(connection: Connection, result: IngestResult, contract: HeldContract, quarter: Quarter,
             catalogue: Catalogue, held: Held | None, sha256: str
             ) -> tuple[int, _Version | None, _Version | None]:
    """Fill in what storing would do against the quarter's versions; return (latest
    version, current version row or None, identical current row or None)."""
    versions = _versions(connection, contract.id, quarter)
    latest = max((row.version for row in versions), default=0)
    current = next((row for row in versions if row.is_current), None)
    if current is not None and current.sha256 == sha256:
        result.status = "unchanged"
        result.version = current.version
        result.submission_id = current.id
        result.matched_quarter = quarter
        result.matched_is_current = True
        return latest, current, current
    older = [row for row in versions if row.sha256 == sha256]
    if older:
        result.restores_version = max(row.version for row in older)
    if current is not None:
        result.differences = differences(_values_of(connection, current.id, held),
                                         result.values, catalogue)
        result.superseded_version = current.version
    return latest, current, None


def _ingest_once(connection: Connection, parsed: ParsedWorkbook, content: bytes, sha256: str,
                 file_name: str, actor: Actor, today: date, contract: HeldContract | None
                 ) -> IngestResult:
    # Inside the transaction and the quarter's lock: the checks read the history this
    # version is stored against, and any exception rolls everything back.
    contract, findings, held = _check(connection, parsed, today, actor, contract)
    result = _result(parsed, file_name, findings, contract)
    if result.status == "rejected":
        return result
    contract, quarter, catalogue = _passed(contract, parsed)
    latest, current, same = _compare(connection, result, contract, quarter, catalogue, held, sha256)
    if same is not None:
        return result
    if current is not None:
        connection.execute(_SUPERSEDE, {"submission_id": current.id})
    # The unique constraint on the version speaks here, inside the transaction.
    submission_id = _insert_one(connection, _NEW_SUBMISSION, {
        "contract_id": contract.id, "year": quarter.year, "quarter": quarter.quarter,
        "version": latest + 1, "is_current": True, "uploaded_at": utcnow(),
        "uploaded_by": _fit(actor.recorded_as, "uploaded_by"),
        "file_name": _fit(file_name, "file_name"), "sha256": sha256, "original": content,
        "warnings": [w.as_dict() for w in result.warnings],
        "completed_by": _fit(_cover_text(parsed, "completed_by"), "completed_by"),
        "date_completed": _fit(_cover_text(parsed, "date_completed"), "date_completed"),
        "template_version": str(parsed.template_version),
    })
    _insert_rows(connection, _NEW_VALUE, _VALUE_COLUMNS, [
        (submission_id, code, result.values[code], _fit(cell.location, "cell"))
        for code, cell in parsed.values.items()])
    commentary = [
        (submission_id, topic, str(cell.value).strip(), _fit(cell.location, "cell"))
        for topic, cell in parsed.commentary.items()
        if cell.value is not None and str(cell.value).strip()]
    if commentary:
        _insert_rows(connection, _NEW_COMMENTARY, _COMMENTARY_COLUMNS, commentary)
    result.status = "stored"
    result.version = latest + 1
    result.submission_id = submission_id
    return result


# --- statements ---------------------------------------------------------------------------
# Built once with bind parameters: building them for every upload cost more than running them.

# A declarative class with a ``__tablename__`` is mapped to a Table (typed only as a FromClause).
_SUBMISSION = cast(Table, Submission.__table__)
_VALUE = cast(Table, MeasureValue.__table__)
_CONTRACT = cast(Table, Contract.__table__)

#: References are codes like ASC0013: a provider typing asc0013 means the same contract.
_CONTRACT_BY_REFERENCE = select(*(_CONTRACT.c[name] for name in (
    "id", "reference", "provider_id", "contract_type", "start_date", "initial_end_date",
    "extended_end_date", "ended_on", "parameters"))).where(
    func.upper(_CONTRACT.c.reference) == bindparam("reference"))
# The statements are annotated with their rows' types: the Table's columns are untyped.
#: The current versions of a contract's ``count`` latest quarters up to a quarter (a quarter's
#: own and those before it): the checks look at no other. (id, year, quarter.)
_LATEST_CURRENT: Select[int, int, int] = (
    select(_SUBMISSION.c.id, _SUBMISSION.c.year, _SUBMISSION.c.quarter)
    .where(_SUBMISSION.c.contract_id == bindparam("contract_id"), _SUBMISSION.c.is_current,
           # A quarter's place in time (``Quarter.index`` + 1).
           _SUBMISSION.c.year * 4 + _SUBMISSION.c.quarter <= bindparam("up_to"))
    .order_by(_SUBMISSION.c.year.desc(), _SUBMISSION.c.quarter.desc())
    .limit(bindparam("count")))
#: How many submissions' values one statement reads: a fixed number of ids (those beyond the
#: submissions held are None), so that the statement is compiled once and reused.
_SUBMISSIONS_AT_ONCE = 8
#: Their values: (submission id, code, value). Read apart from the submissions, so that each
#: value's row carries three columns, not five (a fifth less time than a join).
_VALUES_OF_SUBMISSIONS: Select[int, str, float | None] = select(
    _VALUE.c.submission_id, _VALUE.c.code, _VALUE.c.value).where(
    _VALUE.c.submission_id.in_([bindparam(f"id{n}") for n in range(_SUBMISSIONS_AT_ONCE)]))
#: Every version of one quarter, with its file's hash (the identity check reads it too).
_VERSIONS: Select[int, int, bool, str] = select(
    _SUBMISSION.c.id, _SUBMISSION.c.version, _SUBMISSION.c.is_current, _SUBMISSION.c.sha256).where(
    _SUBMISSION.c.contract_id == bindparam("contract_id"),
    _SUBMISSION.c.year == bindparam("year"), _SUBMISSION.c.quarter == bindparam("quarter"))
_VALUES_OF: Select[str, float | None] = select(_VALUE.c.code, _VALUE.c.value).where(
    _VALUE.c.submission_id == bindparam("submission_id"))
_SUPERSEDE = (update(_SUBMISSION).where(_SUBMISSION.c.id == bindparam("submission_id"))
              .values(is_current=False))
_NEW_SUBMISSION: ReturningInsert[int] = insert(_SUBMISSION).returning(_SUBMISSION.c.id)
_NEW_VALUE = insert(_VALUE)
_VALUE_COLUMNS = ("submission_id", "code", "value", "cell")
_NEW_COMMENTARY = insert(cast(Table, Commentary.__table__))
_COMMENTARY_COLUMNS = ("submission_id", "topic", "text", "cell")
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


# --- reads a page or the command line needs ---------------------------------------------------


def current_submission(db: Engine | Session, reference: str, quarter: Quarter
                       ) -> Submission | None:
    """The current version of one contract's quarter, or None.

    Given an engine, the submission comes back detached: its columns are there,
    but not its ``original`` bytes nor its values (use the functions below).
    """
    if not isinstance(db, Session):
        with Session(db) as session:
            return current_submission(session, reference, quarter)
    return db.scalars(
        select(Submission).join(Contract)
        .where(func.upper(Contract.reference) == reference.strip().upper(),
               Submission.year == quarter.year, Submission.quarter == quarter.quarter,
               Submission.is_current)).first()


def submission_values(engine: Engine, submission_id: int) -> dict[str, float | None]:
    """One submission's measure values by code, None where the provider left it blank."""
    with engine.connect() as connection:
        return _values_of(connection, submission_id)


def original_workbook(engine: Engine, submission_id: int, actor: Actor) -> tuple[str, bytes] | None:
    """The file name and the bytes exactly as uploaded, or None for an unknown submission.

    ``users.NotAllowed`` unless the person may read the submission's contract."""
    with Session(engine) as session:
        contract = session.scalar(select(Contract).join(Submission, Submission.contract_id == Contract.id)
                                  .where(Submission.id == submission_id))
        if contract is None:
            return None
        require_read(actor, contract)
        row = session.execute(select(Submission.file_name, Submission.original)
                              .where(Submission.id == submission_id)).first()
    return (row.file_name, row.original) if row else None


def contract_terms(engine: Engine, reference: str) -> ContractTerms | None:
    """What the checks know of a contract, or None when the reference is not held."""
    with engine.connect() as connection:
        contract = _contract(connection, reference)
    return ContractTerms.from_contract(contract) if contract else None


def differences(old: dict[str, float | None], new: dict[str, float | None],
                catalogue: Catalogue) -> list[Difference]:
    """The measures whose value changed, in catalogue order, with their catalogue labels.

    A measure one version has and the other not (a version 1 return replaced by a
    version 2 one) is a difference from or to blank.
    """
    changed = []
    for measure in catalogue.measures:
        if measure.code not in old and measure.code not in new:
            continue
        before, after = old.get(measure.code), new.get(measure.code)
        if _rounded(before) != _rounded(after):
            changed.append(Difference(measure.code, measure.label, before, after,
                                      measure.type == "money"))
    # Codes the type no longer has are still differences.
    for code in sorted((old.keys() | new.keys()) - catalogue.measures_by_code.keys()):
        if _rounded(old.get(code)) != _rounded(new.get(code)):
            changed.append(Difference(code, code, old.get(code), new.get(code)))
    return changed


# --- helpers -----------------------------------------------------------------------------------


#: The roles that send returns (a provider's own; an officer or admin on a provider's behalf).
SENDERS = (Role.ADMIN, Role.OFFICER, Role.PROVIDER)


def require_sender(actor: Actor) -> None:
    """Refuse someone whose role sends no returns at all (a viewer, or no role)."""
    if actor.role not in SENDERS:
        raise NotAllowed(f"{actor.recorded_as} ({actor.role or 'no role'}) may not check or send "
                         f"returns: only a provider's staff, an officer or an administrator may. {ASK}")


def not_your_contract(parsed: ParsedWorkbook, contract: Contract | HeldContract, actor: Actor) -> Finding:
    """The error for a workbook whose Cover names a contract the person may not send returns for."""
    cell = parsed.cover.get("contract_reference")
    if actor.role == Role.PROVIDER:
        message = (f"Contract {contract.reference} is not one of your organisation's contracts"
                   + (f" ({actor.provider_name})" if actor.provider_name else "")
                   + ", so its return cannot be sent from your account.")
        advice = ("Check the contract reference on the Cover sheet; if it is right, download "
                  "your own contract's template from the upload page and copy the figures into it.")
    else:
        message = (f"Contract {contract.reference} is not one of the contracts you monitor, so its "
                   "return cannot be sent from your account.")
        advice = ("Check the contract reference on the Cover sheet, or ask the council's contract "
                  "monitoring administrator to assign you the contract.")
    return error("NOT-YOUR-CONTRACT", message, advice, cell.sheet if cell else COVER,
                 cell.cell if cell else None)


def _check(connection: Connection, parsed: ParsedWorkbook, today: date, actor: Actor,
           contract: HeldContract | None = None) -> tuple[HeldContract | None, list[Finding], Held | None]:
    """The contract the Cover names, every finding of reading and checking, and the
    current version of the workbook's quarter when it is already held.

    A contract the person may not send returns for gives only the refusal: the workbook is
    not compared with that contract's returns, which they may not see. ``contract``: the one
    the reader found, when it found one (else it is looked up again)."""
    reference = parsed.contract_reference
    if contract is None and reference:
        contract = _contract(connection, reference)
    if contract is not None and not can_upload(actor, contract):
        return contract, [not_your_contract(parsed, contract, actor)], None
    history, held = {}, None
    if contract is not None and parsed.quarter is not None:
        # Without a quarter the checks compare with no other quarter.
        earlier = max(parsed.catalogue.outlier_quarters if parsed.catalogue else 0, 1)
        quarters = _history(connection, contract.id, parsed.quarter, earlier)
        # The checks compare with the contract's other quarters only.
        held = quarters.pop(parsed.quarter, None)
        history = {quarter: version.values for quarter, version in quarters.items()}
    terms = ContractTerms.from_contract(contract) if contract else None
    # The checks report only their own findings: the reader's come first.
    findings = [*parsed.findings, *check_workbook(parsed, terms, history, today, parsed.catalogue),
                *_too_large(parsed)]
    if contract is not None and parsed.catalogue is None and not any(f.is_error for f in findings):
        # Registered between reading the file and checking it: its figures were not read.
        findings.append(error(
            "UNKNOWN-CONTRACT", f"Contract {contract.reference} was registered while the workbook "
            "was being read, so its figures were not read.", "Send the workbook again.", COVER))
    return contract, findings, held


#: Values are stored as NUMERIC(14, 2): PostgreSQL refuses anything from 10**12 up
#: (SQLite would keep it), so such a value is an error of the workbook, not of the database.
_VALUE_TYPE = _VALUE.c.value.type
if not (isinstance(_VALUE_TYPE, Numeric) and _VALUE_TYPE.precision is not None
        and _VALUE_TYPE.scale is not None):
    raise TypeError(f"measure_value.value is {_VALUE_TYPE!r}, not NUMERIC(precision, scale)")
VALUE_LIMIT = 10 ** (_VALUE_TYPE.precision - _VALUE_TYPE.scale)


def _too_large(parsed: ParsedWorkbook) -> list[Finding]:
    found = []
    for code, cell in parsed.values.items():
        value = _number(cell.value)
        if value is not None and abs(value) >= VALUE_LIMIT:
            measure = parsed.catalogue.measures_by_code.get(code) if parsed.catalogue else None
            label = measure.label if measure is not None else code
            found.append(error(
                "VALUE-TOO-LARGE", f"{label} ({code}) is {value:,.0f}, far too large to be "
                f"the figure of one quarter.", "Check the figure and type it again.",
                cell.sheet, cell.cell))
    return found


def _result(parsed: ParsedWorkbook, file_name: str, findings: list[Finding],
            contract: HeldContract | None) -> IngestResult:
    errors = [f for f in findings if f.is_error]
    if not errors and (contract is None or parsed.quarter is None):
        # Storing needs a contract and a quarter, whatever the checks said.
        errors = [error("UNKNOWN-CONTRACT", "The Cover does not name a contract and quarter held "
                        "in the database.", "Check the contract reference, financial year and "
                        "quarter on the Cover sheet.", COVER)]
    return IngestResult(
        file_name=file_name,
        status="rejected" if errors else "passed",
        contract=contract.reference if contract else parsed.contract_reference,
        quarter=parsed.quarter,
        errors=errors,
        warnings=[f for f in findings if not f.is_error],
        values={code: _number(cell.value) for code, cell in parsed.values.items()},
        contract_type=parsed.catalogue.name if parsed.catalogue else None,
        template_version=parsed.template_version,
    )


def _contract(connection: Connection, reference: str) -> HeldContract | None:
    """The contract's columns that checking and storing use, read in one statement."""
    rows = _select(connection, _CONTRACT_BY_REFERENCE, {"reference": str(reference).strip().upper()})
    return HeldContract(*rows[0]) if rows else None


#: The model's rule for the end of a contract's term, applied to a contract read as a row.
_END_DATE = cast(Callable[[Any], date], vars(Contract)["end_date"].fget)


@dataclass(frozen=True)
class HeldContract:
    """A contract as checking and storing read it: its columns, without a mapped ``Contract``
    (making one cost more than the query); ``users.access`` and ``ContractTerms`` take either."""

    id: int
    reference: str
    provider_id: int
    contract_type: str
    start_date: date
    initial_end_date: date
    extended_end_date: date | None
    ended_on: date | None
    parameters: dict

    @property
    def end_date(self) -> date:
        """The end of the term in force (``Contract.end_date``)."""
        return _END_DATE(self)


@dataclass
class Held:
    """One quarter's current version: its id and its values."""

    submission_id: int
    values: dict[str, float | None] = field(default_factory=dict)


def _history(connection: Connection, contract_id: int, quarter: Quarter, earlier: int) -> dict[Quarter, Held]:
    """The current version of the contract's quarter and of the ``earlier`` latest quarters
    held before it (the previous one, and those an outlier is judged against), when held."""
    submissions = _select(connection, _LATEST_CURRENT, {
        "contract_id": contract_id, "up_to": quarter.index + 1, "count": earlier + 1})
    held = {submission_id: Held(submission_id) for submission_id, _, _ in submissions}
    ids = list(held)
    for start in range(0, len(ids), _SUBMISSIONS_AT_ONCE):
        chunk = ids[start:start + _SUBMISSIONS_AT_ONCE]
        chunk += [None] * (_SUBMISSIONS_AT_ONCE - len(chunk))
        for submission_id, code, value in _select(connection, _VALUES_OF_SUBMISSIONS,
                                                  {f"id{n}": id_ for n, id_ in enumerate(chunk)}):
            held[submission_id].values[code] = value
    # A submission without a value is no quarter held (as when its values were joined to it).
    return {Quarter(year, number): held[submission_id] for submission_id, year, number in submissions
            if held[submission_id].values}


def _values_of(connection: Connection, submission_id: int, held: Held | None = None
               ) -> dict[str, float | None]:
    """One submission's values: those already read when they are of that submission."""
    if held is not None and held.submission_id == submission_id:
        return held.values
    rows = _select(connection, _VALUES_OF, {"submission_id": submission_id})
    return {code: value for code, value in rows}


def _versions(connection: Connection, contract_id: int, quarter: Quarter) -> list[_Version]:
    """Every version held of one contract's quarter."""
    rows = _select(connection, _VERSIONS, {"contract_id": contract_id, "year": quarter.year,
                                           "quarter": quarter.quarter})
    return [_Version(*row) for row in rows]


@dataclass
class _Version:
    """One version of a quarter: its submission id, number, whether current, its file's hash."""

    id: int
    version: int
    is_current: bool
    sha256: str


# --- SQLite's driver for the statements of an upload --------------------------------------------
# On SQLite the statements of an upload run through the driver, with their SQL compiled once in
# the process and each value converted both ways by its column's type as SQLAlchemy converts it:
# SQLAlchemy compiles again for every engine (a new server's first upload took twice as long),
# and its per-row work on a bulk insert cost more than SQLite's. Any other database runs them
# through SQLAlchemy. tests/test_store.py checks that both ways store the same bytes.

_SQLITE_COMPILED: dict[tuple[object, tuple[str, ...] | None], SQLCompiler] = {}


def _compiled_for_sqlite(connection: Connection, statement: ClauseElement,
                         columns: tuple[str, ...] | None = None) -> SQLCompiler | None:
    """The statement compiled for SQLite's driver (given values for ``columns``); None elsewhere."""
    dialect = connection.dialect
    # Only the standard library's sqlite3 (what _driver calls); another SQLite driver goes
    # through SQLAlchemy.
    if dialect.name != "sqlite" or dialect.driver != "pysqlite" or dialect.paramstyle != "qmark":
        return None
    compiled = _SQLITE_COMPILED.get((statement, columns))
    if compiled is None:
        compiled = cast(SQLCompiler, statement.compile(
            dialect=dialect, column_keys=list(columns) if columns is not None else None))
        _SQLITE_COMPILED[statement, columns] = compiled
    return compiled


def _driver(connection: Connection, sql: str, parameters: Sequence[Any], many: bool = False
            ) -> sqlite3.Cursor:
    """Run SQL on SQLite's own connection: what ``exec_driver_sql`` does, without its work for
    each statement (a sixth of the time of a small query), its errors raised as SQLAlchemy
    raises them (a busy database is an ``OperationalError``, a version taken an ``IntegrityError``)."""
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    try:
        return driver.executemany(sql, parameters) if many else driver.execute(sql, parameters)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, parameters, exc, sqlite3.Error, dialect=connection.dialect) from exc


def _select(connection: Connection, statement: Select, parameters: dict) -> Sequence[Sequence[Any]]:
    """The rows, each column's value as SQLAlchemy gives it (a float, a boolean, a date, JSON)."""
    compiled = _compiled_for_sqlite(connection, statement)
    if compiled is None:
        return connection.execute(statement, parameters).all()
    values = compiled.construct_params(parameters)
    rows = _driver(connection, compiled.string,
                   tuple(values[name] for name in compiled.positiontup or ())).fetchall()
    converting = [(index, convert) for index, convert in enumerate(_result_processors(connection, statement))
                  if convert is not None]
    return [_converted(row, converting) for row in rows] if converting else rows


def _insert_rows(connection: Connection, statement: Insert, columns: tuple[str, ...],
                 rows: list[tuple]) -> None:
    """Insert rows of values given in ``columns`` order (the table's)."""
    compiled = _compiled_for_sqlite(connection, statement, columns)
    if compiled is None:
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
        return
    if tuple(compiled.positiontup or ()) != columns:
        raise ValueError(f"{statement} takes its values in another order")
    converting = [(index, convert) for index, convert in enumerate(_bind_processors(connection, statement, columns))
                  if convert is not None]
    if converting:
        rows = [_converted(row, converting) for row in rows]
    if rows:
        _driver(connection, compiled.string, rows, many=True)


def _converted(row: tuple, converting: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    values = list(row)
    for index, convert in converting:
        values[index] = convert(values[index])
    return tuple(values)


def _insert_one(connection: Connection, statement: ReturningInsert[int], values: dict[str, Any]) -> int:
    """Insert one row and return what the statement returns (its id)."""
    columns = tuple(values)
    compiled = _compiled_for_sqlite(connection, statement, columns)
    if compiled is None:
        return connection.execute(statement, values).scalar_one()
    order = tuple(compiled.positiontup or ())
    if not set(order) <= set(values):
        # A column left to its default (filled by SQLAlchemy): not this way.
        return connection.execute(statement, values).scalar_one()
    processors = _bind_processors(connection, statement, order)
    rows = _driver(connection, compiled.string, tuple(
        values[name] if convert is None else convert(values[name])
        for convert, name in zip(processors, order, strict=True))).fetchall()
    if len(rows) != 1 or len(rows[0]) != 1:
        raise ValueError(f"{statement} returned {len(rows)} rows, not one id")
    return rows[0][0]


#: The columns' conversions of a value on its way in or out, by dialect (as SQLAlchemy converts
#: it: a boolean, a number, a date and time, JSON, bytes), worked out once for each engine's dialect.
_PROCESSORS: dict[tuple[object, object, tuple[str, ...]], list[Callable[[Any], Any] | None]] = {}


def _result_processors(connection: Connection, statement: Select) -> list[Callable[[Any], Any] | None]:
    dialect = connection.dialect
    key = (dialect, statement, ())
    processors = _PROCESSORS.get(key)
    if processors is None:
        if len(_PROCESSORS) > 64:     # engines come and go in tests: keep a few
            _PROCESSORS.clear()
        processors = _PROCESSORS[key] = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                                         for column in statement.selected_columns]
    return processors


def _bind_processors(connection: Connection, statement: Insert, columns: tuple[str, ...]
                     ) -> list[Callable[[Any], Any] | None]:
    dialect = connection.dialect
    key = (dialect, statement, columns)
    processors = _PROCESSORS.get(key)
    if processors is None:
        if len(_PROCESSORS) > 64:     # engines come and go in tests: keep a few
            _PROCESSORS.clear()
        table = cast(Table, statement.table)
        processors = _PROCESSORS[key] = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                                         for name in columns]
    return processors


def _number(value: object) -> float | None:
    """A measure value as stored: float, or None for blank (never zero).

    Only a rejected workbook can hold a value that is not a number; its preview shows it blank.
    """
    if type(value) is float:    # what the reader gives a figure
        return value
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, float | int | str | bytes | bytearray | SupportsFloat | SupportsIndex):
        return None     # float() would refuse it too (a date, say)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


#: Lengths of the text columns a workbook fills (the same in every table that has them).
_LENGTHS: dict[str, int | None] = {name: column.type.length for name, column in _SUBMISSION.c.items()
                                   if isinstance(column.type, String) and column.type.length}
_CELL_TYPE = _VALUE.c.cell.type
_LENGTHS["cell"] = _CELL_TYPE.length if isinstance(_CELL_TYPE, String) else None


def _fit(text: str, column: str) -> str:
    """Text cut to its column's length: PostgreSQL refuses longer text, SQLite would keep it."""
    length = _LENGTHS.get(column)
    return text[:length] if length else text


def _rounded(value: float | None) -> float | None:
    # Values are stored to 2 decimal places (money); compare at that precision.
    return None if value is None else round(float(value), 2)


def _cover_text(parsed: ParsedWorkbook, key: str) -> str:
    cell = parsed.cover.get(key)
    value = cell.value if cell is not None else None
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):     # the reader gives text; written the same way
        return value.strftime(DATE_TEXT_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
