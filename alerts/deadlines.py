"""When each quarterly return is due, and whether it came: the returns calendar.

A return is due a number of working days after its quarter ends (the contract's
``return_due_working_days``, 20 by default). Working days are Monday to Friday
less the bank holidays of England and Wales, from the ``holidays`` package (no
network look-up), so a quarter ending on 31 December is due later than one
ending on 30 September.

A return counts as received when its first version was uploaded (version 1's
``uploaded_at``, in UK local time); later versions are corrections and do not
make a return late. Each contract and quarter has one status:

- ``not yet due``: the quarter has not ended;
- ``due``: it has ended, nothing is held and the deadline has not passed;
- ``received on time`` / ``received late`` (by so many working days);
- ``overdue``: the deadline has passed and nothing is held.

Quarters before the contract started or after its term ended are never due,
and have no row. A submission is held whatever ``today`` is, so a calendar
drawn as at an earlier day (``--today``) still shows it as received, on the
day it came.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pandas as pd
from sqlalchemy import Engine, func, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, Provider, Submission

try:
    UK: tzinfo = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time-zone data on the machine: count days in UTC
    UK = UTC

#: The statuses, in the users' words.
NOT_YET_DUE = "not yet due"
DUE = "due"
ON_TIME = "received on time"
LATE = "received late"
OVERDUE = "overdue"
STATUSES = (NOT_YET_DUE, DUE, ON_TIME, LATE, OVERDUE)

#: An icon and a colour for each, so that the calendar reads without colour too.
#: Colours are Okabe–Ito (colour-blind safe), like the RAG colours.
STATUS_ICON = {NOT_YET_DUE: "○", DUE: "◔", ON_TIME: "✔", LATE: "▲", OVERDUE: "✖"}
STATUS_COLOUR = {NOT_YET_DUE: "#FFFFFF", DUE: "#56B4E9", ON_TIME: "#009E73", LATE: "#E69F00",
                 OVERDUE: "#D55E00"}

#: Default rule when a contract has none (the schema's default too).
DEFAULT_WORKING_DAYS = 20

STATUS_COLUMNS = ["contract", "provider", "provider_id", "year", "quarter", "period", "quarter_end",
                  "due_date", "status", "received_on", "working_days_late", "working_days_left",
                  "versions", "status_text"]
LATEST_COLUMNS = ["contract", "provider", "provider_id", "period", "due_date", "status",
                  "working_days_late", "working_days_left", "overdue_count", "next_due_period",
                  "next_due_date", "summary"]


# --- working days ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    if count < 0:
        raise ValueError(f"a number of working days cannot be negative ({count})")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(quarter: Quarter, working_days: int | None = DEFAULT_WORKING_DAYS) -> date:
    """The day the quarter's return is due: so many working days after the quarter's last day."""
    return add_working_days(quarter.end, DEFAULT_WORKING_DAYS if working_days is None else working_days)


def uk_day(moment: datetime) -> date:
    """The UK calendar day of a stored time (SQLite hands back naive UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK).date()


# --- one return -----------------------------------------------------------------------------


def return_status(quarter: Quarter, due: date, received_on: date | None, today: date) -> dict:
    """The status of one return: ``status``, ``working_days_late`` and ``working_days_left``.

    A return received on a day the office is shut counts from the next working day, so a
    late one is always at least one working day late.
    """
    late = left = None
    if received_on is not None:
        if received_on <= due:
            status = ON_TIME
        else:
            status = LATE
            late = working_days_between(due, next_working_day(received_on))
    elif today <= quarter.end:
        status = NOT_YET_DUE
        left = working_days_between(today, due)
    elif today <= due:
        status = DUE
        left = working_days_between(today, due)
    else:
        status = OVERDUE
        late = working_days_between(due, today)
    return {"status": status, "working_days_late": late, "working_days_left": left}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def status_text(row: dict) -> str:
    """The status in words, with its icon: ``▲ Received late (3 working days)``."""
    status = row["status"]
    due = row["due_date"].strftime("%d/%m/%Y")
    if status == ON_TIME:
        detail = f"on {row['received_on']:%d/%m/%Y}"
    elif status == LATE:
        detail = f"{_plural(row['working_days_late'], 'working day')} late, on {row['received_on']:%d/%m/%Y}"
    elif status == OVERDUE:
        detail = f"due {due}, {_plural(row['working_days_late'], 'working day')} ago"
    elif status == DUE:
        left = row["working_days_left"]
        detail = f"due {due}, " + ("today" if left == 0 else f"in {_plural(left, 'working day')}")
    else:
        detail = f"due {due}"
    versions = row.get("versions") or 0
    if versions > 1:
        detail += f"; {versions} versions"
    return f"{STATUS_ICON[status]} {status.capitalize()} ({detail})"


# --- every contract -------------------------------------------------------------------------


def contract_quarters(start: date, end: date, today: date) -> list[Quarter]:
    """The quarters a contract owes a return for, up to the one containing ``today``.

    From the quarter it started in to the one its term ends in: a part quarter at
    either end is reported whole (see ``indicators.engine``), so it is due too.
    """
    first = Quarter.containing(start).index
    last = min(Quarter.containing(end).index, Quarter.containing(today).index)
    return [Quarter.from_index(i) for i in range(first, last + 1)]


