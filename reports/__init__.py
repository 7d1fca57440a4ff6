"""The quarterly meeting pack: a PDF to hand round and an Excel workbook, from the dashboard's numbers.

    from reports import build_pack
    pack = build_pack(engine, "ASC0013", Quarter(2016, 3), actor=actor)   # small numbers suppressed
    Path("pack.pdf").write_bytes(pack.pdf); Path("pack.xlsx").write_bytes(pack.xlsx)

Command line: ``python -m reports pack --contract ASC0013 --year 2016/17 --quarter 3 --out DIR``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from models.periods import Quarter
from users.access import Actor


def pack_file_stem(contract: str, quarter: Quarter, suppressed: bool = True) -> str:
    """``ASC0013 2016-17 Q3 meeting pack`` (no slash: it names files); the council's copy says so."""
    stem = f"{contract} {quarter.fiscal_year.replace('/', '-')} Q{quarter.quarter} meeting pack"
    return stem if suppressed else f"{stem} (council only)"


@dataclass
class Pack:
    pdf: bytes
    xlsx: bytes
    #: ``ASC0013 2016-17 Q3 meeting pack``: a file name without its extension.
    name: str
    suppressed: bool
    #: Seconds spent in each step: content, xlsx, pdf (with its charts), total.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pdf_name(self) -> str:
        return f"{self.name}.pdf"

    @property
    def xlsx_name(self) -> str:
        return f"{self.name}.xlsx"


def build_pack(engine: Engine, contract: str, quarter: Quarter, suppress: bool = True, *,
               actor: Actor, meeting_date: date | None = None, today: date | None = None,
               charts: bool = True) -> Pack:
    """Make the pack for one contract's quarter.

    ``suppress`` (on by default, for packs shared outside the council): counts of 1 to 4
    people shown as ``<5`` and figures that would give them away hidden. ``actor``: who the
    pack is made for; a provider's staff always get the suppressed pack, with only the
    actions, meetings and escalation changes shared with the provider
    (``users.NotAllowed`` unless the person may read the contract).
    ``meeting_date``: printed on the cover (default: the meeting recorded for the quarter).
    ``charts``: False leaves the PDF without its charts (vector drawings; no browser is used).
    Raises ``reports.content.NotHeld`` when the contract or quarter is not held.
    """
    from .content import gather
    from .pdf import write_pdf
    from .xlsx import write_xlsx

    timings: dict[str, float] = {}
    started = time.perf_counter()
    step = time.perf_counter()
    content = gather(engine, contract, quarter, actor=actor, suppress=suppress,
                     meeting_date=meeting_date, today=today)
    timings["content"] = time.perf_counter() - step

    step = time.perf_counter()
    xlsx = write_xlsx(content)
    timings["xlsx"] = time.perf_counter() - step

    step = time.perf_counter()
    pdf = write_pdf(content, charts=charts)
    timings["pdf"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return Pack(pdf=pdf, xlsx=xlsx, name=pack_file_stem(contract, quarter, content.suppressed),
                suppressed=content.suppressed,
                timings=timings)
