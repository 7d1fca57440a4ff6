"""A person's notifications: every alert raised for them, marked read by them, kinds turned off by them;
and the administrator's record of what was sent to whom and when."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from alerts import outbox
from alerts.rules import ACTION_OVERDUE, KINDS, PROVIDER_KINDS, RETURN_DUE_SOON, raise_alerts
from models.schema import Action, Contract, Provider, User
from records import notifications
from users.access import Actor, NotAllowed, Role

OFFICER = "officer@council.example"
STAFF = "staff@mkact.example"
TODAY = date(2017, 4, 25)


@pytest.fixture
def recorded(sample_copy):
    """The sample with an officer, MK ACT's staff and an overdue action; the alerts of 25/04/2017 recorded."""
    with Session(sample_copy) as session, session.begin():
        asc0013 = session.scalar(select(Contract).where(Contract.reference == "ASC0013"))
        mk_act = session.scalar(select(Provider).where(Provider.name == "MK ACT"))
        session.add_all([User(email=OFFICER, role="officer", all_contracts=True),
                         User(email=STAFF, role="provider", provider_id=mk_act.id, all_contracts=False),
                         Action(contract_id=asc0013.id, text="Send the refuge occupancy plan",
                                due_date=date(2017, 4, 1), status="open")])
    outbox.record(sample_copy, raise_alerts(sample_copy, TODAY))
    return sample_copy


def test_every_alert_is_in_the_persons_list_before_and_after_it_is_sent(recorded):
    mine = notifications.notifications(recorded, OFFICER.upper())   # addresses match whatever the case
    assert set(mine["subject"]) == {
        "ASC0013: the 2016/17 Q4 return is due on 03/05/2017",
        "ASC0042: the 2016/17 Q4 return is due on 03/05/2017",
        "ASC0013: an action was due on 01/04/2017",
        "ASC0042 ends on 30/09/2017, in 158 days"}
    assert mine["sent_at"].isna().all(), "not sent yet, already listed"
    assert set(mine["what"]) <= set(KINDS.values())
    theirs = notifications.notifications(recorded, STAFF)
    assert list(theirs["subject"]) == ["ASC0013: the 2016/17 Q4 return is due on 03/05/2017"]
    assert list(theirs["contract"]) == ["ASC0013"]
    assert notifications.notifications(recorded, "nobody@council.example").empty


def test_a_person_marks_their_own_alerts_read_and_no_one_elses(recorded):
    mine = notifications.notifications(recorded, OFFICER)
    theirs = notifications.notifications(recorded, STAFF)
    assert notifications.unread_count(recorded, OFFICER) == 4
    # One of mine and one of someone else's: only mine is marked.
    assert notifications.mark_read(recorded, OFFICER, [int(mine["id"][0]), int(theirs["id"][0])]) == 1
    assert notifications.unread_count(recorded, OFFICER) == 3
    assert notifications.unread_count(recorded, STAFF) == 1
    assert len(notifications.notifications(recorded, OFFICER, unread_only=True)) == 3
    assert notifications.mark_read(recorded, OFFICER) == 3
    assert notifications.unread_count(recorded, OFFICER) == 0
    assert notifications.notifications(recorded, OFFICER)["read_at"].notna().all()


def test_a_kind_turned_off_is_not_raised_for_that_person_only(sample_copy):
    with Session(sample_copy) as session, session.begin():
        session.add_all([User(email=OFFICER, role="officer", all_contracts=True),
                         User(email="other@council.example", role="officer", all_contracts=True)])
    assert notifications.preferences(sample_copy, OFFICER) == {kind: True for kind in KINDS}
    notifications.set_preference(sample_copy, OFFICER, RETURN_DUE_SOON, False)
    assert notifications.preferences(sample_copy, OFFICER)[RETURN_DUE_SOON] is False
    raised = raise_alerts(sample_copy, TODAY)
    kinds = {(email, o.kind) for o, email in raised.alerts}
    assert (OFFICER, RETURN_DUE_SOON) not in kinds
    assert ("other@council.example", RETURN_DUE_SOON) in kinds
    # Turned on again, it is raised again.
    notifications.set_preference(sample_copy, OFFICER, RETURN_DUE_SOON, True)
    assert (OFFICER, RETURN_DUE_SOON) in {(email, o.kind) for o, email in raise_alerts(sample_copy, TODAY).alerts}
    with pytest.raises(notifications.UnknownKind, match="is not a kind of alert"):
        notifications.set_preference(sample_copy, OFFICER, "everything", False)


