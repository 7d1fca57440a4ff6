"""UK formats for every figure a user reads: the dashboard, the narrative, the meeting pack.

Money ``£524,994``, dates ``31/08/2019``, quarters ``2016/17 Q3``, whole-number
percentages ``67%``, and ``no data`` wherever a value is missing: a blank is
never shown as 0. Every function takes a missing value (None or NaN) and
returns :data:`NO_DATA` for it. Plain functions, no Streamlit.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import SupportsFloat, SupportsIndex

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


#: A figure as these functions take it: a number of any kind (Python's, numpy's, a Decimal), a
#: numeric string, or missing (None, NaN, pandas NA or NaT), which they show as :data:`NO_DATA`.
Figure = SupportsFloat | SupportsIndex | str | None


def _float(value: Figure) -> float:
    """A figure that is not missing as a float (each caller has checked :func:`is_missing`)."""
    if value is None:
        raise ValueError("a missing figure has no value")
    return float(value)


def _round(value: float, places: int = 0) -> Decimal:
    """Round half up, as people do (Python's round() rounds half to even)."""
    exponent = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)


def whole(value: Figure) -> str:
    """``1,234``; ``no data`` when missing."""
    if is_missing(value):
        return NO_DATA
    number = _round(_float(value))
    text = f"{abs(number):,.0f}"
    return f"{MINUS}{text}" if number < 0 else text


def money(value: Figure, pence: bool = False) -> str:
    """``£524,994`` (or ``£524,994.00`` with ``pence``); negative as ``−£1,234``."""
    if is_missing(value):
        return NO_DATA
    number = _round(_float(value), 2 if pence else 0)
    text = f"£{abs(number):,.2f}" if pence else f"£{abs(number):,.0f}"
    return f"{MINUS}{text}" if number < 0 else text


def uk_date(value: object) -> str:
    """``31/08/2019`` for a date, a datetime or a pandas Timestamp; ISO strings are accepted too."""
    if is_missing(value) or value == "":
        return NO_DATA
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            return text   # already written by a person, e.g. "19/01/2017"
    if hasattr(value, "to_pydatetime"):   # pandas Timestamp
        value = value.to_pydatetime()
    if not isinstance(value, date):
        raise TypeError(f"{value!r} is not a date")
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


def percent(fraction: Figure) -> str:
    """A fraction of 1 as a whole-number percentage: 0.666 → ``67%``."""
    if is_missing(fraction):
        return NO_DATA
    return f"{whole(_float(fraction) * 100)}%"


def days(value: Figure, with_months: bool = True) -> str:
    """``42 days``; with two months or more, months too: ``305 days (10 months)``."""
    if is_missing(value):
        return NO_DATA
    text = f"{whole(value)} day{'' if _round(_float(value)) == 1 else 's'}"
    if with_months and _float(value) >= 2 * DAYS_PER_MONTH:
        text += f" ({months(value)})"
    return text


def months(days_value: Figure) -> str:
    """Days as whole months (a month is 30.44 days): 305 → ``10 months``."""
    if is_missing(days_value):
        return NO_DATA
    number = _round(_float(days_value) / DAYS_PER_MONTH)
    return f"{whole(number)} month{'' if number == 1 else 's'}"


def people(value: Figure) -> str:
    return whole(value)


def value(value: Figure, unit: str, with_months: bool = True) -> str:
    """An indicator value in its unit: ``%``, ``people``, ``days`` or ``£``."""
    if unit == "%":
        return percent(value)
    if unit == "days":
        return days(value, with_months)
    if unit in ("£", "money"):
        return money(value)
    return whole(value)


def count(value: Figure, money_measure: bool = False) -> str:
    """A measure's value: whole number, or pounds for a money measure."""
    return money(value) if money_measure else whole(value)


def change(difference: Figure, unit: str) -> str:
    """A change with its sign: ``+5 points``, ``−3 people``, ``+12 days``; ``no data`` when missing.

    A change of a percentage is in percentage points.
    """
    if is_missing(difference):
        return NO_DATA
    number = _float(difference) * (100 if unit == "%" else 1)
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


def change_with_trend(difference: Figure, unit: str, trend_word: object) -> str:
    """``+5 points, better`` (better or worse by the indicator's direction); ``no data``
    without a previous value."""
    text = change(difference, unit)
    if text in (NO_DATA, "no change"):
        return text
    word = TREND_WORD.get(str(trend_word)) if not is_missing(trend_word) else None
    return f"{text}, {word}" if word and word != "no change" else text


