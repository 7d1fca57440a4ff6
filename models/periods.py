"""UK financial-year quarters: Q1 April–June … Q4 January–March; a year is ``2016/17``.

A quarter is held as ``(year, quarter)`` where ``year`` is the calendar year
the financial year starts in (2016 for 2016/17). ``index`` orders quarters.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_YEAR_PATTERNS = (
    re.compile(r"^(\d{4})\s*[/-]\s*(\d{2})$"),    # 2016/17, 2016-17
    re.compile(r"^(\d{4})\s*[/-]\s*(\d{4})$"),    # 2016/2017
)
_QUARTER_PATTERN = re.compile(r"^(?:q|quarter)?\s*([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int       # calendar year the financial year starts in
    quarter: int    # 1..4

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1 to 4, not {self.quarter}")

    @property
    def fiscal_year(self) -> str:
        return fiscal_year_label(self.year)

    @property
    def label(self) -> str:
        """``2016/17 Q3``, as the users write it."""
        return f"{self.fiscal_year} Q{self.quarter}"

    @property
    def index(self) -> int:
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        year = self.year + (month > 12)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        start = self.start
        month = start.month + 2
        return date(start.year, month, calendar.monthrange(start.year, month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Quarter:
        return Quarter.from_index(self.index - 1)

    def next(self) -> Quarter:
        return Quarter.from_index(self.index + 1)

    def year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.quarter)

    def __str__(self) -> str:
        return self.label

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2016/17 Q3`` → Quarter(2016, 3)."""
        year_text, _, quarter_text = str(text).strip().rpartition(" ")
        return cls(parse_fiscal_year(year_text), parse_quarter(quarter_text))


def fiscal_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def parse_fiscal_year(text: object) -> int:
    """``2016/17``, ``2016-17`` or ``2016/2017`` → 2016; ValueError otherwise."""
    value = str(text).strip()
    for pattern in _YEAR_PATTERNS:
        match = pattern.match(value)
        if match:
            start, end = int(match.group(1)), int(match.group(2))
            expected = start + 1 if end >= 1000 else (start + 1) % 100
            if end != expected:
                raise ValueError(f"{value!r} is not one financial year")
            return start
    raise ValueError(f"{value!r} is not a financial year like 2016/17")


def parse_quarter(text: object) -> int:
    """``Q3``, ``3`` or ``Quarter 3`` → 3; ValueError otherwise."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    match = _QUARTER_PATTERN.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a quarter like Q3")
    return int(match.group(1))
