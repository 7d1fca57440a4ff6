"""The layout of a provider's workbook, shared by the template, the safety pass and the reader.

Sheets are found by name, Cover fields by label, measure rows by code, and the
tables by their header names; never by position. The limits on what a provider
may type are here too, so the template, the reader and the documentation agree:

- a Cover field is at most ``COVER_TEXT_LIMIT`` (200) characters;
- a commentary cell is at most ``COMMENTARY_TEXT_LIMIT`` (5,000) characters;
- a figure is at most ``LARGEST_FIGURE`` (1,000,000,000,000); a larger number, or a
  number written as NaN or infinity, cannot be a figure of a return.

A return breaking any of them is refused, with the cell, at upload.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from openpyxl.utils import get_column_letter

from models.catalogue import Catalogue, Check, Measure

T = TypeVar("T")

CODE_HEADER = "Code"
MEASURE_HEADER = "Measure"
VALUE_HEADER = "Value"
NOTES_HEADER = "Notes"
#: Header of a measure table, in the template's order (Notes is optional when reading).
MEASURE_TABLE_HEADERS: tuple[str, ...] = (CODE_HEADER, MEASURE_HEADER, VALUE_HEADER, NOTES_HEADER)
SERVICE_HEADER = "Service"
COMMENTARY_HEADER = "Commentary"
COMMENTARY_TABLE_HEADERS: tuple[str, ...] = (SERVICE_HEADER, COMMENTARY_HEADER)
#: Providers put titles above the table; its header row is looked for this far down.
HEADER_SEARCH_ROWS = 20
#: Cover fields without which a return cannot be filed.
REQUIRED_COVER_FIELDS: tuple[str, ...] = ("contract_reference", "financial_year", "quarter")
#: How a date read from the Cover is written back as text.
DATE_TEXT_FORMAT = "%d/%m/%Y"

#: The longest text a Cover field may hold (a name, a reference, a date).
COVER_TEXT_LIMIT = 200
#: The longest commentary one service may have: about two pages, which the meeting pack
#: prints whole in bounded time. Longer reports go to the contract monitor separately.
COMMENTARY_TEXT_LIMIT = 5_000
#: No figure of a return comes near a million million (money is pounds, counts are people,
#: nights or cases); a larger number is a typing slip or a hostile file.
LARGEST_FIGURE = 1e12

#: What to do when the file has to be rebuilt.
USE_TEMPLATE = "Copy your figures into a fresh copy of the council's template and send that."

#: Spaces Excel users type, including the non-breaking space pasted from the web.
SPACES = re.compile(r"[\s\u00a0]+")


def normalise(text: object) -> str:
    """How labels, headers and sheet names are compared: case, spaces and a trailing colon ignored."""
    if isinstance(text, str) and len(text) <= _CACHED_TEXT:
        return _normalise_short(text)
    return _normalise(str(text))


def _normalise(text: str) -> str:
    return SPACES.sub(" ", text).strip().rstrip(":").strip().casefold()


#: Labels and headers are short and the same in every return: remembered (a provider's long
#: text is not, so the cache stays small).
_CACHED_TEXT = 100
_normalise_short = functools.lru_cache(maxsize=4096)(_normalise)


def column_number(letters: str) -> int:
    """1 for A, 27 for AA, for any number of letters (as the cell readers take them)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """A for 1, AA for 27, for any column (openpyxl's stops at XFD, Excel's last): the inverse
    of ``column_number``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def coordinate(row: int, column: int) -> str:
    """The cell reference of a 0-based row and column: (13, 2) is C14."""
    return f"{get_column_letter(column + 1)}{row + 1}"


def measure_sheets(catalogue: Catalogue, version: int) -> tuple[str, ...]:
    """The sheets of figures a template version has, in workbook order (a sheet with none is left out)."""
    return remembered(catalogue, ("sheets", version), lambda: tuple(
        sheet for sheet in catalogue.sheets if catalogue.measures_on(sheet, version)))


def measures_on(catalogue: Catalogue, sheet: str, version: int) -> tuple[Measure, ...]:
    """``catalogue.measures_on(sheet, version)``, worked out once."""
    return remembered(catalogue, ("on", sheet, version), lambda: catalogue.measures_on(sheet, version))


def measures_in(catalogue: Catalogue, version: int) -> tuple[Measure, ...]:
    """``catalogue.measures_in(version)``, worked out once."""
    return remembered(catalogue, ("in", version), lambda: catalogue.measures_in(version))


def checks_in(catalogue: Catalogue, version: int) -> tuple[Check, ...]:
    """``catalogue.checks_in(version)``, worked out once."""
    return remembered(catalogue, ("checks", version), lambda: catalogue.checks_in(version))


#: What a catalogue holds for one version, by the catalogue's identity: a type is loaded once
#: and read for every upload, and working these out again each time cost more than reading a
#: sheet. Each entry keeps its catalogue, so the identity cannot be reused while it is held.
_MEMO: dict[tuple[int, tuple], tuple[Catalogue, Any]] = {}
#: Types are few; a reloaded type file makes a new catalogue, so the memo is emptied now and then.
_MEMO_LIMIT = 1024


def remembered(catalogue: Catalogue, what: tuple, work: Callable[[], T]) -> T:
    key = (id(catalogue), what)
    held = _MEMO.get(key)
    if held is not None and held[0] is catalogue:
        return cast(T, held[1])
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    value = work()
    _MEMO[key] = (catalogue, value)
    return value
