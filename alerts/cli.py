"""The command line: ``python -m alerts send [--dry-run] [--today YYYY-MM-DD]``, run by the council's scheduler.

``send`` works out what is due today, records each alert (the outbox), sends each
person's unsent alerts as one e-mail digest, and marks them sent. ``--dry-run``
prints the digests it would send and changes nothing. ``--today`` runs it as on
another day (to try it on old data, or to catch up).

Exit status: 0 when every digest went; 1 when the mail server could not be
reached or refused a message (the alerts stay pending for the next run), when
the database could not be used, or when some alert could not be worked out;
2 on a usage error (or a mail port that is not a number).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

import settings
from alerts import outbox
from alerts.mail import MailServerDown, SmtpMailer, digest
from alerts.rules import raise_alerts
from models.database import make_engine, migrate, unusable


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {'people' if word == 'person' else word + 's'}"


def _engine():
    engine = make_engine(settings.database_url())
    migrate(engine)     # so that a fresh machine works
    return engine


def cmd_send(args) -> int:
    today = args.today or date.today()
    try:
        config = settings.mail_settings()
    except ValueError:
        print("MONITORING_SMTP_PORT must be a port number, such as 25 or 587.", file=sys.stderr)
        return 2
    engine = _engine()
    try:
        raised = raise_alerts(engine, today)
        for problem in raised.problems:
            print(f"problem: {problem}", file=sys.stderr)
        if args.dry_run:
            return _dry_run(engine, raised, today, config)
        return _send(engine, raised, today, config) or (1 if raised.problems else 0)
    finally:
        engine.dispose()


def _dry_run(engine, raised, today: date, config: settings.MailSettings) -> int:
    would = outbox.preview(engine, raised)
    sender = config.sender
    print(f"Dry run for {today:%d/%m/%Y}: nothing recorded or sent. "
          f"{_plural(sum(map(len, would.values())), 'alert')} would go to {_plural(len(would), 'person')}.")
    for email, alerts in would.items():
        message = digest(email, alerts, sender)
        print(f"\n--- to {email}: {message['Subject']}")
        print(message.get_content().rstrip())
    return 1 if raised.problems else 0


def _send(engine, raised, today: date, config: settings.MailSettings) -> int:
    recorded = outbox.record(engine, raised)
    print(f"{today:%d/%m/%Y}: {_plural(recorded, 'new alert')} recorded.")
    waiting = outbox.pending(engine)
    if not waiting:
        print("Nothing to send.")
        return 0
    with SmtpMailer(config) as mailer:
        try:
            result = outbox.send(engine, mailer)
        except MailServerDown as exc:
            left = outbox.pending(engine)
            print(f"Could not send e-mail: {exc}. {_plural(sum(map(len, left.values())), 'alert')} for "
                  f"{_plural(len(left), 'person')} stay pending and will be sent by the next run "
                  "(check MONITORING_SMTP_HOST and MONITORING_SMTP_PORT).", file=sys.stderr)
            return 1
    for email, count in result.sent.items():
        print(f"sent {_plural(count, 'alert')} to {email}")
    for refusal in result.refused:
        print(f"Not sent: {refusal}. Those alerts stay pending for the next run.", file=sys.stderr)
    return 1 if result.refused else 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2017-04-25") from None


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m alerts",
        description="Return reminders and alerts by e-mail. The database is DATABASE_URL; the mail "
                    "server MONITORING_SMTP_HOST and MONITORING_SMTP_PORT.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    send = commands.add_parser("send", help="record what is due and send each person one digest")
    send.add_argument("--dry-run", action="store_true",
                      help="print what would be sent; record and send nothing")
    send.add_argument("--today", type=_day, metavar="YYYY-MM-DD",
                      help="work out what is due as on this day (default: today)")
    send.set_defaults(run=cmd_send)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except SQLAlchemyError as exc:
        print(unusable(exc), file=sys.stderr)
        return 1
