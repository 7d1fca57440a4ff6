"""What is due to be said, and to whom: the alerts a run raises on a given day.

Each :class:`Occasion` is one thing worth telling people about, with a ``key``
that names it for good (kind, contract, quarter or record, and for a reminder
repeated weekly the ISO week), so that the outbox records it once per person
however often the run is repeated. :func:`raise_alerts` pairs each occasion
with the people whose role covers its contract (:func:`recipients_for`), less
those who turned that kind off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

import formats as fmt
from alerts import deadlines
from models.alert_kinds import (  # noqa: F401 - the kinds, named here as the rules raise them
    ACTION_OVERDUE,
    CONTRACT_ENDING,
    KINDS,
    PROVIDER_KINDS,
    RED_INDICATOR,
    RETURN_DUE_SOON,
    RETURN_OVERDUE,
)
from models.database import sessions
from models.periods import Quarter
from models.schema import (
    Action,
    AlertPreference,
    Contract,
    OfficerAssignment,
    Submission,
    User,
)
from records.actions import OPEN_STATUSES
from users.access import Role

#: A return is "due soon" from this many working days before its due date.
DUE_SOON_WORKING_DAYS = 5
#: A contract is "ending" from this many days before the end of its term.
ENDING_DAYS = 180


@dataclass(frozen=True)
class Occasion:
    """One thing to tell people about, the same for everyone told."""

    key: str
    kind: str
    contract_id: int
    contract: str
    subject: str
    body: str


@dataclass
class Raised:
    """What a run found: each occasion with whom to tell, and anything it could not work out."""

    alerts: list[tuple[Occasion, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def people(self) -> list[str]:
        return sorted({email for _, email in self.alerts})


# --- who is told ------------------------------------------------------------------------------


def recipients_for(session: Session, contract: Contract, kind: str) -> list[str]:
    """The e-mail addresses (lower case) of the people whose role covers ``contract`` for ``kind``.

    Reads ``User`` and ``OfficerAssignment`` directly, in this one place, so that it can
    follow ``users.access`` if the rules of who covers a contract change.

    Officers who cover every contract, or to whom it is assigned, get every kind; the
    provider's own users get only the due and overdue reminders of their returns;
    administrators and viewers get none. Whether a person turned the kind off is
    applied afterwards (:func:`raise_alerts`).
    """
    assigned = select(OfficerAssignment.user_id).where(OfficerAssignment.contract_id == contract.id)
    officers = select(User.email).where(User.role == Role.OFFICER.value,
                                        User.all_contracts.is_(True) | User.id.in_(assigned))
    emails = set(session.scalars(officers))
    if kind in PROVIDER_KINDS:
        emails |= set(session.scalars(select(User.email).where(
            User.role == Role.PROVIDER.value, User.provider_id == contract.provider_id)))
    return sorted(e.strip().lower() for e in emails if e)


def turned_off(session: Session) -> set[tuple[str, str]]:
    """(e-mail, kind) pairs that people have turned off for themselves."""
    rows = session.execute(select(AlertPreference.email, AlertPreference.kind)
                           .where(AlertPreference.enabled.is_(False)))
    return {(email.lower(), kind) for email, kind in rows}


# --- what is due ------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _long_date(day: date) -> str:
    return f"{day:%A} {fmt.uk_date(day)}"


def _quarter_key(quarter: Quarter) -> str:
    return f"{quarter.year}Q{quarter.quarter}"


def return_occasions(statuses: pd.DataFrame, contracts: dict[str, Contract], today: date
                     ) -> list[Occasion]:
    """A return due within 5 working days (once a quarter) and one overdue (once a week)."""
    found = []
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    for row in statuses.to_dict("records"):
        contract = contracts[row["contract"]]
        quarter = Quarter(row["year"], row["quarter"])
        who = f"{row['provider']}'s monitoring return for {quarter.label} (contract {contract.reference}, " \
              f"{contract.title})"
        left = row["working_days_left"]
        if row["status"] in (deadlines.DUE, deadlines.NOT_YET_DUE) and not pd.isna(left) \
                and left <= DUE_SOON_WORKING_DAYS and today <= row["due_date"]:
            when = "today" if left == 0 else f"in {_plural(int(left), 'working day')}"
            found.append(Occasion(
                key=f"{RETURN_DUE_SOON}:{contract.id}:{_quarter_key(quarter)}", kind=RETURN_DUE_SOON,
                contract_id=contract.id, contract=contract.reference,
                subject=f"{contract.reference}: the {quarter.label} return is due on "
                        f"{fmt.uk_date(row['due_date'])}",
                body=f"{who} is due on {_long_date(row['due_date'])}, {when}. "
                     "It has not been received yet."))
        elif row["status"] == deadlines.OVERDUE:
            late = int(row["working_days_late"])
            found.append(Occasion(
                key=f"{RETURN_OVERDUE}:{contract.id}:{_quarter_key(quarter)}:{week}", kind=RETURN_OVERDUE,
                contract_id=contract.id, contract=contract.reference,
                subject=f"{contract.reference}: the {quarter.label} return is overdue",
                body=f"{who} was due on {_long_date(row['due_date'])} and has not been received: "
                     f"{_plural(late, 'working day')} overdue. This reminder is repeated each week "
                     "until it is received."))
    return found


def _latest_submissions(session: Session, contract_ids: list[int], today: date) -> dict[int, Submission]:
    """Each contract's current submission of its latest quarter ended by ``today``."""
    latest: dict[int, Submission] = {}
    rows = session.scalars(select(Submission).where(Submission.contract_id.in_(contract_ids),
                                                    Submission.is_current.is_(True)))
    for submission in rows:
        quarter = Quarter(submission.year, submission.quarter)
        if quarter.end >= today:
            continue
        held = latest.get(submission.contract_id)
        if held is None or (held.year, held.quarter) < (submission.year, submission.quarter):
            latest[submission.contract_id] = submission
    return latest


