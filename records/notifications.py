"""A person's notifications: the alerts raised for them, read or not, and the kinds they want.

Every alert the outbox records (``alerts.outbox``) is in the list of the person
it is for, whether or not its e-mail has gone yet. A person marks their own
alerts read and turns kinds off for themselves (``AlertPreference``: a row with
``enabled`` false means "do not raise this kind for me"). An administrator sees
what was sent to whom and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import CursorResult, Engine, Select, func, select, update

from models.alert_kinds import KINDS
from models.database import sessions
from models.schema import Alert, AlertPreference, Contract, utcnow
from users.access import Actor, require_admin

NOTIFICATION_COLUMNS = ["id", "kind", "what", "contract", "subject", "body", "created_at", "sent_at",
                        "read_at"]
SENT_COLUMNS = ["email", "kind", "what", "contract", "subject", "created_at", "sent_at", "read_at"]


class UnknownKind(ValueError):
    """Not a kind of alert; the message lists the kinds."""


def _email(email: str) -> str:
    return (email or "").strip().lower()


def _query(email: str | None = None) -> Select[Alert, str]:
    query = (select(Alert, Contract.reference).outerjoin(Contract, Alert.contract_id == Contract.id)
             .order_by(Alert.created_at.desc(), Alert.id.desc()))
    return query if email is None else query.where(Alert.email == _email(email))


def notifications(engine: Engine, email: str, unread_only: bool = False) -> pd.DataFrame:
    """The person's alerts, newest first; ``what`` is the kind in words. Columns ``NOTIFICATION_COLUMNS``."""
    query = _query(email)
    if unread_only:
        query = query.where(Alert.read_at.is_(None))
    with sessions(engine)() as session:
        rows = [{"id": a.id, "kind": a.kind, "what": KINDS.get(a.kind, a.kind), "contract": reference,
                 "subject": a.subject, "body": a.body, "created_at": a.created_at, "sent_at": a.sent_at,
                 "read_at": a.read_at} for a, reference in session.execute(query)]
    return pd.DataFrame(rows, columns=NOTIFICATION_COLUMNS)


def unread_count(engine: Engine, email: str) -> int:
    with sessions(engine)() as session:
        return session.scalar(select(func.count(Alert.id)).where(
            Alert.email == _email(email), Alert.read_at.is_(None))) or 0


def mark_read(engine: Engine, email: str, alert_ids: list[int] | None = None,
              when: datetime | None = None) -> int:
    """Mark the person's own alerts read (these ids, or every unread one); how many were marked.

    Ids of someone else's alerts are ignored: a person can only mark their own.
    """
    query = update(Alert).where(Alert.email == _email(email), Alert.read_at.is_(None))
    if alert_ids is not None:
        query = query.where(Alert.id.in_([int(i) for i in alert_ids]))
    with sessions(engine).begin() as session:
        # An UPDATE's result is a CursorResult (typed as the plain Result it extends).
        result = cast(CursorResult[Any], session.execute(query.values(read_at=when or utcnow())))
        return result.rowcount or 0


def preferences(engine: Engine, email: str) -> dict[str, bool]:
    """Each kind of alert and whether the person gets it (every kind is on until turned off)."""
    with sessions(engine)() as session:
        off = set(session.scalars(select(AlertPreference.kind).where(
            AlertPreference.email == _email(email), AlertPreference.enabled.is_(False))))
    return {kind: kind not in off for kind in KINDS}


def set_preference(engine: Engine, email: str, kind: str, enabled: bool) -> None:
    """Turn one kind of alert on or off for the person (from the next run on)."""
    if kind not in KINDS:
        raise UnknownKind(f"{kind!r} is not a kind of alert; the kinds are: {', '.join(KINDS)}.")
    email = _email(email)
    with sessions(engine).begin() as session:
        row = session.scalar(select(AlertPreference).where(AlertPreference.email == email,
                                                           AlertPreference.kind == kind))
        if row is None:
            session.add(AlertPreference(email=email, kind=kind, enabled=bool(enabled)))
        else:
            row.enabled = bool(enabled)


def sent_log(engine: Engine, actor: Actor, email: str | None = None) -> pd.DataFrame:
    """Every alert recorded, to whom, when it was sent (blank while pending) and read: for an admin."""
    require_admin(actor, "see the alerts sent to other people")
    with sessions(engine)() as session:
        rows = [{"email": a.email, "kind": a.kind, "what": KINDS.get(a.kind, a.kind), "contract": reference,
                 "subject": a.subject, "created_at": a.created_at, "sent_at": a.sent_at,
                 "read_at": a.read_at} for a, reference in session.execute(_query(email))]
    return pd.DataFrame(rows, columns=SENT_COLUMNS)