def return_statuses(engine: Engine, today: date, contracts: list[str] | None = None) -> pd.DataFrame:
    """Every contract's every quarter from its start to today (or its end), with its return's status.

    ``contracts``: references to limit it to (None: every contract). One row per
    contract and quarter, oldest quarter first; columns ``STATUS_COLUMNS``.
    ``received_on`` is the UK day the first version was uploaded, ``versions`` how
    many versions are held; ``working_days_late`` is how late a late return came, or
    how long an overdue one has been owed; ``working_days_left`` is until the due date.
    """
    query = select(Contract, Provider.name).join(Provider, Contract.provider_id == Provider.id)
    if contracts is not None:
        query = query.where(Contract.reference.in_(list(contracts)))
    with sessions(engine)() as session:
        held = session.execute(query.order_by(Contract.reference)).all()
        ids = [c.id for c, _ in held]
        submissions = session.execute(
            select(Submission.contract_id, Submission.year, Submission.quarter,
                   func.min(Submission.uploaded_at), func.count(Submission.id))
            .where(Submission.contract_id.in_(ids))
            .group_by(Submission.contract_id, Submission.year, Submission.quarter)).all() if ids else []
    # The earliest upload of a quarter is its first version's: versions only ever follow it.
    received = {(c, y, q): (uk_day(first), count) for c, y, q, first, count in submissions}
    rows = []
    for contract, provider in held:
        for quarter in contract_quarters(contract.start_date, contract.end_date, today):
            due = due_date(quarter, contract.return_due_working_days)
            received_on, versions = received.get((contract.id, quarter.year, quarter.quarter), (None, 0))
            row = {"contract": contract.reference, "provider": provider,
                   "provider_id": contract.provider_id, "year": quarter.year,
                   "quarter": quarter.quarter, "period": quarter.label, "quarter_end": quarter.end,
                   "due_date": due, "received_on": received_on, "versions": versions,
                   **return_status(quarter, due, received_on, today)}
            row["status_text"] = status_text(row)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    for column in ("working_days_late", "working_days_left"):
        frame[column] = frame[column].astype("Int64")
    return frame


def latest_status(engine: Engine, today: date, contracts: list[str] | None = None,
                  statuses: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per contract: the return of the latest quarter that has ended, for the portfolio.

    With the number of returns overdue and the next return still owed (the earliest
    due date of a return not yet received), and a ``summary`` in words such as
    ``2016/17 Q4: ◔ Due (due 03/05/2017, in 5 working days)``. Pass ``statuses``
    (from :func:`return_statuses`) to save reading them again. Columns ``LATEST_COLUMNS``.
    """
    if statuses is None:
        statuses = return_statuses(engine, today, contracts)
    rows = []
    for reference, group in statuses.groupby("contract", sort=True):
        ended = group[group["status"] != NOT_YET_DUE]
        latest = (ended if not ended.empty else group).iloc[-1]
        owed = group[group["status"].isin([DUE, OVERDUE, NOT_YET_DUE])]
        next_due = owed.iloc[0] if not owed.empty else None
        overdue = int((group["status"] == OVERDUE).sum())
        summary = f"{latest['period']}: {latest['status_text']}"
        earlier = overdue - (latest["status"] == OVERDUE)
        if earlier:
            summary += f"; {_plural(earlier, 'earlier return')} overdue"
        rows.append({
            "contract": reference, "provider": latest["provider"], "provider_id": latest["provider_id"],
            "period": latest["period"], "due_date": latest["due_date"], "status": latest["status"],
            "working_days_late": latest["working_days_late"],
            "working_days_left": latest["working_days_left"], "overdue_count": overdue,
            "next_due_period": None if next_due is None else next_due["period"],
            "next_due_date": None if next_due is None else next_due["due_date"], "summary": summary})
    return pd.DataFrame(rows, columns=LATEST_COLUMNS)


# --- the calendar as a table -----------------------------------------------------------------

#: Short words for a calendar cell.
STATUS_SHORT = {NOT_YET_DUE: "Not yet due", DUE: "Due", ON_TIME: "On time", LATE: "Late", OVERDUE: "Overdue"}
#: What a cell says for a quarter outside the contract's term.
NOT_IN_TERM = "–"


def cell_text(row: dict) -> str:
    """A calendar cell: the icon and status in a word or two, ``▲ Late, 3 working days``."""
    status = row["status"]
    text = f"{STATUS_ICON[status]} {STATUS_SHORT[status]}"
    if status in (LATE, OVERDUE):
        text += f", {_plural(int(row['working_days_late']), 'working day')}"
    elif status in (DUE, NOT_YET_DUE):
        text += f" {row['due_date']:%d/%m/%Y}"
    if (row.get("versions") or 0) > 1:
        text += f" ({row['versions']} versions)"
    return text


def calendar(statuses: pd.DataFrame, last: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows contracts, columns quarters (the ``last`` few, oldest first): cell text, and each cell's status.

    A quarter outside a contract's term reads ``–`` and has no status (None).
    """
    if statuses.empty:
        empty = pd.DataFrame(index=pd.Index([], name="Contract"))
        return empty, empty
    quarters = sorted({(y, q) for y, q in zip(statuses["year"], statuses["quarter"], strict=True)})
    if last:
        quarters = quarters[-last:]
    labels = [Quarter(y, q).label for y, q in quarters]
    contracts = list(dict.fromkeys(f"{c} · {p}"
                                   for c, p in zip(statuses["contract"], statuses["provider"], strict=True)))
    text = pd.DataFrame(NOT_IN_TERM, index=pd.Index(contracts, name="Contract"), columns=labels)
    status = pd.DataFrame(None, index=text.index, columns=labels, dtype=object)
    wanted = set(labels)
    for row in statuses.to_dict("records"):
        if row["period"] in wanted:
            name = f"{row['contract']} · {row['provider']}"
            text.loc[name, row["period"]] = cell_text(row)
            status.loc[name, row["period"]] = row["status"]
    return text, status
