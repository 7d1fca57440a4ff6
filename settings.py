"""Configuration, read in one place from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: Where the default SQLite database lives.
DATA_DIR = Path(os.environ.get("MONITORING_DATA_DIR", ROOT / "data"))



def database_url() -> str:
    """A SQLAlchemy URL from ``DATABASE_URL``; the default is a SQLite file under ``data/``.

    Read at call time so that a test or a command can point it elsewhere.
    """
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'monitoring.sqlite'}"

#: Largest workbook accepted, in bytes. Real returns are about 30 KB.
UPLOAD_LIMIT_BYTES = int(os.environ.get("MONITORING_UPLOAD_LIMIT_BYTES", 5 * 1024 * 1024))

#: Uncompressed size of a workbook's parts beyond which it is refused unread
#: (a zip bomb), and the most cells one sheet may claim.
UNCOMPRESSED_LIMIT_BYTES = int(os.environ.get("MONITORING_UNCOMPRESSED_LIMIT_BYTES", 50 * 1024 * 1024))
SHEET_CELL_LIMIT = 100_000

#: The sample contract and its workbooks.
SAMPLE_DIR = ROOT / "sample_data"

#: Where the contract types are: one TOML file each (docs/contract-types.md).
CONTRACT_TYPES_DIR = Path(os.environ.get("MONITORING_CONTRACT_TYPES_DIR", ROOT / "contract_types"))

#: The fonts of the meeting pack's PDF: DejaVu Sans (Debian's fonts-dejavu-core) has the RAG
#: and trend symbols; without its files the pack falls back to ReportLab's Vera, without them.
FONT_DIR = Path(os.environ.get("MONITORING_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))

#: The Chromium that the browser tests and the page benchmark drive (the product itself,
#: the meeting pack included, needs no browser).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# --- e-mail alerts (python -m alerts send) ----------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    """How alerts leave: the council's SMTP relay, and the address they come from."""

    host: str
    port: int
    #: Upgrade the connection with STARTTLS before anything else is said.
    starttls: bool
    #: Log in when a user is given (after STARTTLS when that is on).
    user: str
    password: str
    sender: str


def _yes(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


def mail_settings() -> MailSettings:
    """``MONITORING_SMTP_HOST`` (default localhost), ``MONITORING_SMTP_PORT`` (25),
    ``MONITORING_SMTP_STARTTLS`` (off; 1/true/yes/on), ``MONITORING_SMTP_USER`` and
    ``MONITORING_SMTP_PASSWORD`` (no login when the user is empty), ``MONITORING_MAIL_FROM``.

    Read at call time, like :func:`database_url`, so that a test or a run can point it elsewhere.
    """
    return MailSettings(
        host=os.environ.get("MONITORING_SMTP_HOST") or "localhost",
        port=int(os.environ.get("MONITORING_SMTP_PORT") or 25),
        starttls=_yes(os.environ.get("MONITORING_SMTP_STARTTLS")),
        user=os.environ.get("MONITORING_SMTP_USER") or "",
        password=os.environ.get("MONITORING_SMTP_PASSWORD") or "",
        sender=os.environ.get("MONITORING_MAIL_FROM") or "contract-monitoring@localhost")
