"""Storing checked workbooks: one quarter's return becomes one submission version.

``check_file`` reads and checks a workbook and writes nothing. ``ingest_file``
does the same and, when there is no error, stores it in one transaction: the
original bytes, the values (blank stays NULL, never zero), the commentary and
the warnings. Sending a quarter again makes a new version that supersedes the
old one, which is kept; an identical file (same SHA-256) changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_ingest.checks import ContractTerms, check_workbook
from data_ingest.findings import Finding, error
from data_ingest.reader import DATE_TEXT_FORMAT, ParsedWorkbook, read_workbook
from models.catalogue import MEASURES, MEASURES_BY_CODE
from models.periods import Quarter
from models.schema import Commentary, Contract, MeasureValue, Submission, utcnow

Status = Literal["stored", "unchanged", "rejected", "passed"]


@dataclass
class Difference:
    """One measure whose value changed between the superseded version and the new one."""

    code: str
    label: str
    old: float | None
    new: float | None


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
    #: For ``stored``: the version it superseded. For ``unchanged``: the stored
    #: submission it is identical to may be of another quarter or superseded, so say which.
    superseded_version: int | None = None
    matched_quarter: Quarter | None = None
    matched_is_current: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


# --- the two entry points ------------------------------------------------------------


def check_file(engine: Engine, content: bytes, file_name: str,
               today: date | None = None) -> IngestResult:
    """Read and check a workbook against the database; writes nothing.

    The differences are against the quarter's current version when one is held,
    so that a user sees what storing it would change.
    """
    today = today or date.today()
    parsed = read_workbook(content, file_name)
    with Session(engine) as session:
        contract, findings = _check(session, parsed, today)
        result = _result(parsed, file_name, findings, contract)
        if result.status == "rejected":
            return result
        result.status = "passed"
        current = _current(session, contract.id, parsed.quarter)
        if current is not None:
            result.differences = differences(_values_of(session, current.id), result.values)
            result.superseded_version = current.version
    return result


def ingest_file(engine: Engine, content: bytes, file_name: str, uploaded_by: str = "",
                today: date | None = None) -> IngestResult:
    """Check a workbook and, when it has no error, store it: all or nothing.

    Two uploads of the same quarter at once cannot both become version N: the
    unique constraint on (contract, year, quarter, version) refuses the second,
    which is retried once from the start (and then sees the first).
    """
    today = today or date.today()
    parsed = read_workbook(content, file_name)
    for attempt in (1, 2):
        try:
            return _ingest_once(engine, parsed, content, file_name, uploaded_by, today)
        except IntegrityError:
            if attempt == 2:
                break
    result = _result(parsed, file_name, [], None)
    result.status = "rejected"
    result.errors = [error(
        "STORE-CONFLICT",
        "Another upload of the same quarter was being stored at the same moment, so this one "
        "was not stored.",
        "Send the file again; it will then be compared with the version just stored.")]
    return result


def _ingest_once(engine: Engine, parsed: ParsedWorkbook, content: bytes, file_name: str,
                 uploaded_by: str, today: date) -> IngestResult:
    # One transaction: the checks read the history this version is stored against,
    # and any exception rolls everything back.
    with Session(engine) as session, session.begin():
        contract, findings = _check(session, parsed, today)
        result = _result(parsed, file_name, findings, contract)
        if result.status == "rejected":
            return result

        sha256 = hashlib.sha256(content).hexdigest()
        same = session.execute(
            select(Submission.id, Submission.version, Submission.year, Submission.quarter,
                   Submission.is_current)
            .where(Submission.contract_id == contract.id, Submission.sha256 == sha256)
            .order_by(Submission.is_current.desc(), Submission.id.desc())
            .limit(1)).first()
        if same is not None:
            result.status = "unchanged"
            result.version = same.version
            result.submission_id = same.id
            result.matched_quarter = Quarter(same.year, same.quarter)
            result.matched_is_current = same.is_current
            return result

        quarter = parsed.quarter
        versions = _versions(session, contract.id, quarter)
        latest = max((row.version for row in versions), default=0)
        current = next((row for row in versions if row.is_current), None)
        if current is not None:
            result.differences = differences(_values_of(session, current.id), result.values)
            result.superseded_version = current.version
            session.execute(update(Submission).where(Submission.id == current.id)
                            .values(is_current=False))

        # Plain inserts rather than ORM objects: per row, the ORM cost more than reading
        # the workbook. The unique constraint on the version speaks here, inside the transaction.
        submission_id = session.scalar(insert(Submission).returning(Submission.id).values(
            contract_id=contract.id, year=quarter.year, quarter=quarter.quarter,
            version=latest + 1, is_current=True, uploaded_at=utcnow(),
            uploaded_by=_fit(uploaded_by or "", "uploaded_by"),
            file_name=_fit(file_name, "file_name"), sha256=sha256, original=content,
            warnings=[w.as_dict() for w in result.warnings],
            completed_by=_fit(_cover_text(parsed, "completed_by"), "completed_by"),
            date_completed=_fit(_cover_text(parsed, "date_completed"), "date_completed"),
            template_version=_fit(_cover_text(parsed, "template_version"), "template_version"),
        ))
        session.execute(insert(MeasureValue), [
            {"submission_id": submission_id, "code": code, "value": _number(cell.value),
             "cell": _fit(cell.location, "cell")}
            for code, cell in parsed.values.items()])
        commentary = [
            {"submission_id": submission_id, "topic": topic, "text": str(cell.value).strip(),
             "cell": _fit(cell.location, "cell")}
            for topic, cell in parsed.commentary.items()
            if cell.value is not None and str(cell.value).strip()]
        if commentary:
            session.execute(insert(Commentary), commentary)
        result.status = "stored"
        result.version = latest + 1
        result.submission_id = submission_id
    return result


# --- reads a page or the command line needs ---------------------------------------------------


def current_submission(db: Engine | Session, reference: str, quarter: Quarter
                       ) -> Submission | None:
    """The current version of one contract's quarter, or None.

    Given an engine, the submission comes back detached: its columns are there,
    but not its ``original`` bytes nor its values (use the functions below).
    """
    if isinstance(db, Session):
        contract = _contract(db, reference)
        return _current(db, contract.id, quarter) if contract else None
    with Session(db) as session:
        return current_submission(session, reference, quarter)


def submission_values(engine: Engine, submission_id: int) -> dict[str, float | None]:
    """One submission's measure values by code, None where the provider left it blank."""
    with Session(engine) as session:
        return _values_of(session, submission_id)


