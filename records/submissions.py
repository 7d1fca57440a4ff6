"""Submission history and where each figure came from.

Every quarter's versions with who uploaded what and when; the original file
(data_ingest.store.original_workbook gives its bytes); and the source of any
figure: the submission, its version and the workbook cell of each measure read.

Every function takes the person reading (``users.access.Actor``): a provider's staff read
only their own organisation's contracts (``users.NotAllowed`` for any other).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from models.catalogue import Catalogue
from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, MeasureValue, Submission
from records.contracts import catalogue_for, contract_for
from users.access import Actor, can_read, require_read

HISTORY_COLUMNS = ["submission_id", "contract", "year", "quarter", "period", "version", "status",
                   "is_current", "uploaded_at", "uploaded_by", "file_name", "completed_by",
                   "date_completed", "warnings", "warning_count"]
SOURCE_COLUMNS = ["code", "measure", "quarter", "value", "money", "cell", "submission_id", "version",
                  "file_name", "uploaded_at", "uploaded_by"]
VALUE_COLUMNS = ["code", "measure", "sheet", "value", "money", "cell"]


def _warning_text(warning: dict) -> str:
    where = warning.get("location") or warning.get("cell") or ""
    text = warning.get("message", "")
    return f"{where}: {text}" if where else text


def submission_history(engine: Engine, contract: str | None, actor: Actor) -> pd.DataFrame:
    """Every version of every quarter, newest quarter first and newest version first within it.

    ``period`` is the quarter's label (``2016/17 Q4``); ``status`` is "current" or
    "superseded"; ``warnings`` the warnings raised when it was checked, one per line.
    ``contract`` None: every contract the person may read; a contract named that they may
    not read raises ``users.NotAllowed``.
    """
    query = (select(Submission, Contract.reference).join(Contract, Submission.contract_id == Contract.id)
             .order_by(Contract.reference, Submission.year.desc(), Submission.quarter.desc(),
                       Submission.version.desc()))
    if contract:
        query = query.where(Contract.reference == contract)
    with sessions(engine)() as session:
        if contract:
            contract_for(session, contract, actor)
        rows = [(s, reference) for s, reference in session.execute(query).all()
                if can_read(actor, s.contract)]
    records = []
    for s, reference in rows:
        warnings = list(s.warnings or [])
        records.append({
            "submission_id": s.id, "contract": reference, "year": s.year, "quarter": s.quarter,
            "period": Quarter(s.year, s.quarter).label, "version": s.version,
            "status": "current" if s.is_current else "superseded", "is_current": s.is_current,
            "uploaded_at": s.uploaded_at, "uploaded_by": s.uploaded_by, "file_name": s.file_name,
            "completed_by": s.completed_by, "date_completed": s.date_completed,
            "warnings": "\n".join(_warning_text(w) for w in warnings),
            "warning_count": len(warnings)})
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)


def _submission_contract(session, submission_id: int, actor: Actor) -> Contract | None:
    """The contract of a submission, once the person may read it; None for an unknown submission."""
    contract = session.scalar(select(Contract).join(Submission, Submission.contract_id == Contract.id)
                              .where(Submission.id == submission_id))
    if contract is not None:
        require_read(actor, contract)
    return contract


def submission_warnings(engine: Engine, submission_id: int, actor: Actor) -> list[dict]:
    """The warnings stored with a submission: dicts with location, message, advice, rule."""
    with sessions(engine)() as session:
        _submission_contract(session, submission_id, actor)
        warnings = session.scalar(select(Submission.warnings).where(Submission.id == submission_id))
    return list(warnings or [])


def _is_money(catalogue: Catalogue, code: str) -> bool:
    measure = catalogue.measures_by_code.get(code)
    return bool(measure and measure.type == "money")


def submission_values(engine: Engine, submission_id: int, actor: Actor) -> pd.DataFrame:
    """One submission's measures with the cell each came from (blank stays blank, not 0).

    In the order of its contract's type catalogue; ``money`` is True for an amount in pounds.
    """
    with sessions(engine)() as session:
        held = _submission_contract(session, submission_id, actor)
        reference = held.reference if held is not None else None
        if reference is None:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        catalogue = catalogue_for(session, reference)
        rows = session.execute(select(MeasureValue.code, MeasureValue.value, MeasureValue.cell)
                               .where(MeasureValue.submission_id == submission_id)).all()
    measures = catalogue.measures_by_code
    order = {code: n for n, code in enumerate(measures)}
    records = [{"code": code, "measure": measures[code].label if code in measures else code,
                "sheet": measures[code].sheet if code in measures else "",
                "value": value, "money": _is_money(catalogue, code), "cell": cell}
               for code, value, cell in rows]
    records.sort(key=lambda r: order.get(r["code"], len(order)))
    return pd.DataFrame(records, columns=VALUE_COLUMNS)


def measure_sources(engine: Engine, contract: str, codes: list[str],
                    quarters: list[Quarter], actor: Actor) -> pd.DataFrame:
    """Where the current value of each measure in each quarter came from.

    One row per (measure, quarter) held, in the order of ``codes`` then quarter.
    A quarter not held, or a measure not in its workbook, has no row.
    """
    with sessions(engine)() as session:
        contract_for(session, contract, actor)
    if not codes or not quarters:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    catalogue = catalogue_for(engine, contract)
    measures = catalogue.measures_by_code
    wanted = {(q.year, q.quarter) for q in quarters}
    query = (select(MeasureValue.code, MeasureValue.value, MeasureValue.cell, Submission.id,
                    Submission.year, Submission.quarter, Submission.version, Submission.file_name,
                    Submission.uploaded_at, Submission.uploaded_by)
             .join(Submission, MeasureValue.submission_id == Submission.id)
             .join(Contract, Submission.contract_id == Contract.id)
             .where(Contract.reference == contract, Submission.is_current,
                    MeasureValue.code.in_(codes),
                    Submission.year.in_({y for y, _ in wanted})))
    with sessions(engine)() as session:
        rows = [r for r in session.execute(query).all() if (r.year, r.quarter) in wanted]
    records = [{"code": r.code, "measure": measures[r.code].label if r.code in measures else r.code,
                "quarter": Quarter(r.year, r.quarter).label, "value": r.value,
                "money": _is_money(catalogue, r.code), "cell": r.cell, "submission_id": r.id, "version": r.version,
                "file_name": r.file_name, "uploaded_at": r.uploaded_at,
                "uploaded_by": r.uploaded_by, "_sort": (codes.index(r.code), r.year, r.quarter)}
               for r in rows]
    records.sort(key=lambda r: r.pop("_sort"))
    return pd.DataFrame(records, columns=SOURCE_COLUMNS)


def quarters_read(catalogue: Catalogue, code: str, quarter: Quarter, basis: str) -> list[Quarter]:
    """The quarters whose value of measure ``code`` an indicator's figure reads.

    A quarter figure reads its quarter. A year-to-date figure sums a flow measure over
    the year's quarters up to this one, and takes a stock or cumulative one from this quarter.
    """
    if basis == "ytd" and catalogue.measures_by_code[code].aggregation == "flow":
        return [Quarter(quarter.year, n) for n in range(1, quarter.quarter + 1)]
    return [quarter]


def figure_sources(engine: Engine, contract: str, indicator: str, quarter: Quarter,
                   basis: str = "quarter", *, actor: Actor) -> pd.DataFrame:
    """Where an indicator's figure for a quarter came from: each measure it reads, with the
    submission, version and workbook cell (columns as ``measure_sources`` plus ``role``:
    "numerator" or "denominator"). ``indicator`` is one of the contract's type's indicators."""
    with sessions(engine)() as session:
        contract_for(session, contract, actor)
    catalogue = catalogue_for(engine, contract)
    ind = catalogue.indicators_by_code[indicator]
    numerator = list(ind.numerator_for(basis))
    codes = list(dict.fromkeys(numerator + [c for c in ind.measures
                                            if c not in ind.numerator and c not in (ind.ytd_numerator or ())]))
    frames = []
    for code in codes:
        found = measure_sources(engine, contract, [code], quarters_read(catalogue, code, quarter, basis),
                                actor)
        frames.append(found.assign(role="numerator" if code in numerator else "denominator"))
    columns = ["role", *SOURCE_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
