"""Quarterly contract monitoring meetings and their notes.

Meeting notes are council-internal: an officer or admin who covers the contract writes
them (``users.access.require_edit``), council roles read all of them, and a provider reads
only the meetings marked ``shared_with_provider`` of their own organisation's contracts.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, Meeting
from records.changes import apply_changes, change_history
from records.contracts import NotFound, contract_for
from users.access import Actor, can_read_internal, require_edit

COLUMNS = ["id", "meeting_date", "quarter", "notes", "shared_with_provider", "created_at",
           "created_by"]


def add_meeting(engine: Engine, contract: str, meeting_date: date, quarter: Quarter | None,
                notes: str = "", shared_with_provider: bool = False, *, actor: Actor) -> int:
    """Record a meeting about ``quarter``'s return (None for a meeting about no one quarter).

    ``shared_with_provider``: the provider's staff may read its notes. Raises
    ``users.NotAllowed`` (storing nothing) unless the person may change the contract's records.
    """
    with sessions(engine).begin() as session:
        contract_row = contract_for(session, contract, actor, require_edit)
        meeting = Meeting(contract_id=contract_row.id, meeting_date=meeting_date,
                          year=quarter.year if quarter else None,
                          quarter=quarter.quarter if quarter else None,
                          notes=notes.strip(), shared_with_provider=bool(shared_with_provider),
                          created_by=actor.recorded_as)
        session.add(meeting)
        session.flush()
        return meeting.id


def update_meeting(engine: Engine, meeting_id: int, actor: Actor, *,
                   meeting_date: date | None = None, quarter: Quarter | None = None,
                   notes: str | None = None, shared_with_provider: bool | None = None) -> list[str]:
    """Change a meeting's date, quarter, notes or sharing with the provider; each change is
    logged with who and when. Raises ``users.NotAllowed`` (storing nothing) unless the
    person may change the contract's records."""
    changes: dict[str, object] = {}
    if meeting_date is not None:
        changes["meeting_date"] = meeting_date
    if quarter is not None:
        changes.update(year=quarter.year, quarter=quarter.quarter)
    if notes is not None:
        changes["notes"] = notes.strip()
    if shared_with_provider is not None:
        changes["shared_with_provider"] = bool(shared_with_provider)
    with sessions(engine).begin() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"No meeting {meeting_id} is held.")
        require_edit(actor, session.get(Contract, meeting.contract_id))
        return apply_changes(session, meeting, changes, actor.recorded_as)


def _visible(query, actor: Actor):
    """Only the meetings shared with the provider, for someone who may not read internal records."""
    return query if can_read_internal(actor) else query.where(Meeting.shared_with_provider.is_(True))


def meetings(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """The contract's meetings, newest first; ``quarter`` is a label like ``2016/17 Q3`` or "".

    Anyone who may read the contract (``users.NotAllowed`` otherwise); a provider gets only
    the meetings shared with the provider."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        rows = session.scalars(_visible(
            select(Meeting).where(Meeting.contract_id == contract_row.id)
            .order_by(Meeting.meeting_date.desc(), Meeting.id.desc()), actor)).all()
    return pd.DataFrame(
        [{"id": m.id, "meeting_date": m.meeting_date,
          "quarter": Quarter(m.year, m.quarter).label if m.year and m.quarter else "",
          "notes": m.notes, "shared_with_provider": bool(m.shared_with_provider),
          "created_at": m.created_at, "created_by": m.created_by} for m in rows],
        columns=COLUMNS)


def meeting_changes(engine: Engine, contract: str, actor: Actor) -> pd.DataFrame:
    """The change log of the contract's meetings that the person may read (``meetings``)."""
    with sessions(engine)() as session:
        contract_row = contract_for(session, contract, actor)
        ids = list(session.scalars(_visible(select(Meeting.id).where(
            Meeting.contract_id == contract_row.id), actor)))
    return change_history(engine, Meeting.__tablename__, record_ids=ids)


def meeting_label(meeting_date: date, quarter_label: str) -> str:
    """How a meeting is named in lists: ``14/02/2017 (2016/17 Q3)``."""
    day = meeting_date.strftime("%d/%m/%Y")
    return f"{day} ({quarter_label})" if quarter_label else day
