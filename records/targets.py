"""Targets: set from a quarter on, never overwritten, with their history.

A change is a new :class:`~models.schema.Target` row effective from a quarter.
The target in force for a quarter is the row with the latest effective quarter
not after it; when two rows share that quarter, the newer row wins. So a change
applies from its quarter on, and every earlier value stays in the history.

Percentages are held as fractions of 1 (like the indicators) but users type and
read them in percentage points; ``to_display`` / ``from_display`` convert.

The indicators a contract can have targets for are those of its type's
catalogue; a new contract starts with the type's default targets
(:func:`set_default_targets`).

An officer or admin who covers the contract sets targets (``users.access.require_edit``,
checked before anything is stored); anyone who may read the contract reads them.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.catalogue import Catalogue, Indicator
from models.database import sessions
from models.periods import Quarter
from models.schema import Target
from models.states import Direction
from records.contracts import catalogue_for, contract_for
from users.access import Actor, require_edit

DIRECTIONS: tuple[Direction, ...] = tuple(Direction)

HISTORY_COLUMNS = ["id", "indicator", "service", "label", "unit", "value", "tolerance", "direction",
                   "effective_year", "effective_quarter", "effective", "note", "created_at",
                   "created_by"]
EDIT_COLUMNS = ["indicator", "service", "label", "unit", "target", "tolerance", "direction",
                "in_force_from"]


def _indicator(catalogue: Catalogue, code: str) -> Indicator:
    try:
        return catalogue.indicators_by_code[code]
    except KeyError:
        raise ValueError(f"There is no indicator {code!r} in a {catalogue.title.lower()} "
                         "contract.") from None


def display_factor(indicator: Indicator) -> float:
    """100 for a percentage (held as a fraction, shown in points), else 1."""
    return 100.0 if indicator.unit == "%" else 1.0


def to_display(indicator: Indicator, value: float | None) -> float | None:
    # Rounded so that a target typed as 7 points (held as 0.07) reads back as 7, not 7.000000000000001.
    return None if value is None else round(value * display_factor(indicator), 9)


def from_display(indicator: Indicator, value: float | None) -> float | None:
    return None if value is None else value / display_factor(indicator)


def set_target(engine: Engine, contract: str, indicator: str, value: float, tolerance: float,
               direction: str, effective: Quarter, actor: Actor, note: str = "") -> int:
    """Record a target (as held: percentages as fractions) in force from ``effective`` on.

    ``indicator`` must be one of the contract's type's indicators. Raises
    ``users.NotAllowed`` (storing nothing) unless the person may change the contract's records.
    """
    with sessions(engine)() as session:
        contract_for(session, contract, actor, require_edit)
    label = _indicator(catalogue_for(engine, contract), indicator).label
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"{label}: the target must be a number of 0 or more.")
    if tolerance is None or not math.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"{label}: the tolerance must be a number of 0 or more.")
    if direction not in DIRECTIONS:
        raise ValueError(f"{label}: direction must be 'higher' or 'lower', not {direction!r}.")
    with sessions(engine).begin() as session:
        row = Target(contract_id=contract_for(session, contract, actor, require_edit).id,
                     indicator=indicator, value=float(value), tolerance=float(tolerance),
                     direction=direction, effective_year=effective.year,
                     effective_quarter=effective.quarter, note=note.strip(),
                     created_by=actor.recorded_as)
        session.add(row)
        session.flush()
        return row.id


def set_default_targets(db: Engine | Session, contract: str, catalogue: Catalogue,
                        effective: Quarter, actor: Actor,
                        note: str = "Default target of the contract type") -> list[str]:
    """Give a contract its type's default targets (``Indicator.target``), in force from ``effective``.

    ``db`` is an engine or a session (a session: the rows join its transaction, so a
    contract and its targets can be registered together). Indicators without a
    default, or with a target already taking effect in ``effective``, are left alone,
    so calling it twice adds nothing. Returns the indicator codes given a target.
    Raises ``users.NotAllowed`` (storing nothing) unless the person may change the
    contract's records.
    """
    if isinstance(db, Session):
        return _add_defaults(db, contract, catalogue, effective, actor, note)
    with sessions(db).begin() as session:
        return _add_defaults(session, contract, catalogue, effective, actor, note)


def _add_defaults(session: Session, contract: str, catalogue: Catalogue, effective: Quarter,
                  actor: Actor, note: str) -> list[str]:
    row = contract_for(session, contract, actor, require_edit)
    created_by = actor.recorded_as
    held = set(session.scalars(
        select(Target.indicator).where(Target.contract_id == row.id,
                                       Target.effective_year == effective.year,
                                       Target.effective_quarter == effective.quarter)))
    added = []
    for ind in catalogue.indicators:
        if ind.target is None or ind.code in held:
            continue
        session.add(Target(contract_id=row.id, indicator=ind.code, value=float(ind.target),
                           tolerance=float(ind.tolerance or 0.0), direction=ind.better,
                           effective_year=effective.year, effective_quarter=effective.quarter,
                           note=note, created_by=created_by))
        added.append(ind.code)
    session.flush()
    return added


def target_history(engine: Engine, contract: str, actor: Actor,
                   indicator: str | None = None) -> pd.DataFrame:
    """Every target ever set for the contract, newest change first (values as held).

    ``unit`` is the indicator's unit (``%``, ``people``, ``days``), for showing the values.
    ``users.NotAllowed`` unless the person may read the contract.
    """
    with sessions(engine)() as session:
        row = contract_for(session, contract, actor)
        catalogue = catalogue_for(session, contract)
        query = select(Target).where(Target.contract_id == row.id)
        if indicator:
            query = query.where(Target.indicator == indicator)
        rows = session.scalars(query.order_by(Target.created_at.desc(), Target.id.desc())).all()
    records = []
    for t in rows:
        ind = catalogue.indicators_by_code.get(t.indicator)
        records.append({
            "id": t.id, "indicator": t.indicator, "service": ind.service if ind else "",
            "label": ind.label if ind else t.indicator, "unit": ind.unit if ind else "",
            "value": t.value, "tolerance": t.tolerance,
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


def targets_in_force(engine: Engine, contract: str, quarter: Quarter, actor: Actor) -> pd.DataFrame:
    return in_force(target_history(engine, contract, actor), quarter)


def editable_targets(engine: Engine, contract: str, quarter: Quarter, actor: Actor) -> pd.DataFrame:
    """Every indicator with the target in force at ``quarter``, in the users' units, for editing.

    ``target`` and ``tolerance`` are blank where no target is set; percentages in points.
    """
    current = targets_in_force(engine, contract, quarter, actor).set_index("indicator")
    rows = []
    for ind in catalogue_for(engine, contract).indicators:
        row = {"indicator": ind.code, "service": ind.service, "label": ind.label,
               "unit": "% points" if ind.unit == "%" else ind.unit,
               "target": None, "tolerance": None, "direction": ind.better, "in_force_from": ""}
        if ind.code in current.index:
            held = current.loc[ind.code]
            row.update(target=to_display(ind, held["value"]),
                       tolerance=to_display(ind, held["tolerance"]),
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
                      actor: Actor, note: str = "") -> list[str]:
    """Store a new target row, from ``effective`` on, for each indicator whose row was changed.

    ``edited`` is :func:`editable_targets` for the same quarter after the user's edits.
    Returns the indicator codes changed. Raises ValueError (storing nothing) when a
    row is not valid, naming the indicator, and ``users.NotAllowed`` (storing nothing) unless
    the person may change the contract's records.
    """
    with sessions(engine)() as session:
        contract_for(session, contract, actor, require_edit)
    catalogue = catalogue_for(engine, contract)
    before = editable_targets(engine, contract, effective, actor).set_index("indicator")
    changes = []
    problems = []
    for _, row in edited.iterrows():
        code = row["indicator"]
        ind = _indicator(catalogue, code)
        label = ind.label
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
        changes.append((code, from_display(ind, float(row["target"])),
                        from_display(ind, tolerance), row["direction"]))
    if problems:
        raise ValueError("\n".join(problems))
    with sessions(engine).begin() as session:
        contract_id = contract_for(session, contract, actor, require_edit).id
        for code, target, band, direction in changes:
            session.add(Target(contract_id=contract_id, indicator=code, value=target,
                               tolerance=band, direction=direction,
                               effective_year=effective.year, effective_quarter=effective.quarter,
                               note=note.strip(), created_by=actor.recorded_as))
    return [code for code, *_ in changes]
