"""Quality visits: a scored visit per service, with the score after its action plan.

Scores are held as fractions of 1 and typed and shown as percentages. An officer or admin
who covers the contract records them (``users.access.require_edit``); anyone who may read
the contract reads them (the provider's staff included: the provider was visited).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.database import sessions
from models.schema import Contract, QualityVisit, Service
from records.changes import apply_changes, change_history
from records.contracts import NotFound, contract_for, get_service
from users.access import Actor, require_edit

COLUMNS = ["id", "service", "visit_date", "score", "score_after", "summary", "created_at",
           "created_by"]


def _check_score(score: float | None, what: str) -> float | None:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    if not 0 <= score <= 1:
        raise ValueError(f"The {what} must be between 0% and 100%.")
    return float(score)


def add_visit(engine: Engine, contract: str, service: str, visit_date: date,
              score: float | None, score_after: float | None = None, summary: str = "",
              *, actor: Actor) -> int:
    """Record a visit; scores as fractions of 1 (0.83 for 83%), None when not scored yet.

    Raises ``users.NotAllowed`` (storing nothing) unless the person may change the contract's
    records."""
    score = _check_score(score, "score")
    score_after = _check_score(score_after, "score after the action plan")
    with sessions(engine).begin() as session:
        contract_row = contract_for(session, contract, actor, require_edit)
        visit = QualityVisit(service_id=get_service(session, contract_row, service).id,
                             visit_date=visit_date, score=score, score_after=score_after,
                             summary=summary.strip(), created_by=actor.recorded_as)
        session.add(visit)
        session.flush()
        return visit.id


def update_visit(engine: Engine, visit_id: int, actor: Actor, **changes) -> list[str]:
    """Change a visit's visit_date, score, score_after or summary; each change is logged.

    Raises ``users.NotAllowed`` (storing nothing) unless the person may change the contract's
    records."""
    allowed = {"visit_date", "score", "score_after", "summary"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"A visit has no field {', '.join(sorted(unknown))}.")
    if "score" in changes:
        changes["score"] = _check_score(changes["score"], "score")
    if "score_after" in changes:
        changes["score_after"] = _check_score(changes["score_after"], "score after the action plan")
    with sessions(engine).begin() as session:
        visit = session.get(QualityVisit, visit_id)
        if visit is None:
            raise NotFound(f"No quality visit {visit_id} is held.")
        service = session.get(Service, visit.service_id)
        if service is None:    # the database's foreign key keeps a visit's service
            raise NotFound(f"Quality visit {visit_id}'s service is not held.")
        require_edit(actor, session.get(Contract, service.contract_id))
        return apply_changes(session, visit, changes, actor.recorded_as)


def visits(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """The contract's visits, newest first (``users.NotAllowed`` unless the person may read it)."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        rows = session.execute(
            select(QualityVisit, Service.name).join(Service, QualityVisit.service_id == Service.id)
            .where(Service.contract_id == contract_row.id)
            .order_by(QualityVisit.visit_date.desc(), QualityVisit.id.desc())).all()
    return pd.DataFrame(
        [{"id": v.id, "service": name, "visit_date": v.visit_date, "score": v.score,
          "score_after": v.score_after, "summary": v.summary, "created_at": v.created_at,
          "created_by": v.created_by} for v, name in rows],
        columns=COLUMNS)


def visit_changes(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """The change log of the contract's visits (``users.NotAllowed`` unless the person may read it)."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        ids = list(session.scalars(select(QualityVisit.id).join(Service)
                                   .where(Service.contract_id == contract_row.id)))
    return change_history(engine, QualityVisit.__tablename__, record_ids=ids)


def scores_by_year(visits_frame: pd.DataFrame) -> pd.DataFrame:
    """Scores over the years per service, for a chart: one row per service, year and stage.

    Columns: service, year, stage ("Visit" or "After action plan"), score. Where a
    service had more than one visit in a year, the latest counts. Missing scores are
    left out (never shown as 0).
    """
    columns = ["service", "year", "stage", "score"]
    if visits_frame.empty:
        return pd.DataFrame(columns=columns)
    frame = visits_frame.assign(year=pd.to_datetime(visits_frame["visit_date"]).dt.year)
    latest = frame.sort_values(["visit_date", "id"]).groupby(["service", "year"]).tail(1)
    long = latest.melt(id_vars=["service", "year"], value_vars=["score", "score_after"],
                       var_name="stage", value_name="value")
    long["stage"] = long["stage"].map({"score": "Visit", "score_after": "After action plan"})
    long = long.dropna(subset=["value"]).rename(columns={"value": "score"})
    return long.sort_values(["service", "year", "stage"], ascending=[True, True, False])[columns] \
        .reset_index(drop=True)


def from_percent(points: float | None) -> float | None:
    """A score typed in percentage points (83) as held (0.83); None stays None."""
    return None if points is None else points / 100
