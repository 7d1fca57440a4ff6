"""UK formats for every figure a user reads: the dashboard, the narrative, the meeting pack.

Money ``£524,994``, dates ``31/08/2019``, quarters ``2016/17 Q3``, whole-number
percentages ``67%``, and ``no data`` wherever a value is missing: a blank is
never shown as 0. Every function takes a missing value (None or NaN) and
returns :data:`NO_DATA` for it. Plain functions, no Streamlit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from models.catalogue import DAYS_PER_MONTH
from models.periods import Quarter

NO_DATA = "no data"
#: A minus sign rather than a hyphen, as in print.
MINUS = "−"

#: RAG: an icon and a word as well as a colour, so that it reads without colour.
#: Colours are Okabe–Ito (colour-blind safe): bluish green, orange, vermillion.
RAG_ICON = {"green": "✔", "amber": "▲", "red": "✖"}
RAG_WORD = {"green": "Green", "amber": "Amber", "red": "Red"}
RAG_MEANING = {"green": "meets the target", "amber": "misses the target by no more than the tolerance",
               "red": "misses the target by more than the tolerance"}
RAG_COLOUR = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00"}
NO_RAG_COLOUR = "#999999"
#: Order in which exceptions come first: red, amber, then the rest.
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}

TREND_ICON = {"improving": "↗", "worsening": "↘", "no change": "→"}
#: Short words for a trend beside a change: "+3 points, better".
TREND_WORD = {"improving": "better", "worsening": "worse", "no change": "no change"}

#: SPC (XmR) variation and assurance, as NHS "Making Data Count" words them.
VARIATION_ICON = {"common cause": "∿", "improvement": "★", "concern": "⚠"}
VARIATION_WORD = {"common cause": "Common cause", "improvement": "Improvement",
                  "concern": "Concern"}
ASSURANCE_ICON = {"consistently passing": "(P)", "consistently failing": "(F)", "hit and miss": "(?)"}
ASSURANCE_WORD = {"consistently passing": "Passing", "consistently failing": "Failing",
                  "hit and miss": "Hit and miss"}
#: What the SPC icons mean, for captions and help text.
SPC_KEY = ("Variation: ∿ common cause (no signal); ★ improvement or ⚠ concern (special cause: "
           "a signal that the change is real). Assurance against the target: (P) consistently passing; "
           "(F) consistently failing; (?) hit and miss. Process limits and assurance need 12 quarters.")


def is_missing(value: object) -> bool:
    """None, NaN, pandas NA or NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA are not equal to themselves
    except TypeError:  # pd.NA raises on bool()
        return True


def _round(value: float, places: int = 0) -> Decimal:
    """Round half up, as people do (Python's round() rounds half to even)."""
    exponent = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)


def whole(value: object) -> str:
    """``1,234``; ``no data`` when missing."""
    if is_missing(value):
        return NO_DATA
    number = _round(value)
    text = f"{abs(number):,.0f}"
    return f"{MINUS}{text}" if number < 0 else text


def money(value: object, pence: bool = False) -> str:
    """``£524,994`` (or ``£524,994.00`` with ``pence``); negative as ``−£1,234``."""
    if is_missing(value):
        return NO_DATA
    number = _round(value, 2 if pence else 0)
    text = f"£{abs(number):,.2f}" if pence else f"£{abs(number):,.0f}"
    return f"{MINUS}{text}" if number < 0 else text


def uk_date(value: date | datetime | str | None) -> str:
    """``31/08/2019``; ISO strings are accepted too."""
    if is_missing(value) or value == "":
        return NO_DATA
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value.strip()   # already written by a person, e.g. "19/01/2017"
    if hasattr(value, "to_pydatetime"):   # pandas Timestamp
        value = value.to_pydatetime()
    return value.strftime("%d/%m/%Y")


def quarter(value: Quarter | tuple[int, int] | None) -> str:
    """``2016/17 Q3`` from a Quarter or a ``(year, quarter)`` pair."""
    if value is None:
        return NO_DATA
    if not isinstance(value, Quarter):
        value = Quarter(int(value[0]), int(value[1]))
    return value.label


def period(value: Quarter | tuple[int, int], basis: str) -> str:
    """``2016/17 Q3`` for a quarter, ``2016/17 Q1–Q3`` for the year to date at Q3."""
    if not isinstance(value, Quarter):
        value = Quarter(int(value[0]), int(value[1]))
    if basis == "ytd":
        if value.quarter == 1:
            return f"{value.fiscal_year} Q1"
        return f"{value.fiscal_year} Q1–Q{value.quarter}"
    return value.label