def original_workbook(engine: Engine, submission_id: int) -> tuple[str, bytes] | None:
    """The file name and the bytes exactly as uploaded, or None for an unknown submission."""
    with Session(engine) as session:
        row = session.execute(select(Submission.file_name, Submission.original)
                              .where(Submission.id == submission_id)).first()
    return (row.file_name, row.original) if row else None


def contract_terms(engine: Engine, reference: str) -> ContractTerms | None:
    """What the checks know of a contract, or None when the reference is not held."""
    with Session(engine) as session:
        contract = _contract(session, reference)
        return ContractTerms.from_contract(contract) if contract else None


def differences(old: dict[str, float | None], new: dict[str, float | None]) -> list[Difference]:
    """The measures whose value changed, in catalogue order, with their catalogue labels."""
    changed = []
    for measure in MEASURES:
        if measure.code not in old and measure.code not in new:
            continue
        before, after = old.get(measure.code), new.get(measure.code)
        if _rounded(before) != _rounded(after):
            changed.append(Difference(measure.code, measure.label, before, after))
    # Codes the catalogue no longer has (none today) are still differences.
    for code in sorted((old.keys() | new.keys()) - MEASURES_BY_CODE.keys()):
        if _rounded(old.get(code)) != _rounded(new.get(code)):
            changed.append(Difference(code, code, old.get(code), new.get(code)))
    return changed