# --- the one rounding rule, and why a RAG is what it is --------------------------------------
#
# Every figure is shown whole (67%, 42 days, 310 people, £524,994). Two exceptions, the same on
# every page, in the narrative and in the pack:
# * beside a RAG, a value whose whole number would seem to give another RAG is shown to one
#   decimal (94.7% against 100% with 5 points of tolerance is red; "95%" would look amber):
#   :func:`rag_value`;
# * a change is the difference of the whole figures as shown, so that "rose from 64% to 66%"
#   and "+2 points" agree, and "no change" is said only when the figures shown are equal:
#   :func:`change_between`.

#: Within this of the target or the edge of the tolerance counts as on it (as ``indicators.targets``).
_EPSILON = 1e-9
#: The rounding rule in words, for captions and help text.
ROUNDING_RULE = ("Figures are whole numbers; a value beside its RAG is shown to one decimal where the "
                 "whole number would hide why it has that RAG. A change is the difference of the whole "
                 "figures as shown (64% to 66% is +2 points).")


def _scale(unit: str) -> float:
    return 100.0 if unit == "%" else 1.0


def rag_of(value: Figure, target: Figure, tolerance: Figure, direction: object) -> str | None:
    """``green`` / ``amber`` / ``red`` by the engine's rule (``indicators.targets.rag``); None
    without a value or a target."""
    if is_missing(value) or is_missing(target):
        return None
    band = 0.0 if is_missing(tolerance) else _float(tolerance)
    short = _float(value) - _float(target) if direction == "lower" else _float(target) - _float(value)
    if short <= _EPSILON:
        return "green"
    return "amber" if short <= band + _EPSILON else "red"


def _number(number: float, places: int) -> str:
    rounded = _round(number, places)
    text = f"{abs(rounded):,.{places}f}"
    return f"{MINUS}{text}" if rounded < 0 else text


def rag_places(value: Figure, unit: str, target: Figure, tolerance: Figure, direction: object) -> int:
    """Decimal places that show why ``value`` has its RAG: 0 unless the whole number (in the
    unit shown: points for a percentage) would seem to give another RAG; then 1 (2 if still)."""
    if is_missing(value) or is_missing(target) or unit in ("£", "money"):
        return 0
    actual = rag_of(value, target, tolerance, direction)
    scale = _scale(unit)
    for places in (0, 1):
        shown = float(_round(_float(value) * scale, places)) / scale
        if rag_of(shown, target, tolerance, direction) == actual:
            return places
    return 2


def rag_value(value: Figure, unit: str, target: Figure = None, tolerance: Figure = None,
              direction: object = None, with_months: bool = True) -> str:
    """An indicator's value beside its RAG: as :func:`value`, but to one decimal where the whole
    number would hide why (``94.7%`` against 100% with 5 points of tolerance, not ``95%``)."""
    places = rag_places(value, unit, target, tolerance, direction)
    if places == 0 or is_missing(value):
        return globals()["value"](value, unit, with_months)
    number = _number(_float(value) * _scale(unit), places)
    if unit == "%":
        return f"{number}%"
    if unit == "days":
        return f"{number} days"
    return number


def _amount(number: float, unit: str, places: int = 0) -> str:
    """A size in the unit's words: ``5 points``, ``5.3 points``, ``12 days``, ``3 people``."""
    text = _number(number, places)
    if unit == "%":
        return f"{text} point{'' if text == '1' else 's'}"
    if unit == "days":
        return f"{text} day{'' if text == '1' else 's'}"
    if unit in ("£", "money"):
        return money(number)
    return text


def target_band(target: Figure, tolerance: Figure, direction: object, unit: str) -> str:
    """A target with its amber band: ``100% (amber ≥95%)``, ``42 days (amber ≤56 days)``; the
    target alone without a tolerance; ``none`` without a target."""
    if is_missing(target):
        return "none"
    text = value(target, unit, with_months=False)
    if is_missing(tolerance) or _float(tolerance) <= 0:
        return text
    edge = _float(target) + _float(tolerance) if direction == "lower" else _float(target) - _float(tolerance)
    places = 0 if float(_round(edge * _scale(unit), 0)) == round(edge * _scale(unit), 6) else 1
    edge_text = (f"{_number(edge * _scale(unit), places)}%" if unit == "%" else
                 f"{_number(edge, places)} days" if unit == "days" else
                 money(edge) if unit in ("£", "money") else _number(edge, places))
    return f"{text} (amber {'≤' if direction == 'lower' else '≥'}{edge_text})"


