"""Submission history and where each figure came from.

Every quarter's versions with who uploaded what and when; the original file
(data_ingest.store.original_workbook gives its bytes); and the source of any
figure: the submission, its version and the workbook cell of each measure read.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from models.catalogue import INDICATORS_BY_CODE, MEASURES_BY_CODE
from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, MeasureValue, Submission

HISTORY_COLUMNS = ["submission_id", "contract", "year", "quarter", "period", "version", "status",
                   "is_current", "uploaded_at", "uploaded_by", "file_name", "completed_by",
                   "date_completed", "warnings", "warning_count"]
SOURCE_COLUMNS = ["code", "measure", "quarter", "value", "cell", "submission_id", "version",
                  "file_name", "uploaded_at", "uploaded_by"]


def _warning_text(warning: dict) -> str:
    where = warning.get("location") or warning.get("cell") or ""
    text = warning.get("message", "")
    return f"{where}: {text}" if where else text


def submission_history(engine: Engine, contract: str | None = None) -> pd.DataFrame:
    """Every version of every quarter, newest quarter first and newest version first within it.

    ``period`` is the quarter's label (``2016/17 Q4``); ``status`` is "current" or
    "superseded"; ``warnings`` the warnings raised when it was checked, one per line.
    """
    query = (select(Submission, Contract.reference).join(Contract, Submission.contract_id == Contract.id)
             .order_by(Contract.reference, Submission.year.desc(), Submission.quarter.desc(),
                       Submission.version.desc()))
    if contract:
        query = query.where(Contract.reference == contract)
    with sessions(engine)() as session:
        rows = session.execute(query).all()
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


def submission_warnings(engine: Engine, submission_id: int) -> list[dict]:
    """The warnings stored with a submission: dicts with location, message, advice, rule."""
    with sessions(engine)() as session:
        warnings = session.scalar(select(Submission.warnings).where(Submission.id == submission_id))
    return list(warnings or [])


def submission_values(engine: Engine, submission_id: int) -> pd.DataFrame:
    """One submission's measures with the cell each came from (blank stays blank, not 0)."""
    with sessions(engine)() as session:
        rows = session.execute(select(MeasureValue.code, MeasureValue.value, MeasureValue.cell)
                               .where(MeasureValue.submission_id == submission_id)).all()
    order = {code: n for n, code in enumerate(MEASURES_BY_CODE)}
    records = [{"code": code, "measure": MEASURES_BY_CODE[code].label if code in MEASURES_BY_CODE
                else code, "sheet": MEASURES_BY_CODE[code].sheet if code in MEASURES_BY_CODE else "",
                "value": value, "cell": cell} for code, value, cell in rows]
    records.sort(key=lambda r: order.get(r["code"], len(order)))
    return pd.DataFrame(records, columns=["code", "measure", "sheet", "value", "cell"])


def measure_sources(engine: Engine, contract: str, codes: list[str],
                    quarters: list[Quarter]) -> pd.DataFrame:
    """Where the current value of each measure in each quarter came from.

    One row per (measure, quarter) held, in the order of ``codes`` then quarter.
    A quarter not held, or a measure not in its workbook, has no row.
    """
    if not codes or not quarters:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
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
    records = [{"code": r.code, "measure": MEASURES_BY_CODE[r.code].label if r.code in MEASURES_BY_CODE
                else r.code, "quarter": Quarter(r.year, r.quarter).label, "value": r.value,
                "cell": r.cell, "submission_id": r.id, "version": r.version,
                "file_name": r.file_name, "uploaded_at": r.uploaded_at,
                "uploaded_by": r.uploaded_by, "_sort": (codes.index(r.code), r.year, r.quarter)}
               for r in rows]
    records.sort(key=lambda r: r.pop("_sort"))
    return pd.DataFrame(records, columns=SOURCE_COLUMNS)


def quarters_read(indicator: str, code: str, quarter: Quarter, basis: str) -> list[Quarter]:
    """The quarters whose value of ``code`` an indicator's figure reads.

    A quarter figure reads its quarter. A year-to-date figure sums a flow measure over
    the year's quarters up to this one, and takes a stock or cumulative one from this quarter.
    """
    if basis == "ytd" and MEASURES_BY_CODE[code].aggregation == "flow":
        return [Quarter(quarter.year, n) for n in range(1, quarter.quarter + 1)]
    return [quarter]


def figure_sources(engine: Engine, contract: str, indicator: str, quarter: Quarter,
                   basis: str = "quarter") -> pd.DataFrame:
    """Where an indicator's figure for a quarter came from: each measure it reads, with the
    submission, version and workbook cell (columns as ``measure_sources`` plus ``role``:
    "numerator" or "denominator")."""
    ind = INDICATORS_BY_CODE[indicator]
    numerator = list(ind.numerator_for(basis))
    codes = list(dict.fromkeys(numerator + [c for c in ind.measures
                                            if c not in ind.numerator and c not in (ind.ytd_numerator or ())]))
    frames = []
    for code in codes:
        found = measure_sources(engine, contract, [code], quarters_read(indicator, code, quarter, basis))
        frames.append(found.assign(role="numerator" if code in numerator else "denominator"))
    columns = ["role", *SOURCE_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