def basis_label(basis: str) -> str:
    return "Year to date" if basis == "ytd" else "Quarter"


def percent(fraction: object) -> str:
    """A fraction of 1 as a whole-number percentage: 0.666 → ``67%``."""
    if is_missing(fraction):
        return NO_DATA
    return f"{whole(float(fraction) * 100)}%"


def days(value: object, with_months: bool = True) -> str:
    """``42 days``; with two months or more, months too: ``305 days (10 months)``."""
    if is_missing(value):
        return NO_DATA
    text = f"{whole(value)} day{'' if _round(value) == 1 else 's'}"
    if with_months and float(value) >= 2 * DAYS_PER_MONTH:
        text += f" ({months(value)})"
    return text


def months(days_value: object) -> str:
    """Days as whole months (a month is 30.44 days): 305 → ``10 months``."""
    if is_missing(days_value):
        return NO_DATA
    number = _round(float(days_value) / DAYS_PER_MONTH)
    return f"{whole(number)} month{'' if number == 1 else 's'}"


def people(value: object) -> str:
    return whole(value)


def value(value: object, unit: str, with_months: bool = True) -> str:
    """An indicator value in its unit: ``%``, ``people``, ``days`` or ``£``."""
    if unit == "%":
        return percent(value)
    if unit == "days":
        return days(value, with_months)
    if unit in ("£", "money"):
        return money(value)
    return whole(value)


def count(value: object, money_measure: bool = False) -> str:
    """A measure's value: whole number, or pounds for a money measure."""
    return money(value) if money_measure else whole(value)


def change(difference: object, unit: str) -> str:
    """A change with its sign: ``+5 points``, ``−3 people``, ``+12 days``; ``no data`` when missing.

    A change of a percentage is in percentage points.
    """
    if is_missing(difference):
        return NO_DATA
    number = float(difference) * (100 if unit == "%" else 1)
    rounded = _round(number)
    if rounded == 0:
        return "no change"
    sign = "+" if rounded > 0 else MINUS
    size = whole(abs(number))
    words = {"%": "point", "days": "day", "people": ""}.get(unit, "")
    if unit in ("£", "money"):
        return f"{sign}{money(abs(number))}"
    if not words:
        return f"{sign}{size}"
    return f"{sign}{size} {words}{'' if abs(rounded) == 1 else 's'}"


def trend(word: object) -> str:
    """``↗ improving``; empty when there is nothing to compare with."""
    if is_missing(word) or not word:
        return ""
    return f"{TREND_ICON.get(str(word), '')} {word}".strip()


def change_with_trend(difference: object, unit: str, trend_word: object) -> str:
    """``+5 points, better`` (better or worse by the indicator's direction); ``no data``
    without a previous value."""
    text = change(difference, unit)
    if text in (NO_DATA, "no change"):
        return text
    word = TREND_WORD.get(str(trend_word)) if not is_missing(trend_word) else None
    return f"{text}, {word}" if word and word != "no change" else text


def rag(value: object, no_target: str = "no target") -> str:
    """``✔ Green``, ``▲ Amber``, ``✖ Red``; ``no target`` (or the given words) otherwise."""
    if is_missing(value) or value not in RAG_WORD:
        return no_target
    return f"{RAG_ICON[value]} {RAG_WORD[value]}"


def rag_colour(value: object) -> str:
    return RAG_COLOUR.get(value, NO_RAG_COLOUR) if not is_missing(value) else NO_RAG_COLOUR


def variation(value: object) -> str:
    """SPC variation with its icon; ``too few quarters`` when there is none."""
    if is_missing(value) or value not in VARIATION_WORD:
        return "too few quarters"
    return f"{VARIATION_ICON[value]} {VARIATION_WORD[value]}"


def assurance(value: object, none: str = "not assessed") -> str:
    """SPC assurance against the target with its icon; ``none`` when there is none."""
    if is_missing(value) or value not in ASSURANCE_WORD:
        return none
    return f"{ASSURANCE_ICON[value]} {ASSURANCE_WORD[value]}"


def fraction(numerator: object, denominator: object, money_values: bool = False) -> str:
    """``62 of 67``; ``no data`` when either is missing."""
    if is_missing(numerator) or is_missing(denominator):
        return NO_DATA
    return f"{count(numerator, money_values)} of {count(denominator, money_values)}"


def finding(warning: dict) -> str:
    """A stored warning (``Finding.as_dict()``) as one line: ``Refuge!C14: message advice``."""
    where = warning.get("location") or warning.get("cell") or ""
    text = " ".join(t for t in (warning.get("message"), warning.get("advice")) if t)
    return f"{where}: {text}" if where else text
