"""Edits made in place, field by field, with who made them and when (nothing typed is lost)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.database import sessions
from models.schema import RecordChange, utcnow


def as_text(value: object) -> str | None:
    """A field value as the change log keeps it: ISO dates, plain numbers, None for empty."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_changes(session: Session, record, changes: dict[str, object], changed_by: str) -> list[str]:
    """Set the fields of ``record`` that differ, logging each one; returns the fields changed."""
    changed = []
    now = utcnow()
    for field, new in changes.items():
        old = getattr(record, field)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        session.add(RecordChange(table_name=record.__tablename__, record_id=record.id, field=field,
                                 old_value=as_text(old), new_value=as_text(new),
                                 changed_at=now, changed_by=changed_by))
        setattr(record, field, new)
        changed.append(field)
    return changed


def change_history(engine: Engine, table_name: str, record_id: int | None = None, *,
                   record_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Changes made to the records of one table (or one record, or the records ``record_ids``),
    newest first.

    Applies no rule: the pages read change logs through the functions that check who may see
    them (``records.actions.action_changes``, ``records.meetings.meeting_changes``,
    ``records.visits.visit_changes``, ``records.contracts.contract_history``).
    Columns: record_id, field, old_value, new_value, changed_at, changed_by.
    """
    query = select(RecordChange).where(RecordChange.table_name == table_name)
    if record_id is not None:
        query = query.where(RecordChange.record_id == record_id)
    if record_ids is not None:
        query = query.where(RecordChange.record_id.in_(list(record_ids)))
    with sessions(engine)() as session:
        rows = session.scalars(query.order_by(RecordChange.changed_at.desc(), RecordChange.id.desc()))
        return pd.DataFrame(
            [{"record_id": r.record_id, "field": r.field, "old_value": r.old_value,
              "new_value": r.new_value, "changed_at": r.changed_at, "changed_by": r.changed_by}
             for r in rows],
            columns=["record_id", "field", "old_value", "new_value", "changed_at", "changed_by"])
