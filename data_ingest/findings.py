"""What the checks say about a workbook: errors and warnings, each naming its place."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    #: A stable name for the rule, for example ``MISSING-SHEET`` or ``ARITH-RF-WOMEN``.
    rule: str
    #: What is wrong, in plain words.
    message: str
    #: What to do about it.
    advice: str = ""
    #: The sheet as the catalogue names it, or None for the whole file.
    sheet: str | None = None
    #: The cell, for example ``C14``, or None for a whole sheet.
    cell: str | None = None

    @property
    def location(self) -> str:
        """``Refuge!C14``, ``Refuge``, or ``workbook``."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or "workbook"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text} {self.advice}" if self.advice else text

    def as_dict(self) -> dict:
        return {**asdict(self), "location": self.location}


def error(rule: str, message: str, advice: str = "", sheet: str | None = None,
          cell: str | None = None) -> Finding:
    return Finding("error", rule, message, advice, sheet, cell)


def warning(rule: str, message: str, advice: str = "", sheet: str | None = None,
            cell: str | None = None) -> Finding:
    return Finding("warning", rule, message, advice, sheet, cell)
