"""Return deadlines in working days, and each return's status, as a contract monitor reads the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.deadlines import (
    DUE,
    LATE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    add_working_days,
    due_date,
    is_working_day,
    latest_status,
    return_statuses,
    working_days_between,
)
from models.periods import Quarter
from models.schema import Contract, Submission

# --- working days around the bank holidays of England and Wales -------------------------------


def test_christmas_boxing_day_and_new_year_are_not_working_days():
    # 2019: Christmas on a Wednesday, Boxing Day Thursday, New Year's Day 2020 a Wednesday.
    assert not is_working_day(date(2019, 12, 25))
    assert not is_working_day(date(2019, 12, 26))
    assert not is_working_day(date(2020, 1, 1))
    assert is_working_day(date(2019, 12, 27))
    # Three working days after Christmas Eve: 27, 30 and 31 December.
    assert add_working_days(date(2019, 12, 24), 3) == date(2019, 12, 31)


def test_a_quarter_ending_on_31_december_is_due_after_new_year():
    # 2019/20 Q3 ends on Tuesday 31/12/2019; 1 January is a holiday, so the 20th working
    # day is Wednesday 29/01/2020, not Tuesday 28/01/2020.
    assert due_date(Quarter(2019, 3)) == date(2020, 1, 29)
    # 2016/17 Q3 ends on a Saturday; Christmas and New Year fall at weekends, so the
    # substitute days (Tuesday 27/12/2016, Monday 02/01/2017) are holidays instead.
    assert not is_working_day(date(2016, 12, 27))
    assert not is_working_day(date(2017, 1, 2))
    assert due_date(Quarter(2016, 3)) == date(2017, 1, 30)


def test_easter_and_the_early_may_holiday_push_the_march_quarter_back():
    # 2016/17 Q4 ends Friday 31/03/2017. Good Friday 14/04, Easter Monday 17/04 and the
    # early May bank holiday 01/05 are skipped: due Wednesday 03/05/2017, not Friday 28/04.
    assert not is_working_day(date(2017, 4, 14))
    assert not is_working_day(date(2017, 4, 17))
    assert due_date(Quarter(2016, 4)) == date(2017, 5, 3)
    assert working_days_between(date(2017, 3, 31), date(2017, 5, 3)) == 20


def test_the_late_may_bank_holiday_including_the_year_it_moved():
    assert not is_working_day(date(2017, 5, 29))
    assert add_working_days(date(2017, 5, 26), 1) == date(2017, 5, 30)
    # 2022: the late May holiday moved to Thursday 2 June, with the Jubilee on Friday 3 June.
    assert is_working_day(date(2022, 5, 30))
    assert add_working_days(date(2022, 6, 1), 1) == date(2022, 6, 6)


def test_a_contract_can_set_its_own_number_of_working_days():
    # Ten working days after Saturday 31/12/2016: 3–6 and 9–13 January, then Monday 16.
    assert due_date(Quarter(2016, 3), 10) == date(2017, 1, 16)
    assert due_date(Quarter(2016, 3), 0) == date(2016, 12, 31)


# --- each return's status on the sample contract ------------------------------------------------


ASC0013 = "ASC0013"


def _asc0013(session) -> Contract:
    return session.scalar(select(Contract).where(Contract.reference == ASC0013))


def _received(engine, quarter: Quarter, when: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(Submission).where(Submission.contract_id == _asc0013(session).id,
                                                 Submission.year == quarter.year,
                                                 Submission.quarter == quarter.quarter)
                        .values(uploaded_at=when))


def _statuses(engine, today: date):
    return return_statuses(engine, today, contracts=[ASC0013])


def _row(frame, period: str) -> dict:
    rows = frame[frame["period"] == period].to_dict("records")
    assert len(rows) == 1, f"{period}: {len(rows)} rows"
    return rows[0]


def test_received_on_time_late_and_the_first_version_decides(sample_copy):
    _received(sample_copy, Quarter(2016, 3), datetime(2017, 1, 19, 10, 0, tzinfo=UTC))
    _received(sample_copy, Quarter(2016, 2), datetime(2016, 11, 1, 9, 0, tzinfo=UTC))
    # A second version of 2016/17 Q3 sent in March corrects it; the return still came on time.
    with Session(sample_copy) as session, session.begin():
        first = session.scalar(select(Submission).where(Submission.contract_id == _asc0013(session).id,
                                                        Submission.year == 2016, Submission.quarter == 3))
        first.is_current = False
        session.add(Submission(contract_id=first.contract_id, year=2016, quarter=3, version=2,
                               is_current=True, uploaded_at=datetime(2017, 3, 1, tzinfo=UTC),
                               file_name="q3-corrected.xlsx", sha256="0" * 64, original=b""))
    frame = _statuses(sample_copy, date(2017, 4, 25))
    q3 = _row(frame, "2016/17 Q3")
    assert (q3["status"], q3["received_on"], q3["versions"]) == (ON_TIME, date(2017, 1, 19), 2)
    assert q3["status_text"].startswith("✔ Received on time (on 19/01/2017")
    assert "2 versions" in q3["status_text"]
    q2 = _row(frame, "2016/17 Q2")   # due Friday 28/10/2016; came Tuesday 01/11/2016
    assert (q2["status"], q2["due_date"], q2["working_days_late"]) == (LATE, date(2016, 10, 28), 2)
    assert "2 working days late" in q2["status_text"]


def test_a_return_uploaded_just_after_midnight_uk_time_is_a_day_later(sample_copy):
    # 23:30 UTC on the due date is 00:30 on Saturday in British Summer Time: late, and
    # counted from the next working day, Monday, so one working day late.
    _received(sample_copy, Quarter(2016, 2), datetime(2016, 10, 28, 23, 30, tzinfo=UTC))
    q2 = _row(_statuses(sample_copy, date(2017, 4, 25)), "2016/17 Q2")
    assert (q2["received_on"], q2["status"], q2["working_days_late"]) == (date(2016, 10, 29), LATE, 1)


def test_a_missing_return_is_due_then_overdue(sample_copy):
    # 2016/17 Q4 is not in the sample's stored returns; it is due on Wednesday 03/05/2017.
    not_ended = _row(_statuses(sample_copy, date(2017, 3, 15)), "2016/17 Q4")
    assert not_ended["status"] == NOT_YET_DUE
    due = _row(_statuses(sample_copy, date(2017, 4, 25)), "2016/17 Q4")
    assert (due["status"], due["working_days_left"]) == (DUE, 5)
    assert due["status_text"] == "◔ Due (due 03/05/2017, in 5 working days)"
    assert _row(_statuses(sample_copy, date(2017, 5, 3)), "2016/17 Q4")["status_text"] == \
        "◔ Due (due 03/05/2017, today)"
    overdue = _row(_statuses(sample_copy, date(2017, 5, 8)), "2016/17 Q4")
    assert (overdue["status"], overdue["working_days_late"]) == (OVERDUE, 3)
    assert overdue["status_text"] == "✖ Overdue (due 03/05/2017, 3 working days ago)"


def test_quarters_outside_the_term_are_never_due(sample_copy):
    # The contract started on 01/09/2014 (in 2014/15 Q2) and its extended term ends 31/08/2019.
    frame = _statuses(sample_copy, date(2021, 6, 1))
    assert frame["period"].iloc[0] == "2014/15 Q2"
    assert frame["period"].iloc[-1] == "2019/20 Q2"
    assert "2014/15 Q1" not in set(frame["period"])
    # Ended early in February 2017: 2016/17 Q4 (its last, part quarter) is still due, nothing after.
    with Session(sample_copy) as session, session.begin():
        _asc0013(session).ended_on = date(2017, 2, 10)
    frame = _statuses(sample_copy, date(2021, 6, 1))
    assert frame["period"].iloc[-1] == "2016/17 Q4"
    assert _row(frame, "2016/17 Q4")["status"] == OVERDUE


def test_the_contracts_own_rule_sets_the_due_date(sample_copy):
    with Session(sample_copy) as session, session.begin():
        _asc0013(session).return_due_working_days = 10
    q3 = _row(_statuses(sample_copy, date(2017, 1, 10)), "2016/17 Q3")
    assert q3["due_date"] == date(2017, 1, 16)


def test_the_calendar_can_be_limited_to_some_contracts(sample_engine):
    assert return_statuses(sample_engine, date(2017, 4, 25), contracts=["NO-SUCH"]).empty
    assert set(return_statuses(sample_engine, date(2017, 4, 25), contracts=["ASC0013"])["contract"]) == {
        "ASC0013"}


@pytest.mark.parametrize(("today", "period", "status"), [
    (date(2017, 3, 15), "2016/17 Q3", ON_TIME),   # Q4 has not ended: Q3 is the latest due
    (date(2017, 4, 25), "2016/17 Q4", DUE),
])
def test_latest_status_is_the_last_quarter_that_has_ended(sample_copy, today, period, status):
    _received(sample_copy, Quarter(2016, 3), datetime(2017, 1, 19, 10, 0, tzinfo=UTC))
    latest = latest_status(sample_copy, today, contracts=[ASC0013])
    assert len(latest) == 1
    row = latest.iloc[0]
    assert (row["contract"], row["period"], row["status"]) == (ASC0013, period, status)
    assert row["summary"].startswith(f"{period}: ")


def test_latest_status_counts_the_returns_overdue(sample_engine):
    # By mid-2021 every quarter from 2016/17 Q4 to the end of the term (2019/20 Q2) is owed.
    row = latest_status(sample_engine, date(2021, 6, 1), contracts=[ASC0013]).iloc[0]
    assert (row["period"], row["status"], row["overdue_count"]) == ("2019/20 Q2", OVERDUE, 11)
    assert (row["next_due_period"], row["next_due_date"]) == ("2016/17 Q4", date(2017, 5, 3))
    assert row["summary"].endswith("; 10 earlier returns overdue")
