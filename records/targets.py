"""Targets: set from a quarter on, never overwritten, with their history.

A change is a new :class:`~models.schema.Target` row effective from a quarter.
The target in force for a quarter is the row with the latest effective quarter
not after it; when two rows share that quarter, the newer row wins. So a change
applies from its quarter on, and every earlier value stays in the history.

Percentages are held as fractions of 1 (like the indicators) but users type and
read them in percentage points; ``to_display`` / ``from_display`` convert.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Engine, select

from models.catalogue import INDICATORS, INDICATORS_BY_CODE, Indicator
from models.database import sessions
from models.periods import Quarter
from models.schema import Target
from records.contracts import get_contract

DIRECTIONS = ("higher", "lower")

HISTORY_COLUMNS = ["id", "indicator", "service", "label", "value", "tolerance", "direction",
                   "effective_year", "effective_quarter", "effective", "note", "created_at",
                   "created_by"]
EDIT_COLUMNS = ["indicator", "service", "label", "unit", "target", "tolerance", "direction",
                "in_force_from"]


def _indicator(code: str) -> Indicator:
    try:
        return INDICATORS_BY_CODE[code]
    except KeyError:
        raise ValueError(f"There is no indicator {code!r}.") from None


def display_factor(indicator: str) -> float:
    """100 for a percentage (held as a fraction, shown in points), else 1."""
    return 100.0 if _indicator(indicator).unit == "%" else 1.0


def to_display(indicator: str, value: float | None) -> float | None:
    # Rounded so that a target typed as 7 points (held as 0.07) reads back as 7, not 7.000000000000001.
    return None if value is None else round(value * display_factor(indicator), 9)


def from_display(indicator: str, value: float | None) -> float | None:
    return None if value is None else value / display_factor(indicator)


def set_target(engine: Engine, contract: str, indicator: str, value: float, tolerance: float,
               direction: str, effective: Quarter, created_by: str, note: str = "") -> int:
    """Record a target (as held: percentages as fractions) in force from ``effective`` on."""
    _indicator(indicator)
    label = INDICATORS_BY_CODE[indicator].label
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"{label}: the target must be a number of 0 or more.")
    if tolerance is None or not math.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"{label}: the tolerance must be a number of 0 or more.")
    if direction not in DIRECTIONS:
        raise ValueError(f"{label}: direction must be 'higher' or 'lower', not {direction!r}.")
    with sessions(engine).begin() as session:
        row = Target(contract_id=get_contract(session, contract).id, indicator=indicator,
                     value=float(value), tolerance=float(tolerance), direction=direction,
                     effective_year=effective.year, effective_quarter=effective.quarter,
                     note=note.strip(), created_by=created_by)
        session.add(row)
        session.flush()
        return row.id


def target_history(engine: Engine, contract: str, indicator: str | None = None) -> pd.DataFrame:
    """Every target ever set for the contract, newest change first (values as held)."""
    with sessions(engine)() as session:
        query = select(Target).where(Target.contract_id == get_contract(session, contract).id)
        if indicator:
            query = query.where(Target.indicator == indicator)
        rows = session.scalars(query.order_by(Target.created_at.desc(), Target.id.desc())).all()
    records = []
    for t in rows:
        ind = INDICATORS_BY_CODE.get(t.indicator)
        records.append({
            "id": t.id, "indicator": t.indicator, "service": ind.service if ind else "",
            "label": ind.label if ind else t.indicator, "value": t.value, "tolerance": t.tolerance,
            "direction": t.direction, "effective_year": t.effective_year,
            "effective_quarter": t.effective_quarter,
            "effective": Quarter(t.effective_year, t.effective_quarter).label,
            "note": t.note, "created_at": t.created_at, "created_by": t.created_by})
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)


def in_force(history: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The rows of ``history`` in force at ``quarter``: one per indicator that has a target then."""
    if history.empty:
        return history.iloc[0:0]
    period = history["effective_year"] * 4 + history["effective_quarter"] - 1
    held = history[period <= quarter.index].assign(_period=period)
    held = held.sort_values(["indicator", "_period", "id"])
    return held.groupby("indicator", sort=False).tail(1).drop(columns="_period").reset_index(drop=True)


def targets_in_force(engine: Engine, contract: str, quarter: Quarter) -> pd.DataFrame:
    return in_force(target_history(engine, contract), quarter)


def editable_targets(engine: Engine, contract: str, quarter: Quarter) -> pd.DataFrame:
    """Every indicator with the target in force at ``quarter``, in the users' units, for editing.

    ``target`` and ``tolerance`` are blank where no target is set; percentages in points.
    """
    current = targets_in_force(engine, contract, quarter).set_index("indicator")
    rows = []
    for ind in INDICATORS:
        row = {"indicator": ind.code, "service": ind.service, "label": ind.label,
               "unit": "% points" if ind.unit == "%" else ind.unit,
               "target": None, "tolerance": None, "direction": ind.better, "in_force_from": ""}
        if ind.code in current.index:
            held = current.loc[ind.code]
            row.update(target=to_display(ind.code, held["value"]),
                       tolerance=to_display(ind.code, held["tolerance"]),
                       direction=held["direction"], in_force_from=held["effective"])
        rows.append(row)
    return pd.DataFrame(rows, columns=EDIT_COLUMNS)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _same(a, b) -> bool:
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def save_target_edits(engine: Engine, contract: str, edited: pd.DataFrame, effective: Quarter,
                      created_by: str, note: str = "") -> list[str]:
    """Store a new target row, from ``effective`` on, for each indicator whose row was changed.

    ``edited`` is :func:`editable_targets` for the same quarter after the user's edits.
    Returns the indicator codes changed. Raises ValueError (storing nothing) when a
    row is not valid, naming the indicator.
    """
    before = editable_targets(engine, contract, effective).set_index("indicator")
    changes = []
    problems = []
    for _, row in edited.iterrows():
        code = row["indicator"]
        label = INDICATORS_BY_CODE[code].label
        old = before.loc[code]
        if (_same(row["target"], old["target"]) and _same(row["tolerance"], old["tolerance"])
                and row["direction"] == old["direction"]):
            continue
        if _blank(row["target"]):
            if not _blank(old["target"]):
                problems.append(f"{label}: a target cannot be removed, only changed. "
                                "Put the target back or enter the new one.")
            continue  # a direction or tolerance with no target sets nothing
        tolerance = 0.0 if _blank(row["tolerance"]) else float(row["tolerance"])
        if float(row["target"]) < 0 or tolerance < 0:
            problems.append(f"{label}: the target and tolerance must be 0 or more.")
            continue
        if row["direction"] not in DIRECTIONS:
            problems.append(f"{label}: choose whether higher or lower is better.")
            continue
        changes.append((code, from_display(code, float(row["target"])),
                        from_display(code, tolerance), row["direction"]))
    if problems:
        raise ValueError("\n".join(problems))
    with sessions(engine).begin() as session:
        contract_id = get_contract(session, contract).id
        for code, value, tolerance, direction in changes:
            session.add(Target(contract_id=contract_id, indicator=code, value=value,
                               tolerance=tolerance, direction=direction,
                               effective_year=effective.year, effective_quarter=effective.quarter,
                               note=note.strip(), created_by=created_by))
    return [code for code, *_ in changes]
