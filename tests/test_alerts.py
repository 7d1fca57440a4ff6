"""Alerts by e-mail: the right digests to the right people, once, whatever happens to the run.

A real SMTP server (aiosmtpd) listens on 127.0.0.1 on a free port for each test;
``python -m alerts send`` runs over a copy of the sample (ASC0013 of MK ACT and
ASC0042 of Compass Recovery, both with returns up to 2016/17 Q3) with people of
every role added, as on Tuesday 25 April 2017: both 2016/17 Q4 returns are due on
Wednesday 3 May, in 5 working days, and ASC0042's term ends on 30 September 2017.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import outbox
from alerts.cli import main
from alerts.mail import SmtpMailer
from alerts.rules import (
    ACTION_OVERDUE,
    CONTRACT_ENDING,
    RED_INDICATOR,
    RETURN_DUE_SOON,
    RETURN_OVERDUE,
    raise_alerts,
    recipients_for,
)
from models.schema import (
    Action,
    Alert,
    AlertPreference,
    Contract,
    OfficerAssignment,
    Provider,
    Target,
    User,
)

from .browser import free_port

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2017-04-25"

OFFICER = "officer@council.example"          # covers every contract
ASSIGNED = "asc13.officer@council.example"   # assigned ASC0013 only
QUIET = "quiet.officer@council.example"      # every contract, but turned actions and endings off
MKACT = "staff@mkact.example"                # MK ACT's staff: ASC0013's provider
COMPASS = "staff@compass.example"            # Compass Recovery's staff: ASC0042's provider
ADMIN = "admin@council.example"
VIEWER = "viewer@council.example"

DUE_13 = "ASC0013: the 2016/17 Q4 return is due on 03/05/2017"
DUE_42 = "ASC0042: the 2016/17 Q4 return is due on 03/05/2017"
ACTION_13 = "ASC0013: an action was due on 01/04/2017"
ENDING_42 = "ASC0042 ends on 30/09/2017, in 158 days"

#: Who should hear what on 25/04/2017, and nobody else.
EXPECTED = {
    OFFICER: {DUE_13, DUE_42, ACTION_13, ENDING_42},
    ASSIGNED: {DUE_13, ACTION_13},
    QUIET: {DUE_13, DUE_42},
    MKACT: {DUE_13},
    COMPASS: {DUE_42},
}


# --- a mail server on 127.0.0.1 -----------------------------------------------------------------


class Mailbox:
    """Collects what the server accepted: one (envelope recipients, message) per message."""

    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"monitoring", b"s3cret")
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)   # not handled: the server answers 535 itself

    def by_person(self) -> dict[str, set[str]]:
        """Each recipient's alert subjects, from the numbered lines of their digests."""
        found: dict[str, set[str]] = {}
        for recipients, message in self.messages:
            assert recipients == [message["To"]], "each digest goes to one person only"
            lines = message.get_content().splitlines()
            subjects = {line.split(". ", 1)[1] for line in lines if line[:1].isdigit() and ". " in line}
            found.setdefault(message["To"], set()).update(subjects)
        return found

    def digests_to(self, email: str) -> int:
        return sum(message["To"] == email for _, message in self.messages)