def rag_reason(value_: Figure, unit: str, target: Figure, tolerance: Figure, direction: object) -> str:
    """The sentence that decides a RAG, from the figures themselves:
    ``94.7% is 5.3 points below the 100% target, more than the 5-point tolerance: red``.
    Empty without a value or a target."""
    rag_word = rag_of(value_, target, tolerance, direction)
    if rag_word is None:
        return ""
    shown = rag_value(value_, unit, target, tolerance, direction, with_months=False)
    target_text = value(target, unit, with_months=False)
    the_target = f"the {target_text} target" if unit == "%" else f"the target of {target_text}"
    if rag_word == "green":
        return (f"{shown} meets {the_target} ({'at most' if direction == 'lower' else 'at least'} "
                f"{target_text}): green")
    scale = _scale(unit)
    gap = abs(_float(value_) - _float(target)) * scale
    tol = 0.0 if is_missing(tolerance) else _float(tolerance) * scale
    places = 1 if unit != "people" or gap != int(gap) else 0
    if _round(gap, places) == _round(tol, places) and abs(gap - tol) > _EPSILON * scale:
        places = 2                       # 5.0 against a tolerance of 5 would not say why
    if unit in ("£", "money"):
        places = 0
    gap_text = _amount(gap, unit, places).replace(".0 ", " ") if places == 1 else _amount(gap, unit, places)
    side = "above" if direction == "lower" else "below"
    tol_text = _number(tol, 0 if _round(tol, 0) == _round(tol, 2) else 1)
    tol_unit = {"%": "point", "days": "day"}.get(unit, "")
    tolerance_words = (f"{tol_text}-{tol_unit} tolerance" if tol_unit else
                       f"tolerance of {money(tol) if unit in ('£', 'money') else tol_text}")
    if tol <= 0:
        return f"{shown} is {gap_text} {side} {the_target}, with no tolerance: {rag_word}"
    within = "within the" if rag_word == "amber" else "more than the"
    return f"{shown} is {gap_text} {side} {the_target}, {within} {tolerance_words}: {rag_word}"


def change_between(now: Figure, before: Figure, unit: str) -> str:
    """The change from ``before`` to ``now`` as shown: the difference of the whole figures
    (``64%`` to ``66%`` is ``+2 points``; ``99.4%`` to ``99.6%`` is ``no change``)."""
    if is_missing(now) or is_missing(before):
        return NO_DATA
    scale = _scale(unit)
    difference = float(_round(_float(now) * scale) - _round(_float(before) * scale)) / scale
    return change(difference, unit)


def change_between_with_trend(now: Figure, before: Figure, unit: str, trend_word: object) -> str:
    """:func:`change_between` with ``better`` or ``worse`` (the engine's trend word)."""
    text = change_between(now, before, unit)
    if text in (NO_DATA, "no change"):
        return text
    word = TREND_WORD.get(str(trend_word)) if not is_missing(trend_word) else None
    return f"{text}, {word}" if word and word != "no change" else text


def rag(value: object, no_target: str = "no target") -> str:
    """``✔ Green``, ``▲ Amber``, ``✖ Red``; ``no target`` (or the given words) otherwise."""
    if is_missing(value) or not isinstance(value, str) or value not in RAG_WORD:
        return no_target
    return f"{RAG_ICON[value]} {RAG_WORD[value]}"


def rag_colour(value: object) -> str:
    if is_missing(value) or not isinstance(value, str):
        return NO_RAG_COLOUR
    return RAG_COLOUR.get(value, NO_RAG_COLOUR)


def variation(value: object) -> str:
    """SPC variation with its icon; ``too few quarters`` when there is none."""
    if is_missing(value) or not isinstance(value, str) or value not in VARIATION_WORD:
        return "too few quarters"
    return f"{VARIATION_ICON[value]} {VARIATION_WORD[value]}"


def assurance(value: object, none: str = "not assessed") -> str:
    """SPC assurance against the target with its icon; ``none`` when there is none."""
    if is_missing(value) or not isinstance(value, str) or value not in ASSURANCE_WORD:
        return none
    return f"{ASSURANCE_ICON[value]} {ASSURANCE_WORD[value]}"


def fraction(numerator: Figure, denominator: Figure, money_values: bool = False) -> str:
    """``62 of 67``; ``no data`` when either is missing."""
    if is_missing(numerator) or is_missing(denominator):
        return NO_DATA
    return f"{count(numerator, money_values)} of {count(denominator, money_values)}"


def finding(warning: dict) -> str:
    """A stored warning (``Finding.as_dict()``) as one line: ``Refuge!C14: message advice``."""
    where = warning.get("location") or warning.get("cell") or ""
    text = " ".join(t for t in (warning.get("message"), warning.get("advice")) if t)
    return f"{where}: {text}" if where else text