# --- helpers -----------------------------------------------------------------------------------


def _check(session: Session, parsed: ParsedWorkbook, today: date
           ) -> tuple[Contract | None, list[Finding]]:
    """The contract the Cover names and every finding of reading and checking."""
    contract = _contract(session, parsed.contract_reference) if parsed.contract_reference else None
    history = {}
    if contract is not None:
        history = _history(session, contract.id, parsed.quarter)
    terms = ContractTerms.from_contract(contract) if contract else None
    # The checks report only their own findings: the reader's come first.
    return contract, [*parsed.findings, *check_workbook(parsed, terms, history, today)]


def _result(parsed: ParsedWorkbook, file_name: str, findings: list[Finding],
            contract: Contract | None) -> IngestResult:
    errors = [f for f in findings if f.is_error]
    if not errors and (contract is None or parsed.quarter is None):
        # Storing needs a contract and a quarter, whatever the checks said.
        errors = [error("UNKNOWN-CONTRACT", "The Cover does not name a contract and quarter held "
                        "in the database.", "Check the contract reference, financial year and "
                        "quarter on the Cover sheet.", "Cover")]
    return IngestResult(
        file_name=file_name,
        status="rejected" if errors else "passed",
        contract=contract.reference if contract else parsed.contract_reference,
        quarter=parsed.quarter,
        errors=errors,
        warnings=[f for f in findings if not f.is_error],
        values={code: _number(cell.value) for code, cell in parsed.values.items()},
    )


def _contract(session: Session, reference: str) -> Contract | None:
    # References are codes like ASC0013: a provider typing asc0013 means the same contract.
    wanted = str(reference).strip().upper()
    return session.scalars(
        select(Contract).where(func.upper(Contract.reference) == wanted)).first()


def _history(session: Session, contract_id: int, quarter: Quarter | None
             ) -> dict[Quarter, dict[str, float | None]]:
    """Current values of the contract's other quarters."""
    query = (select(Submission.year, Submission.quarter, MeasureValue.code, MeasureValue.value)
             .join(MeasureValue, MeasureValue.submission_id == Submission.id)
             .where(Submission.contract_id == contract_id, Submission.is_current))
    if quarter is not None:
        query = query.where(~and_(Submission.year == quarter.year,
                                  Submission.quarter == quarter.quarter))
    history: dict[Quarter, dict[str, float | None]] = {}
    for year, number, code, value in session.execute(query):
        history.setdefault(Quarter(year, number), {})[code] = value
    return history


def _versions(session: Session, contract_id: int, quarter: Quarter) -> list:
    """Every version held of one contract's quarter: rows of (id, version, is_current)."""
    return session.execute(
        select(Submission.id, Submission.version, Submission.is_current).where(
            Submission.contract_id == contract_id, Submission.year == quarter.year,
            Submission.quarter == quarter.quarter)).all()


def _current(session: Session, contract_id: int, quarter: Quarter) -> Submission | None:
    return session.scalars(
        select(Submission).where(
            Submission.contract_id == contract_id, Submission.year == quarter.year,
            Submission.quarter == quarter.quarter, Submission.is_current)
        .order_by(Submission.version.desc())).first()


def _values_of(session: Session, submission_id: int) -> dict[str, float | None]:
    rows = session.execute(select(MeasureValue.code, MeasureValue.value)
                           .where(MeasureValue.submission_id == submission_id))
    return {code: value for code, value in rows}


def _number(value: object) -> float | None:
    """A measure value as stored: float, or None for blank (never zero).

    Only a rejected workbook can hold a value that is not a number; its preview shows it blank.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


#: Lengths of the text columns a workbook fills (the same in every table that has them).
_LENGTHS = {name: column.type.length for name, column in Submission.__table__.c.items()
            if getattr(column.type, "length", None)}
_LENGTHS["cell"] = MeasureValue.__table__.c.cell.type.length


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
