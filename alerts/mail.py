"""E-mail: one plain-text digest per person, sent over SMTP (``smtplib``).

The connection is opened on the first message and kept for the rest of the run,
upgraded with STARTTLS and logged in when the settings ask for it
(``settings.mail_settings``).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Self

from settings import MailSettings, mail_settings

#: How long to wait for the mail server before giving up on it, in seconds.
TIMEOUT = 30


class MailServerDown(Exception):
    """The mail server could not be reached or would not take mail at all; nothing more can be sent."""


class Refused(Exception):
    """The mail server would not take this one message (for example, it refused the address)."""


def digest(email: str, alerts: Sequence, sender: str) -> EmailMessage:
    """One person's unsent alerts (each with ``subject`` and ``body``) as one message."""
    message = EmailMessage()
    count = len(alerts)
    message["Subject"] = (f"Contract monitoring: {alerts[0].subject}" if count == 1
                          else f"Contract monitoring: {count} alerts")
    message["From"] = sender
    message["To"] = email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    parts = [f"Contract monitoring has {'an alert' if count == 1 else f'{count} alerts'} for you.", ""]
    for number, alert in enumerate(alerts, 1):
        parts += [f"{number}. {alert.subject}", *(f"   {line}" for line in alert.body.splitlines()), ""]
    parts.append("Each alert is also in your list of notifications in the dashboard, where you can mark "
                 "it read and turn off the kinds you do not want.")
    message.set_content("\n".join(parts))
    return message


class SmtpMailer:
    """Sends messages through the configured SMTP server; use as a context manager."""

    def __init__(self, config: MailSettings | None = None):
        self.config = config or mail_settings()
        self._smtp: smtplib.SMTP | None = None

    @property
    def sender(self) -> str:
        return self.config.sender

    @property
    def where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerDown(f"the mail server {self.where} could not be reached: {_reason(exc)}") from exc
        try:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password)
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            step = "logging in" if isinstance(exc, smtplib.SMTPAuthenticationError) else "starting the session"
            raise MailServerDown(f"the mail server {self.where} failed while {step}: {_reason(exc)}") from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; returns once the server has accepted it."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            raise Refused(f"the mail server {self.where} refused the message to {message['To']}: "
                          f"{_reason(exc)}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailServerDown(f"the mail server {self.where} stopped answering: {_reason(exc)}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for who, (code, text) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the mail server running, and are the host and port right?)"
    return str(exc) or exc.__class__.__name__
