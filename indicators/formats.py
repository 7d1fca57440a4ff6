"""Indicator values in words and figures, as the council writes them.

Percentages are fractions of 1 in the engine and shown as whole numbers
(``0.67`` → ``67%``); a stay in days also shows months (30.44 days a month).
"""

from __future__ import annotations

import math

from models.catalogue import DAYS_PER_MONTH

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten"}


def _round_half_up(x: float, digits: int = 0) -> float:
    scale = 10 ** digits
    return math.floor(x * scale + 0.5) / scale


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value, unit: str, *, months: bool = True) -> str:
    """``0.67`` → ``67%``; ``310.0`` → ``310``; ``302.4`` days → ``302 days (9.9 months)``."""
    if is_missing(value):
        return "no data"
    if unit == "%":
        return f"{_round_half_up(value * 100):.0f}%"
    if unit == "days":
        text = f"{_round_half_up(value):,.0f} days"
        if months:
            text += f" ({_round_half_up(value / DAYS_PER_MONTH, 1):.1f} months)"
        return text
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_difference(difference: float, unit: str) -> str:
    """A gap or change in the indicator's unit: ``6 points``, ``14 days``, ``3 people``."""
    size = abs(difference)
    if unit == "%":
        points = _round_half_up(size * 100)
        return f"{points:.0f} point{'s' if points != 1 else ''}"
    if unit == "days":
        days = _round_half_up(size)
        return f"{days:,.0f} day{'s' if days != 1 else ''}"
    people = _round_half_up(size)
    return f"{people:,.0f} {'person' if people == 1 else 'people'}"


def count_words(n: int) -> str:
    """``All three`` / ``Both`` / ``All 12``."""
    if n == 2:
        return "Both"
    return f"All {NUMBER_WORDS.get(n, str(n))}"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless it starts an acronym or a number (``FS``, ``24``)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
