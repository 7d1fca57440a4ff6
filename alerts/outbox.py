"""The outbox: record every alert, commit, then send each person's unsent alerts, then mark them sent.

Recording first is what makes a run safe to repeat or to kill:

- an alert is recorded once per person (``alert`` is unique on key and e-mail),
  so a second run on the same day raises nothing new;
- an alert is marked sent only after the mail server accepted the digest that
  carried it, so a run killed before that, or one that found the mail server
  down, leaves it pending for the next run, which sends it once.

The one gap left is a run killed after the server accepted a digest and before
the mark was committed (a few milliseconds): the next run sends that digest again.
Mail cannot be taken back, so the outbox prefers telling twice to never telling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from alerts.mail import Refused, digest
from alerts.rules import Raised
from models.database import sessions
from models.schema import Alert, utcnow


@dataclass(frozen=True)
class Pending:
    """One alert waiting to go, as the digest and the dry run show it."""

    id: int | None
    email: str
    kind: str
    contract_id: int | None
    subject: str
    body: str


@dataclass
class Sent:
    """What a sending run did: digests sent (alert count by person), and messages refused."""

    sent: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def record(engine: Engine, raised: Raised, now: datetime | None = None) -> int:
    """Record each alert not already recorded for that person; the number recorded.

    Committed before anything is sent. A second run at the same time may record some
    of the same alerts first: this run then reads again and records only the rest.
    """
    now = now or utcnow()
    for attempt in range(2):
        with sessions(engine)() as session:
            keys = sorted({occasion.key for occasion, _ in raised.alerts})
            held: set[tuple[str, str]] = set()
            for start in range(0, len(keys), 500):   # keep each IN list a sensible size
                held |= {(key, email) for key, email in session.execute(
                    select(Alert.key, Alert.email).where(Alert.key.in_(keys[start:start + 500])))}
            added = 0
            for occasion, email in raised.alerts:
                if (occasion.key, email) in held:
                    continue
                held.add((occasion.key, email))
                session.add(Alert(key=occasion.key, kind=occasion.kind, email=email,
                                  contract_id=occasion.contract_id, subject=occasion.subject,
                                  body=occasion.body, created_at=now))
                added += 1
            try:
                session.commit()
                return added
            except IntegrityError:
                session.rollback()
                if attempt:
                    raise
    return 0


def pending(engine: Engine) -> dict[str, list[Pending]]:
    """Every unsent alert, by person (e-mail in order), oldest first."""
    by_person: dict[str, list[Pending]] = {}
    with sessions(engine)() as session:
        rows = session.scalars(select(Alert).where(Alert.sent_at.is_(None))
                               .order_by(Alert.email, Alert.created_at, Alert.id))
        for alert in rows:
            by_person.setdefault(alert.email, []).append(_pending(alert))
    return by_person


def _pending(alert: Alert) -> Pending:
    return Pending(alert.id, alert.email, alert.kind, alert.contract_id, alert.subject, alert.body)


def preview(engine: Engine, raised: Raised) -> dict[str, list[Pending]]:
    """What a run would send now (alerts already pending and those it would record); changes nothing."""
    by_person = pending(engine)
    with sessions(engine)() as session:
        keys = sorted({occasion.key for occasion, _ in raised.alerts})
        held: set[tuple[str, str]] = {
            (key, email) for key, email in session.execute(select(Alert.key, Alert.email).where(Alert.key.in_(keys)))
        } if keys else set()
    for occasion, email in raised.alerts:
        if (occasion.key, email) in held:
            continue
        held.add((occasion.key, email))
        by_person.setdefault(email, []).append(
            Pending(None, email, occasion.kind, occasion.contract_id, occasion.subject, occasion.body))
    return dict(sorted(by_person.items()))


def send(engine: Engine, mailer, now: Callable[[], datetime] = utcnow) -> Sent:
    """Send each person's unsent alerts as one digest and mark them sent once the server took it.

    ``mailer`` has ``send(message)`` and ``sender`` (``alerts.mail.SmtpMailer``). A message the
    server refuses stays pending and is listed in ``refused``; when the server is down this
    raises :class:`MailServerDown` after marking what did go, and the rest stays pending.
    """
    result = Sent()
    for email, alerts in pending(engine).items():
        ids = [a.id for a in alerts if a.id is not None]
        if len(ids) < len(alerts):    # pending() reads each alert from the database, with its id
            raise ValueError("an alert not yet recorded cannot be sent")
        try:
            mailer.send(digest(email, alerts, mailer.sender))
        except Refused as exc:
            result.refused.append(str(exc))
            continue
        _mark_sent(engine, ids, now())
        result.sent[email] = len(alerts)
    return result


def _mark_sent(engine: Engine, ids: list[int], when: datetime) -> None:
    with sessions(engine).begin() as session:
        session.execute(update(Alert).where(Alert.id.in_(ids), Alert.sent_at.is_(None))
                        .values(sent_at=when))