def _indicator_tables(engine: Engine, contracts: list[Contract], problems: list[str]) -> dict[str, pd.DataFrame]:
    """Each contract's indicators (the engine's table), read in one go when every type file is sound.

    When some contract's cannot be worked out (a missing or faulty type file), each is read on
    its own so that only that contract goes without, and the run says which and why.
    """
    from indicators.engine import all_indicators, indicators_for

    try:
        table = all_indicators(engine)
    except Exception:  # noqa: BLE001 - find out below which contract it was, and carry on without it
        table = None
    if table is not None:
        return {reference: rows for reference, rows in table.groupby("contract")}
    tables = {}
    for contract in contracts:
        try:
            tables[contract.reference] = indicators_for(engine, contract.reference)
        except Exception as exc:  # noqa: BLE001 - one contract's bad type must not stop everyone's alerts
            problems.append(f"{contract.reference}: its indicators could not be worked out, so red "
                            f"indicators were not checked ({exc.__class__.__name__}: {exc})")
    return tables


def red_occasions(engine: Engine, contracts: Iterable[Contract], latest: dict[int, Submission],
                  problems: list[str]) -> list[Occasion]:
    """Red indicators in each contract's newest return: once per stored submission.

    The newest return is the current version of the latest quarter held, so a
    corrected return (a new version) that is still red is told again.
    """
    wanted = [c for c in contracts if c.id in latest]
    tables = _indicator_tables(engine, wanted, problems) if wanted else {}
    found = []
    for contract in wanted:
        submission = latest[contract.id]
        table = tables.get(contract.reference)
        if table is None or table.empty:
            continue
        quarter = Quarter(submission.year, submission.quarter)
        red = table[(table["basis"] == "quarter") & (table["year"] == quarter.year)
                    & (table["quarter"] == quarter.quarter) & (table["rag"] == "red")]
        if red.empty:
            continue
        lines = [f"- {r['service']}: {r['label']}: {fmt.value(r['value'], r['unit'])} against a target of "
                 f"{fmt.value(r['target'], r['unit'])}" for r in red.to_dict("records")]
        found.append(Occasion(
            key=f"{RED_INDICATOR}:{submission.id}", kind=RED_INDICATOR, contract_id=contract.id,
            contract=contract.reference,
            subject=f"{contract.reference} {quarter.label}: {_plural(len(lines), 'indicator')} red",
            body=f"The {quarter.label} return for {contract.reference} (version {submission.version}, stored "
                 f"{fmt.uk_date(deadlines.uk_day(submission.uploaded_at))}) has "
                 f"{_plural(len(lines), 'indicator')} red, missing the target by more than the tolerance:\n"
                 + "\n".join(lines)))
    return found