def _serve(monkeypatch, **server_options):
    mailbox = Mailbox()
    port = free_port()
    if "authenticator" in server_options:
        server_options["authenticator"] = mailbox.authenticate
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="localhost",
                            **server_options)
    controller.start()
    monkeypatch.setenv("MONITORING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONITORING_SMTP_PORT", str(port))
    monkeypatch.setenv("MONITORING_MAIL_FROM", "monitoring@council.example")
    for name in ("MONITORING_SMTP_USER", "MONITORING_SMTP_PASSWORD", "MONITORING_SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)
    return mailbox, controller


@pytest.fixture
def mail_server(monkeypatch):
    mailbox, controller = _serve(monkeypatch)
    yield mailbox
    controller.stop()


# --- the sample, with people -------------------------------------------------------------------


@pytest.fixture
def database(sample_copy, monkeypatch):
    """A copy of the sample with people of every role, an overdue action, and DATABASE_URL pointing at it."""
    with Session(sample_copy) as session, session.begin():
        providers = {p.name: p for p in session.scalars(select(Provider))}
        contracts = {c.reference: c for c in session.scalars(select(Contract))}
        assert set(contracts) == {"ASC0013", "ASC0042"}, "the sample's contracts have changed"
        session.add_all([
            User(email=OFFICER, role="officer", all_contracts=True),
            User(email=QUIET, role="officer", all_contracts=True),
            User(email=MKACT, role="provider", provider_id=providers["MK ACT"].id, all_contracts=False),
            User(email=COMPASS, role="provider", provider_id=contracts["ASC0042"].provider_id,
                 all_contracts=False),
            User(email=ADMIN, role="admin"), User(email=VIEWER, role="viewer"),
            AlertPreference(email=QUIET, kind=ACTION_OVERDUE, enabled=False),
            AlertPreference(email=QUIET, kind=CONTRACT_ENDING, enabled=False),
            # Overdue; done (so not overdue); due later: only the first is told.
            Action(contract_id=contracts["ASC0013"].id, text="Send the refuge occupancy plan", owner="MK ACT",
                   due_date=date(2017, 4, 1), status="open"),
            Action(contract_id=contracts["ASC0013"].id, text="Agree the new referral form",
                   due_date=date(2017, 3, 1), status="done"),
            Action(contract_id=contracts["ASC0042"].id, text="Review the naloxone figures",
                   due_date=date(2017, 6, 1), status="open"),
        ])
        assigned = User(email=ASSIGNED, role="officer", all_contracts=False)
        session.add(assigned)
        session.flush()
        session.add(OfficerAssignment(user_id=assigned.id, contract_id=contracts["ASC0013"].id))
    monkeypatch.setenv("DATABASE_URL", sample_copy.url.render_as_string(hide_password=False))
    return sample_copy


def _alerts(engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def _send(*extra: str, today: str = TODAY) -> int:
    return main(["send", "--today", today, *extra])


# --- who hears what ------------------------------------------------------------------------------


def test_each_person_gets_one_digest_of_what_their_role_covers(database, mail_server, capsys):
    assert _send() == 0
    assert mail_server.by_person() == EXPECTED
    assert all(mail_server.digests_to(email) == 1 for email in EXPECTED)
    assert {ADMIN, VIEWER}.isdisjoint(mail_server.by_person())
    subjects = {message["To"]: message["Subject"].strip() for _, message in mail_server.messages}
    assert subjects[OFFICER] == "Contract monitoring: 4 alerts"
    assert subjects[MKACT] == f"Contract monitoring: {DUE_13}"
    officer_text = next(m.get_content() for _, m in mail_server.messages if m["To"] == OFFICER)
    assert "due on Wednesday 03/05/2017, in 5 working days" in officer_text
    assert '"Send the refuge occupancy plan" was due on Saturday 01/04/2017, 24 days ago' in officer_text
    assert all(m["From"] == "monitoring@council.example" for _, m in mail_server.messages)
    out = capsys.readouterr().out
    assert "10 new alerts recorded" in out
    assert f"sent 4 alerts to {OFFICER}" in out
    # Recorded and marked sent: the outbox is empty.
    assert all(a.sent_at is not None for a in _alerts(database))


def test_a_second_run_sends_nothing(database, mail_server, capsys):
    assert _send() == 0
    capsys.readouterr()
    count = len(mail_server.messages)
    assert _send() == 0
    assert len(mail_server.messages) == count
    assert "0 new alerts recorded" in capsys.readouterr().out
    assert len(_alerts(database)) == 10


def test_an_overdue_return_is_told_again_each_week_until_it_comes(database, mail_server):
    # Both Q4 returns were due Wednesday 03/05/2017. Monday 8 May is in ISO week 19.
    assert _send(today="2017-05-08") == 0
    first = mail_server.by_person()
    overdue = {"ASC0013: the 2016/17 Q4 return is overdue", "ASC0042: the 2016/17 Q4 return is overdue"}
    assert overdue <= first[OFFICER]
    assert first[MKACT] == {"ASC0013: the 2016/17 Q4 return is overdue"}
    assert first[COMPASS] == {"ASC0042: the 2016/17 Q4 return is overdue"}
    mail_server.messages.clear()
    assert _send(today="2017-05-12") == 0           # same week: nothing new
    assert mail_server.messages == []
    assert _send(today="2017-05-15") == 0           # the next week: told again
    again = mail_server.by_person()
    assert again == {OFFICER: overdue, ASSIGNED: {"ASC0013: the 2016/17 Q4 return is overdue"},
                     QUIET: overdue, MKACT: {"ASC0013: the 2016/17 Q4 return is overdue"},
                     COMPASS: {"ASC0042: the 2016/17 Q4 return is overdue"}}


def test_a_red_indicator_in_the_newest_return_names_the_indicator_value_and_target(database):
    # Raise the target so that 2016/17 Q3's safety planning (two thirds) misses it by more than the tolerance.
    with Session(database) as session, session.begin():
        contract = session.scalar(select(Contract).where(Contract.reference == "ASC0013"))
        session.add(Target(contract_id=contract.id, indicator="OS-SAFE48", value=0.95, tolerance=0.05,
                           direction="higher", effective_year=2016, effective_quarter=3))
    raised = raise_alerts(database, date(2017, 4, 25))
    red = [(o, email) for o, email in raised.alerts if o.kind == RED_INDICATOR]
    assert {email for _, email in red} == {OFFICER, ASSIGNED, QUIET}, "officers only, not the provider"
    occasion = red[0][0]
    assert occasion.subject == "ASC0013 2016/17 Q3: 1 indicator red"
    assert ("One Stop: New referrals with support and safety planning within 48 hours: 67% against a "
            "target of 95%") in occasion.body
    assert outbox.record(database, raised) == 13
    # Once per stored return: a later run finds the same submission and records nothing new.
    assert outbox.record(database, raise_alerts(database, date(2017, 4, 26))) == 0


def test_recipients_follow_roles(database):
    with Session(database) as session:
        contracts = {c.reference: c for c in session.scalars(select(Contract))}
        assert recipients_for(session, contracts["ASC0013"], RETURN_DUE_SOON) == sorted(
            [ASSIGNED, OFFICER, QUIET, MKACT])
        assert recipients_for(session, contracts["ASC0042"], RETURN_OVERDUE) == sorted(
            [COMPASS, OFFICER, QUIET])
        assert recipients_for(session, contracts["ASC0013"], ACTION_OVERDUE) == sorted(
            [ASSIGNED, OFFICER, QUIET])


# --- safe to repeat, to kill, and with the mail server down --------------------------------------


def test_killed_after_recording_and_before_sending_the_next_run_sends_each_once(database, mail_server,
                                                                               capsys):
    # The first run got as far as committing its outbox, then died.
    assert outbox.record(database, raise_alerts(database, date(2017, 4, 25))) == 10
    assert mail_server.messages == []
    assert _send() == 0
    assert "0 new alerts recorded" in capsys.readouterr().out
    assert mail_server.by_person() == EXPECTED
    assert all(mail_server.digests_to(email) == 1 for email in EXPECTED)
    assert _send() == 0
    assert all(mail_server.digests_to(email) == 1 for email in EXPECTED)


class _DiesOnSecondMessage(SmtpMailer):
    """Sends the first digest, then the process is killed (KeyboardInterrupt, as Ctrl-C or SIGINT)."""

    def send(self, message):
        if getattr(self, "_sent", 0) == 1:
            raise KeyboardInterrupt
        super().send(message)
        self._sent = getattr(self, "_sent", 0) + 1


def test_killed_part_way_through_sending_the_next_run_sends_the_rest_once(database, mail_server):
    outbox.record(database, raise_alerts(database, date(2017, 4, 25)))
    with pytest.raises(KeyboardInterrupt), _DiesOnSecondMessage() as mailer:
        outbox.send(database, mailer)
    assert len(mail_server.messages) == 1
    first = mail_server.messages[0][1]["To"]
    assert _send() == 0
    assert mail_server.by_person() == EXPECTED
    assert all(mail_server.digests_to(email) == 1 for email in EXPECTED), f"{first} told twice?"


def test_a_refused_connection_keeps_the_alerts_and_fails(database, monkeypatch, capsys):
    monkeypatch.setenv("MONITORING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONITORING_SMTP_PORT", str(free_port()))    # nothing listens there
    assert _send() == 1
    err = capsys.readouterr().err
    assert "Could not send e-mail" in err and "connection refused" in err
    assert "10 alerts for 5 people stay pending" in err
    alerts = _alerts(database)
    assert len(alerts) == 10 and all(a.sent_at is None for a in alerts)
    # The server is back: the next run sends each once.
    mailbox, controller = _serve(monkeypatch)
    try:
        assert _send() == 0
        assert mailbox.by_person() == EXPECTED
        assert all(mailbox.digests_to(email) == 1 for email in EXPECTED)
    finally:
        controller.stop()


def test_it_logs_in_when_a_user_is_set(database, monkeypatch, capsys):
    mailbox, controller = _serve(monkeypatch, authenticator=True, auth_require_tls=False)
    try:
        monkeypatch.setenv("MONITORING_SMTP_USER", "monitoring")
        monkeypatch.setenv("MONITORING_SMTP_PASSWORD", "wrong")
        assert _send() == 1
        assert "failed while logging in" in capsys.readouterr().err
        assert mailbox.messages == [] and all(a.sent_at is None for a in _alerts(database))
        monkeypatch.setenv("MONITORING_SMTP_PASSWORD", "s3cret")
        assert _send() == 0
        assert mailbox.logins == ["monitoring"]
        assert mailbox.by_person() == EXPECTED
    finally:
        controller.stop()


def test_a_dry_run_prints_the_digests_and_changes_nothing(database, mail_server, capsys):
    assert _send("--dry-run") == 0
    out = capsys.readouterr().out
    assert "Dry run for 25/04/2017: nothing recorded or sent. 10 alerts would go to 5 people." in out
    assert f"--- to {OFFICER}: Contract monitoring: 4 alerts" in out
    assert DUE_13 in out and ENDING_42 in out
    assert ADMIN not in out and VIEWER not in out
    assert mail_server.messages == []
    with Session(database) as session:
        assert session.scalar(select(func.count(Alert.id))) == 0


def test_the_command_in_a_subprocess(database, mail_server):
    env = {**os.environ}
    done = subprocess.run([sys.executable, "-m", "alerts", "send", "--today", TODAY], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"sent 4 alerts to {OFFICER}" in done.stdout
    assert mail_server.by_person() == EXPECTED
    again = subprocess.run([sys.executable, "-m", "alerts", "send", "--today", TODAY], cwd=ROOT, env=env, check=False,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "Nothing to send." in again.stdout
    assert len(mail_server.messages) == len(EXPECTED)


def test_a_bad_date_or_port_is_a_usage_error(database, monkeypatch, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["send", "--today", "25/04/2017"])
    assert stopped.value.code == 2
    assert "is not a date like 2017-04-25" in capsys.readouterr().err
    monkeypatch.setenv("MONITORING_SMTP_PORT", "smtp")
    assert _send() == 2
    assert "MONITORING_SMTP_PORT must be a port number" in capsys.readouterr().err


def test_sent_at_is_when_the_server_took_it(database, mail_server):
    before = datetime.now(UTC)
    assert _send() == 0
    for alert in _alerts(database):
        sent = alert.sent_at if alert.sent_at.tzinfo else alert.sent_at.replace(tzinfo=UTC)
        assert sent >= before


def test_a_contract_whose_type_cannot_be_read_is_named_and_the_rest_still_go(database, mail_server, capsys):
    with Session(database) as session, session.begin():
        session.scalar(select(Contract).where(Contract.reference == "ASC0042")).contract_type = "no-such-type"
    assert _send() == 1
    err = capsys.readouterr().err
    assert "problem: ASC0042: its indicators could not be worked out, so red indicators were not checked" in err
    assert mail_server.by_person() == EXPECTED


class _Accepts:
    """A mail server that takes everything, for runs that check the outbox rather than SMTP."""

    sender = "monitoring@council.example"

    def __init__(self):
        self.to = []

    def send(self, message):
        self.to.append(message["To"])


def test_the_outbox_on_sqlite_and_postgresql(engine):
    from sample_data.load import load_sample

    load_sample(engine)
    with Session(engine) as session, session.begin():
        mk_act = session.scalar(select(Provider).where(Provider.name == "MK ACT"))
        session.add_all([User(email=OFFICER, role="officer", all_contracts=True),
                         User(email=MKACT, role="provider", provider_id=mk_act.id, all_contracts=False)])
    raised = raise_alerts(engine, date(2017, 4, 25))
    assert outbox.record(engine, raised) == 4      # 2 due soon and 1 ending to the officer; 1 to MK ACT
    assert outbox.record(engine, raise_alerts(engine, date(2017, 4, 25))) == 0
    mailer = _Accepts()
    assert outbox.send(engine, mailer).sent == {OFFICER: 3, MKACT: 1}
    assert sorted(mailer.to) == sorted([OFFICER, MKACT])
    assert outbox.pending(engine) == {}
    assert outbox.send(engine, mailer).sent == {}