def test_an_admin_sees_what_was_sent_to_whom_and_when(recorded):
    admin = Actor(email="admin@council.example", role=Role.ADMIN)
    log = notifications.sent_log(recorded, admin)
    assert set(log["email"]) == {OFFICER, STAFF}
    assert len(log) == 5 and log["sent_at"].isna().all()

    class Accepts:
        sender = "monitoring@council.example"

        def send(self, message):
            pass

    outbox.send(recorded, Accepts())
    log = notifications.sent_log(recorded, admin)
    assert log["sent_at"].notna().all()
    assert set(notifications.sent_log(recorded, admin, STAFF)["kind"]) == {RETURN_DUE_SOON}
    assert ACTION_OVERDUE in set(log["kind"])


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VIEWER, Role.PROVIDER])
def test_only_an_admin_sees_other_peoples_alerts(recorded, role):
    with pytest.raises(NotAllowed):
        notifications.sent_log(recorded, Actor(email=OFFICER, role=role))


# --- the Notifications page, signed in (Streamlit's AppTest) --------------------------------------

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "notifications.py")


def _signed_in(engine, monkeypatch, email: str) -> AppTest:
    """The Notifications page with sign-in configured and ``email`` signed in."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "test"}
    at.user["email"] = email
    at.user["is_logged_in"] = True
    return at.run()


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_an_officer_reads_marks_and_chooses_their_alerts_on_the_page(recorded, monkeypatch):
    at = _signed_in(recorded, monkeypatch, OFFICER)
    _no_exception(at)
    assert [s.value for s in at.subheader] == ["Unread (4)", "What I get"], "no list of everyone's alerts"
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**ASC0013: an action was due on 01/04/2017**" in shown
    at.button(key="notifications:read-" + str(_id_of(recorded, OFFICER, "an action"))).click().run()
    _no_exception(at)
    assert at.subheader[0].value == "Unread (3)"
    assert notifications.unread_count(recorded, OFFICER) == 3
    assert len(at.toggle) == len(KINDS)
    at.toggle(key=f"notifications:kind-{ACTION_OVERDUE}").set_value(False).run()
    _no_exception(at)
    assert notifications.preferences(recorded, OFFICER)[ACTION_OVERDUE] is False
    at.button(key="notifications:all-read").click().run()
    assert at.subheader[0].value == "Unread (0)"
    assert notifications.unread_count(recorded, OFFICER) == 0


def test_provider_staff_choose_only_their_reminders(recorded, monkeypatch):
    at = _signed_in(recorded, monkeypatch, STAFF)
    _no_exception(at)
    assert at.subheader[0].value == "Unread (1)"
    assert [t.label for t in at.toggle] == [KINDS[k] for k in KINDS if k in PROVIDER_KINDS]


def test_an_admin_sees_every_alert_and_whether_it_went(recorded, monkeypatch):
    with Session(recorded) as session, session.begin():
        session.add(User(email="admin@council.example", role="admin"))
    at = _signed_in(recorded, monkeypatch, "admin@council.example")
    _no_exception(at)
    assert "Alerts sent" in [s.value for s in at.subheader]
    assert any("5 alerts not sent yet" in w.value for w in at.warning)
    table = at.dataframe[-1].value
    assert set(table["To"]) == {OFFICER, STAFF} and (table["Sent"] == "not yet").all()


def _id_of(engine, email: str, words: str) -> int:
    mine = notifications.notifications(engine, email)
    return int(mine.loc[mine["subject"].str.contains(words), "id"].iloc[0])