def action_occasions(session: Session, contracts: dict[int, Contract], today: date) -> list[Occasion]:
    """Actions past their due date and still open or in progress: once per action and due date."""
    found = []
    rows = session.scalars(select(Action).where(Action.due_date < today,
                                                Action.status.in_(OPEN_STATUSES),
                                                Action.contract_id.in_(list(contracts)))
                           .order_by(Action.due_date, Action.id))
    for action in rows:
        due = action.due_date
        if due is None:    # never: the query takes only actions due before today
            continue
        contract = contracts[action.contract_id]
        days = (today - due).days
        owner = f" Owner: {action.owner}." if action.owner else ""
        found.append(Occasion(
            key=f"{ACTION_OVERDUE}:{action.id}:{due.isoformat()}", kind=ACTION_OVERDUE,
            contract_id=contract.id, contract=contract.reference,
            subject=f"{contract.reference}: an action was due on {fmt.uk_date(due)}",
            body=f"\"{action.text}\" was due on {_long_date(due)}, {_plural(days, 'day')} ago, "
                 f"and is still {action.status}.{owner}"))
    return found


def ending_occasions(contracts: Iterable[Contract], today: date) -> list[Occasion]:
    """Contracts whose term ends within 180 days: once per end date (an extension is told again)."""
    found = []
    for contract in contracts:
        end = contract.end_date
        days = (end - today).days
        if 0 <= days <= ENDING_DAYS:
            found.append(Occasion(
                key=f"{CONTRACT_ENDING}:{contract.id}:{end.isoformat()}", kind=CONTRACT_ENDING,
                contract_id=contract.id, contract=contract.reference,
                subject=f"{contract.reference} ends on {fmt.uk_date(end)}, in {_plural(days, 'day')}",
                body=f"Contract {contract.reference} ({contract.title}) with {contract.provider.name} ends on "
                     f"{_long_date(end)}, {_plural(days, 'day')} from now. Its extension, re-commissioning "
                     "or exit needs deciding before then."))
    return found


def occasions(engine: Engine, today: date, problems: list[str] | None = None) -> list[Occasion]:
    """Everything worth telling people about on ``today``, across every contract."""
    problems = [] if problems is None else problems
    statuses = deadlines.return_statuses(engine, today)
    with sessions(engine)() as session:
        held = list(session.scalars(select(Contract).options(selectinload(Contract.provider))
                                    .order_by(Contract.reference)))
        by_reference = {c.reference: c for c in held}
        by_id = {c.id: c for c in held}
        found = return_occasions(statuses, by_reference, today)
        found += action_occasions(session, by_id, today)
        latest = _latest_submissions(session, list(by_id), today)
    found += red_occasions(engine, held, latest, problems)
    found += ending_occasions(held, today)
    return found


def raise_alerts(engine: Engine, today: date) -> Raised:
    """Each occasion on ``today`` with each person to tell, less the kinds people turned off."""
    raised = Raised()
    found = occasions(engine, today, raised.problems)
    with sessions(engine)() as session:
        off = turned_off(session)
        contracts = {c.id: c for c in session.scalars(select(Contract))}
        cache: dict[tuple[int, str], list[str]] = {}
        for occasion in found:
            wanted = (occasion.contract_id, occasion.kind)
            if wanted not in cache:
                cache[wanted] = recipients_for(session, contracts[occasion.contract_id], occasion.kind)
            raised.alerts += [(occasion, email) for email in cache[wanted] if (email, occasion.kind) not in off]
    return raised
