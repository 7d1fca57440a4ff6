"""Reading a provider's quarterly workbook into values, each with the cell it came from.

Two stages. First the safety pass (:mod:`data_ingest.safety`) over the raw file,
before any cell is parsed: it refuses what must not be read, and notes what a cell
reader does not say (formulas and whether they were ever calculated, Excel errors,
merged cells, hidden sheets and columns). Then the cells are read, by
``python-calamine`` (the default) or openpyxl (``ENGINE``, or ``engine=`` for one
call; both give the same values, findings and cells, tests/test_reader_engines.py),
and the layout (:mod:`data_ingest.layout`) is found by name, never by position:
sheets by name, Cover fields by label, measure rows by code.

Bad input never raises: every problem is a :class:`~data_ingest.findings.Finding`
naming the sheet and cell, saying what is wrong and what to do.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import cast

import openpyxl
import python_calamine
from openpyxl.utils import get_column_letter

from data_ingest.findings import Finding, error, warning
from data_ingest.layout import (  # noqa: F401 - re-exported: the template and the store import them here
    CODE_HEADER,
    COMMENTARY_HEADER,
    COMMENTARY_TABLE_HEADERS,
    COMMENTARY_TEXT_LIMIT,
    COVER_TEXT_LIMIT,
    DATE_TEXT_FORMAT,
    HEADER_SEARCH_ROWS,
    LARGEST_FIGURE,
    MEASURE_HEADER,
    MEASURE_TABLE_HEADERS,
    NOTES_HEADER,
    REQUIRED_COVER_FIELDS,
    SERVICE_HEADER,
    SPACES,
    USE_TEMPLATE,
    VALUE_HEADER,
    column_number,
    coordinate,
    measure_sheets,
    measures_on,
    normalise,
    remembered,
)
from data_ingest.safety import VISIBLE, Inspection, Refused, SheetScan, inspect
from models.catalogue import COMMENTARY, COVER, COVER_FIELDS, Catalogue, Measure
from models.contract_types import ContractTypeError
from models.periods import Quarter, parse_fiscal_year, parse_quarter

#: The cell readers: python-calamine (Rust, the default) and openpyxl (kept to compare against).
CALAMINE = "calamine"
OPENPYXL = "openpyxl"
ENGINES = (CALAMINE, OPENPYXL)
#: Which reads the cells when ``read_workbook`` is not told.
ENGINE = CALAMINE
#: Where the exception a panic in Rust code (calamine's) raises comes from.
PANIC_MODULE = "pyo3_runtime"

#: What programs that cannot calculate save as a formula's value (XlsxWriter: 0).
FORMULA_PLACEHOLDERS = frozenset({"0"})
#: Excel's error values, as the readers give an error cell (calamine through the safety pass).
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
#: Numbers typed as text: "12", " 12 ", "1,234", "£1,234.50", "-3".
_NUMBER_TEXT = re.compile(
    r"^(?P<sign>[-\u2212])?\s*(?P<pound>£)?\s*(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?$")
#: A template version as providers may type it: "2", "v2", "Version 2".
_VERSION_TEXT = re.compile(r"^(?:v(?:ersion)?\s*)?(\d{1,3})$", re.IGNORECASE)
#: Text in the Code column that looks like a code (so is not a note).
_CODE_LIKE = re.compile(r"^[A-Z]{1,4}\s*-?\s*\d{1,3}$")
#: How much of a long text a message quotes.
QUOTE_LIMIT = 60


@dataclass
class CellValue:
    """One value read from the workbook and where it came from."""

    value: object       # float for measures (None when blank), str for text
    sheet: str          # catalogue sheet name, e.g. "Refuge"
    cell: str           # e.g. "C14"

    @property
    def location(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass
class ParsedWorkbook:
    cover: dict[str, CellValue] = field(default_factory=dict)         # keys: CoverField.key
    values: dict[str, CellValue] = field(default_factory=dict)        # code -> float or None
    commentary: dict[str, CellValue] = field(default_factory=dict)    # topic -> text
    findings: list[Finding] = field(default_factory=list)
    contract_reference: str | None = None
    quarter: Quarter | None = None
    #: The contract type the workbook was read as; None when it is not known (no measures read).
    catalogue: Catalogue | None = field(default=None, repr=False, compare=False)
    #: The template version on the Cover (the type's first when blank); None when it is not one
    #: of the type's versions, or the type is not known.
    template_version: int | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


# --- public entry point ---------------------------------------------------------


#: What ``read_workbook`` reads a workbook as: a contract type's catalogue, or a function
#: finding the catalogue from the contract reference on the Cover (None: not a contract held).
CatalogueSource = Catalogue | Callable[[str], Catalogue | None] | None


def read_workbook(content: bytes, file_name: str = "workbook.xlsx",
                  catalogue: CatalogueSource = None, *, engine: str | None = None,
                  fast: bool = True) -> ParsedWorkbook:
    """Read a quarterly return. Never raises for bad input: problems are findings.

    ``catalogue`` says what the workbook holds: the contract type's catalogue, or a
    function given the Cover's contract reference that returns it (None when the
    contract is not held). Without a catalogue only the Cover is read. The Cover's
    Template version then says which of the type's measures the sheets must hold.

    ``engine`` is the cell reader (``ENGINE`` unless given); ``fast=False`` makes the
    safety pass walk every sheet's XML instead of searching it by pattern. Neither
    changes what is read: tests compare them.
    """
    engine = engine or ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown cell reader {engine!r}: one of {', '.join(ENGINES)}")
    parsed = ParsedWorkbook()
    try:
        inspection = inspect(content, file_name, fast)
    except Refused as refused:
        parsed.findings.extend(refused.findings)
        return parsed
    try:
        # Both readers read the parts as the safety pass checked them, never the file's own zip.
        with _open_book(inspection.unpacked, engine) as book:
            _parse_sheets(book, inspection, parsed, catalogue)
    except Exception as exc:  # noqa: BLE001 - a damaged file must give a message, not a crash
        parsed.findings.append(error(
            "UNREADABLE", f"{file_name} could not be read as an Excel workbook ({type(exc).__name__}).",
            "Open it in Excel, save it as an Excel Workbook (.xlsx) and send it again. " + USE_TEMPLATE))
    except BaseException as exc:
        # A panic in calamine's Rust code is no Exception, but a value in the file caused it.
        if type(exc).__module__ != PANIC_MODULE:
            raise
        parsed.findings.append(error(
            "UNREADABLE", f"{file_name} holds a value that cannot be read: a number formatted as a date or "
            "time, far outside the years Excel shows, does this.",
            "Look for a cell that Excel shows as ##### and correct it (or clear its format), then save and "
            "send the return again. " + USE_TEMPLATE))
    return parsed


# --- the cell readers -----------------------------------------------------------


class _Book:
    """A workbook opened by one cell reader: rows of cell values by sheet name."""

    def rows(self, title: str, scan: SheetScan) -> Sequence[Sequence[object]]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _CalamineBook(_Book):
    """python-calamine: cached values, blanks as "", dates as date or datetime, errors as ""."""

    def __init__(self, content: bytes):
        self.workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))

    def rows(self, title: str, scan: SheetScan) -> Sequence[Sequence[object]]:
        if not scan.has_cells:
            return []
        # Calamine's rows end at its last cell with a value, within the scan's bound; when the
        # scan knows the last row, no more are asked for.
        rows = self.workbook.get_sheet_by_name(title).to_python(
            skip_empty_area=False, nrows=scan.extent[0] if scan.extent is not None else None)
        # openpyxl gives a date cell as a datetime. (Most sheets hold no date: one look at every cell.)
        if date in map(type, chain.from_iterable(rows)):
            for row in rows:
                for column, value in enumerate(row):
                    if type(value) is date:
                        row[column] = datetime(value.year, value.month, value.day)
        for cell, text in scan.errors.items():     # calamine gives an error cell as blank
            row_index, column = _indices(cell)
            if row_index < len(rows) and column < len(rows[row_index]):
                rows[row_index][column] = text
        return rows

    def close(self) -> None:
        self.workbook.close()


class _OpenpyxlBook(_Book):
    """openpyxl, read-only with cached values: blanks as None, dates as datetime, errors as text."""

    def __init__(self, content: bytes):
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, data validation); none matter here.
            warnings.simplefilter("ignore")
            self.workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)

    def rows(self, title: str, scan: SheetScan) -> Sequence[Sequence[object]]:
        if not (scan.rows and scan.columns):
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # a date out of range: openpyxl warns and gives #VALUE!
            return list(self.workbook[title].iter_rows(min_row=1, max_row=scan.rows, min_col=1,
                                                       max_col=scan.columns, values_only=True))

    def close(self) -> None:
        self.workbook.close()


def _open_book(content: bytes, engine: str) -> _Book:
    if engine == CALAMINE:
        return _CalamineBook(content)
    if engine == OPENPYXL:
        return _OpenpyxlBook(content)
    raise ValueError(f"unknown cell reader {engine!r}: one of {', '.join(ENGINES)}")


def _indices(cell: str) -> tuple[int, int]:
    """0-based (row, column) of a cell reference such as C14."""
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters):]) - 1, column_number(letters) - 1


# --- stage 2: reading the cells -------------------------------------------------


@dataclass
class _Sheet:
    """One sheet's cells, held as rows of values (at most SHEET_CELL_LIMIT of them)."""

    name: str                       # catalogue name
    rows: Sequence[Sequence[object]]
    scan: SheetScan
    recalculate_on_load: bool

    def value(self, row: int, column: int) -> object:
        """0-based row and column; None outside the used range."""
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def uncalculated(self, cell: str) -> bool:
        """A formula whose value was never calculated: none saved, or a writer's placeholder.

        openpyxl saves no value; XlsxWriter saves 0 and both ask Excel to recalculate on
        opening (which a file saved by Excel does not). So a saved 0 is only trusted when
        the file does not ask for recalculation.
        """
        formulas = self.scan.formulas
        if cell not in formulas:
            return False
        saved = formulas[cell]
        return saved == "" or (self.recalculate_on_load and saved in FORMULA_PLACEHOLDERS)

    def column_hidden(self, column: int) -> bool:
        """0-based column."""
        return any(first <= column + 1 <= last for first, last in self.scan.hidden_columns)

    def merged_over(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        """The merged range (1-based corners) holding a 0-based cell, when there is one."""
        for merged in self.scan.merged:
            first_column, first_row, last_column, last_row = merged
            if first_row <= row + 1 <= last_row and first_column <= column + 1 <= last_column:
                return merged
        return None


def _range_text(merged: tuple[int, int, int, int]) -> str:
    first_column, first_row, last_column, last_row = merged
    return f"{get_column_letter(first_column)}{first_row}:{get_column_letter(last_column)}{last_row}"


def _parse_sheets(book: _Book, inspection: Inspection, parsed: ParsedWorkbook,
                  source: CatalogueSource) -> None:
    """The Cover first: it names the contract (so its type) and the template version."""
    titles: dict[str, list[str]] = {}
    for title in inspection.states:
        titles.setdefault(normalise(title), []).append(title)
    cover = _find_sheet(book, titles, COVER, inspection, parsed)
    if cover is not None:
        _read_cover(cover, parsed)
    catalogue = _catalogue(source, parsed, cover)
    if catalogue is None:
        return
    parsed.catalogue = catalogue
    version = _template_version(parsed, catalogue)
    parsed.template_version = version
    # An unknown version leaves the figures unread: which rows to expect is not known.
    if version is not None:
        for sheet_name in measure_sheets(catalogue, version):
            sheet = _find_sheet(book, titles, sheet_name, inspection, parsed)
            if sheet is not None:
                _read_measures(sheet, parsed, catalogue, version)
    commentary = _find_sheet(book, titles, COMMENTARY, inspection, parsed)
    if commentary is not None:
        _read_commentary(commentary, parsed, catalogue.commentary_topics)


def _catalogue(source: CatalogueSource, parsed: ParsedWorkbook, cover: _Sheet | None) -> Catalogue | None:
    if source is None or isinstance(source, Catalogue):
        return source
    if not parsed.contract_reference:
        return None     # the reader has said the reference is missing
    try:
        return source(parsed.contract_reference)
    except ContractTypeError as exc:
        # The council's file describing the contract's type is at fault, not the provider's return.
        reference = parsed.cover.get("contract_reference")
        parsed.findings.append(error(
            "CONTRACT-TYPE", f"Contract {parsed.contract_reference}'s type cannot be used, so the "
            f"return cannot be read: {exc}",
            "Tell the council's contract monitor: the contract type's file needs correcting "
            "(python -m models check-type FILE says what is wrong).",
            sheet=COVER, cell=reference.cell if reference else None))
        return None


def _template_version(parsed: ParsedWorkbook, catalogue: Catalogue) -> int | None:
    """The Cover's template version; blank (returns from before versions were kept) is the first."""
    cell = parsed.cover.get("template_version")
    if cell is None or cell.value is None:
        return catalogue.versions[0]
    text = str(cell.value).strip()
    if not text:
        return catalogue.versions[0]
    match = _VERSION_TEXT.match(text)
    if match is not None and int(match.group(1)) in catalogue.versions:
        return int(match.group(1))
    versions = [str(v) for v in catalogue.versions]
    held = versions[0] if len(versions) == 1 else ", ".join(versions[:-1]) + " and " + versions[-1]
    parsed.findings.append(error(
        "TEMPLATE-VERSION",
        f"Template version is '{text}', which is not a version of the {catalogue.title} return "
        f"(it has version{'s' if len(versions) > 1 else ''} {held}).",
        f"Copy your figures into the council's current template (version {catalogue.latest_version}) "
        "and send that; do not change the Template version on the Cover.",
        sheet=cell.sheet, cell=cell.cell))
    return None


def _find_sheet(book: _Book, titles: dict[str, list[str]], name: str, inspection: Inspection,
                parsed: ParsedWorkbook) -> _Sheet | None:
    """One sheet by name (case and spaces ignored), or None with a finding saying why.

    A hidden sheet is never read in place of a visible one of the same name; a hidden
    sheet read because it is the only one of its name is read with a warning.
    """
    found = titles.get(normalise(name), [])
    if not found:
        parsed.findings.append(error(
            "MISSING-SHEET", f"The workbook has no sheet called {name}.",
            f"Add the {name} sheet back with its name unchanged. " + USE_TEMPLATE, sheet=name))
        return None
    visible = [title for title in found if inspection.state(title) == VISIBLE]
    if len(found) > 1 and len(visible) == 1:
        hidden = [title for title in found if title != visible[0]]
        parsed.findings.append(warning(
            "HIDDEN-SHEET", f"The workbook also has {_hidden_words(hidden, inspection)} called {name}, "
            f"which was not read: the figures were read from the visible {name} sheet.",
            f"Delete the hidden sheet, so that the return holds one {name} sheet, the one you see.",
            sheet=name))
        found = visible
    if len(found) > 1:
        parsed.findings.append(error(
            "DUPLICATE-SHEET", f"The workbook has {len(found)} sheets called {name} "
            f"({', '.join(repr(t) for t in found)}), so it is not clear which to read.",
            "Delete or rename the extra sheet.", sheet=name))
        return None
    title = found[0]
    scan = inspection.scan(title)
    if scan is None:
        parsed.findings.append(error(
            "MISSING-SHEET", f"The {name} sheet is not a worksheet that can be read (it may be a chart).",
            USE_TEMPLATE, sheet=name))
        return None
    if not visible:
        very = inspection.state(title) == "veryHidden"
        parsed.findings.append(warning(
            "HIDDEN-SHEET", f"The {name} sheet is {'very hidden (hidden by a program or macro)' if very else 'hidden'}"
            ", so what it holds cannot be seen in Excel; it was read all the same.",
            ("Copy your figures into a fresh copy of the council's template, where every sheet can be "
             "seen, and send that." if very else
             f"Unhide it (right-click any sheet tab, Unhide, {name}), check what it holds, save and "
             "send the return again."), sheet=name))
    return _Sheet(name, book.rows(title, scan), scan, inspection.recalculate_on_load)


def _hidden_words(titles: list[str], inspection: Inspection) -> str:
    words = ["a very hidden sheet" if inspection.state(t) == "veryHidden" else "a hidden sheet"
             for t in titles]
    return words[0] if len(words) == 1 else f"{len(words)} hidden sheets"


def _formula_finding(sheet: _Sheet, cell: str, what: str) -> Finding:
    return error("UNCALCULATED-FORMULA",
                 f"{what} is a formula whose value was never calculated.",
                 "Open the file in Excel and save it again (or type the figure instead of the formula).",
                 sheet=sheet.name, cell=cell)


# --- Cover ------------------------------------------------------------------


def _read_cover(sheet: _Sheet, parsed: ParsedWorkbook) -> None:
    labels = {normalise(f.label): f for f in COVER_FIELDS}
    uncalculated = set()
    for row_index, row in enumerate(sheet.rows):
        label = row[0] if row else None
        cover_field = labels.get(normalise(label)) if isinstance(label, str) else None
        if cover_field is None or cover_field.key in parsed.cover or cover_field.key in uncalculated:
            continue
        cell = coordinate(row_index, 1)
        if sheet.uncalculated(cell):
            parsed.findings.append(_formula_finding(sheet, cell, cover_field.label))
            uncalculated.add(cover_field.key)
            continue
        text = _cover_text(sheet.value(row_index, 1))
        if len(text) > COVER_TEXT_LIMIT:
            parsed.findings.append(_too_long(sheet, cell, cover_field.label, text, COVER_TEXT_LIMIT,
                                             "a Cover field"))
            text = text[:COVER_TEXT_LIMIT]
        parsed.cover[cover_field.key] = CellValue(text, sheet.name, cell)

    for cover_field in COVER_FIELDS:
        if cover_field.key not in REQUIRED_COVER_FIELDS or cover_field.key in uncalculated:
            continue
        found = parsed.cover.get(cover_field.key)
        if found is None:
            parsed.findings.append(error(
                "MISSING-COVER-FIELD", f"There is no '{cover_field.label}' row on the Cover sheet.",
                f"Put '{cover_field.label}' in column A and its value in column B. {cover_field.help}.",
                sheet=sheet.name))
        elif found.value == "":
            parsed.findings.append(error(
                "EMPTY-COVER-FIELD", f"{cover_field.label} is empty.",
                f"Fill it in. {cover_field.help}.", sheet=sheet.name, cell=found.cell))

    reference = parsed.cover.get("contract_reference")
    if reference is not None and isinstance(reference.value, str) and reference.value:   # Cover values are text
        parsed.contract_reference = SPACES.sub(" ", reference.value).strip()

    year_start = quarter_number = None
    year = parsed.cover.get("financial_year")
    if year is not None and year.value:
        try:
            year_start = parse_fiscal_year(year.value)
        except ValueError:
            parsed.findings.append(error(
                "BAD-FINANCIAL-YEAR", f"Financial year '{year.value}' is not a financial year.",
                "Type the financial year the return covers, for example 2016/17 (April 2016 to March 2017).",
                sheet=sheet.name, cell=year.cell))
    quarter = parsed.cover.get("quarter")
    if quarter is not None and quarter.value:
        try:
            quarter_number = parse_quarter(quarter.value)
        except ValueError:
            help_text = next(f.help for f in COVER_FIELDS if f.key == "quarter")
            parsed.findings.append(error(
                "BAD-QUARTER", f"Quarter '{quarter.value}' is not a quarter.",
                f"Choose the quarter the return covers: {help_text}.", sheet=sheet.name, cell=quarter.cell))
    if year_start is not None and quarter_number is not None:
        parsed.quarter = Quarter(year_start, quarter_number)


def _cover_text(value: object) -> str:
    """Cover values as text: whole numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATE_TEXT_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_TEXT_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return SPACES.sub(" ", str(value)).strip()


def _too_long(sheet: _Sheet, cell: str, what: str, text: str, limit: int, kind: str,
              elsewhere: str = "") -> Finding:
    return error("TEXT-TOO-LONG", f"{what} is {len(text):,} characters long, more than the {limit:,} "
                 f"{kind} may have, so the return is refused.",
                 f"Shorten it to {limit:,} characters or fewer and send the return again{elsewhere}.",
                 sheet=sheet.name, cell=cell)


def _quote(text: str) -> str:
    """A provider's text as a message quotes it: at most QUOTE_LIMIT characters."""
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT - 1] + "…"


def _free_text(value: object) -> str:
    """Commentary as typed, keeping its line breaks."""
    if isinstance(value, str):
        return value.strip()
    return _cover_text(value)


# --- measure tables ---------------------------------------------------------


def _find_header(sheet: _Sheet, required: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """(row, {normalised header: column}) of the first row holding every required header.

    When two columns have the same header, the first visible one is taken (a hidden column
    is never read in place of one the provider sees)."""
    wanted = {normalise(h) for h in required}
    for row_index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for column, value in enumerate(row):
            if isinstance(value, str):
                key = normalise(value)
                if key not in columns or (sheet.column_hidden(columns[key]) and not sheet.column_hidden(column)):
                    columns[key] = column
        if wanted <= columns.keys():
            return row_index, columns
    return None


def _hidden_columns(sheet: _Sheet, header_row: int, columns: dict[str, int], headers: tuple[str, ...],
                    parsed: ParsedWorkbook) -> None:
    """Warn, naming the header cell, when a column read is hidden or hides another of its name."""
    for header in headers:
        column = columns[normalise(header)]
        letter = get_column_letter(column + 1)
        if sheet.column_hidden(column):
            parsed.findings.append(warning(
                "HIDDEN-COLUMN", f"The {header} column ({letter}) is hidden, so what it holds cannot be "
                "seen in Excel; it was read all the same.",
                f"Unhide column {letter} (select the columns either side, right-click, Unhide), check "
                "it, save and send the return again.", sheet=sheet.name, cell=coordinate(header_row, column)))
        row = sheet.rows[header_row]
        for other, value in enumerate(row):
            if other != column and sheet.column_hidden(other) and isinstance(value, str) \
                    and normalise(value) == normalise(header):
                parsed.findings.append(warning(
                    "HIDDEN-COLUMN", f"Column {get_column_letter(other + 1)} is hidden and also headed "
                    f"{header}; it was not read: the {header} column read is {letter}.",
                    f"Delete the hidden column {get_column_letter(other + 1)}, so that the sheet has one "
                    f"{header} column, the one you see.", sheet=sheet.name, cell=coordinate(header_row, other)))


def _read_measures(sheet: _Sheet, parsed: ParsedWorkbook, catalogue: Catalogue, version: int) -> None:
    header = _find_header(sheet, (CODE_HEADER, VALUE_HEADER))
    if header is None:
        parsed.findings.append(error(
            "HEADER-NOT-FOUND",
            f"No header row with '{CODE_HEADER}' and '{VALUE_HEADER}' columns was found in the first "
            f"{HEADER_SEARCH_ROWS} rows.",
            f"Put back the header row ({' | '.join(MEASURE_TABLE_HEADERS)}) above the figures, "
            "with the names unchanged.", sheet=sheet.name))
        return
    header_row, columns = header
    code_column, value_column = columns[normalise(CODE_HEADER)], columns[normalise(VALUE_HEADER)]
    if sheet.scan.hidden_columns:
        _hidden_columns(sheet, header_row, columns, (CODE_HEADER, VALUE_HEADER), parsed)
    expected, clean_codes = _expected(catalogue, sheet.name, version)
    code_letter, value_letter = get_column_letter(code_column + 1), get_column_letter(value_column + 1)
    formulas = sheet.scan.formulas
    name, values, findings = sheet.name, parsed.values, parsed.findings
    rows_of: dict[str, int] = {}        # code -> its row
    rows = sheet.rows
    for row_index in range(header_row + 1, len(rows)):
        row = rows[row_index]
        raw_code = row[code_column] if code_column < len(row) else None
        if raw_code is None or (isinstance(raw_code, str) and not raw_code.strip()):
            continue
        # A code typed as the template has it is its own clean form.
        code = raw_code if isinstance(raw_code, str) and raw_code in clean_codes else \
            SPACES.sub("", str(raw_code)).upper()
        raw_value = row[value_column] if value_column < len(row) else None
        measure = expected.get(code)
        if measure is None:
            unknown = _unknown_code(sheet, code, _quote(str(raw_code).strip()),
                                    f"{code_letter}{row_index + 1}", raw_value, catalogue, version)
            if unknown is not None:
                findings.append(unknown)
            continue
        if code in rows_of:
            findings.append(error(
                "DUPLICATE-CODE", f"Code {code} appears twice: here and in {code_letter}{rows_of[code] + 1}.",
                f"Keep one row for {code} and delete the other.", sheet=name,
                cell=f"{code_letter}{row_index + 1}"))
            continue
        rows_of[code] = row_index
        value_cell = f"{value_letter}{row_index + 1}"
        if formulas and sheet.uncalculated(value_cell):
            findings.append(_formula_finding(sheet, value_cell, _describe(measure)))
            values[code] = CellValue(None, name, value_cell)
            continue
        # A whole number above zero (most figures) is its own figure, count or money.
        if type(raw_value) is float and 0 < raw_value <= LARGEST_FIGURE and raw_value.is_integer():
            values[code] = CellValue(raw_value, name, value_cell)
            continue
        number = _plain_figure(raw_value, measure)
        if number is _NOT_PLAIN:
            number, finding = _measure_value(raw_value, measure)
            if finding is not None:
                message, advice, rule = finding
                findings.append(error(rule, message, advice, sheet=name, cell=value_cell))
        values[code] = CellValue(number, name, value_cell)

    if sheet.scan.merged:
        _merged_values(sheet, parsed, expected, rows_of, value_column)
    for code, measure in expected.items():
        if code not in rows_of:
            parsed.findings.append(error(
                "MISSING-MEASURE", f"There is no row for {_describe(measure)}.",
                f"Add a row with {code} in the {CODE_HEADER} column and the figure in the {VALUE_HEADER} "
                "column (leave the value empty if it is not reported).", sheet=sheet.name))


def _merged_values(sheet: _Sheet, parsed: ParsedWorkbook, expected: dict[str, Measure],
                   rows_of: dict[str, int], value_column: int) -> None:
    """An error for each merged range over the Value cells of measures: a merged cell keeps only
    its first value, so a figure under it is lost (never stored as a blank)."""
    codes_in: dict[tuple[int, int, int, int], list[str]] = {}
    for code, row_index in rows_of.items():
        merged = sheet.merged_over(row_index, value_column)
        if merged is not None:
            codes_in.setdefault(merged, []).append(code)
    for merged, codes in codes_in.items():
        first_column, first_row = merged[0], merged[1]
        if len(codes) == 1 and (rows_of[codes[0]] + 1, value_column + 1) == (first_row, first_column):
            continue        # one figure in the first cell of its range: it is read as shown
        for code in codes:
            parsed.values[code].value = None
        described = [_describe(expected[code]) for code in codes]
        which = described[0] if len(described) == 1 else ", ".join(described[:-1]) + " and " + described[-1]
        parsed.findings.append(error(
            "MERGED-CELLS", f"Cells {_range_text(merged)} are merged, so the figure{'s' if len(codes) > 1 else ''} "
            f"of {which} cannot be read (a merged cell keeps only the value of its first cell).",
            f"Unmerge them (select them, then Home, Merge & Center, Unmerge Cells), type each figure in "
            f"its own row's {VALUE_HEADER} cell, save and send the return again.",
            sheet=sheet.name, cell=coordinate(first_row - 1, first_column - 1)))


def _unknown_code(sheet: _Sheet, code: str, typed: str, cell: str, raw_value: object,
                  catalogue: Catalogue, version: int) -> Finding | None:
    """A row that is not one of this sheet's measures: an error if it looks like a figure, else a note."""
    has_value = raw_value is not None and not (isinstance(raw_value, str) and not raw_value.strip())
    elsewhere = catalogue.measures_by_code.get(code)
    if elsewhere is not None and not elsewhere.in_version(version):
        if not has_value:
            return None     # an empty row of another version's measure carries no figure
        held = (f"from version {elsewhere.from_version}" if elsewhere.until_version is None
                else f"in versions {elsewhere.from_version} to {elsewhere.until_version}")
        return error("NOT-IN-VERSION", f"{_describe(elsewhere)} is not a figure of template version "
                     f"{version}, which this return says it is (the measure is {held}).",
                     "Copy your figures into the council's template of the version that has this "
                     "figure, or delete the row.", sheet=sheet.name, cell=cell)
    if elsewhere is not None:
        return error("MISPLACED-CODE", f"{code} ({elsewhere.label}) belongs on the {elsewhere.sheet} sheet, "
                     f"not on {sheet.name}.", f"Move the row to the {elsewhere.sheet} sheet.",
                     sheet=sheet.name, cell=cell)
    if _CODE_LIKE.match(code) or has_value:
        codes = measures_on(catalogue, sheet.name, version)
        return error("UNKNOWN-CODE", f"'{typed}' is not a code of the {sheet.name} sheet "
                     f"({codes[0].code} to {codes[-1].code}).",
                     "Correct the code as it is in the template; codes must not be changed. Put remarks "
                     f"in the {NOTES_HEADER} column or on the {COMMENTARY} sheet.", sheet=sheet.name, cell=cell)
    return None   # a note or sub-title typed in the Code column


def _describe(measure: Measure) -> str:
    return f"{measure.label} ({measure.code})"


def _expected(catalogue: Catalogue, sheet: str, version: int) -> tuple[dict[str, Measure], frozenset[str]]:
    """A sheet's measures of one version by code (the same dict for every upload: not to be
    changed), and the codes that are already as a code is compared (capitals, no spaces)."""
    def work() -> tuple[dict[str, Measure], frozenset[str]]:
        expected = {m.code: m for m in measures_on(catalogue, sheet, version)}
        return expected, frozenset(c for c in expected if SPACES.sub("", c).upper() == c)
    return remembered(catalogue, ("expected", sheet, version), work)


#: ``_plain_figure`` found no quick answer: ``_measure_value`` decides, with its finding.
_NOT_PLAIN = object()


def _plain_figure(raw: object, measure: Measure) -> object:
    """The quick answer for what nearly every cell holds: blank, or a number that is a good
    figure (what ``_measure_value`` gives it, with no finding); else ``_NOT_PLAIN``."""
    if raw is None:
        return None
    kind = type(raw)
    if kind is not float and kind is not int:
        return _NOT_PLAIN
    number = float(cast(float, raw))
    if not 0 <= number <= LARGEST_FIGURE:      # also NaN: every comparison with it is false
        return _NOT_PLAIN
    if measure.type == "money":
        pence = number * 100
        if abs(pence - round(pence)) > 1e-6 * max(1.0, abs(pence)):
            return _NOT_PLAIN
        return round(number, 2)
    if abs(number - round(number)) > 1e-9 * max(1.0, abs(number)):
        return _NOT_PLAIN
    return float(round(number))


def _measure_value(raw: object, measure: Measure) -> tuple[float | None, tuple[str, str, str] | None]:
    """A cell's value as a measure: (number or None for blank, (message, advice, rule) or None).

    Numbers typed as text are accepted ("12", " 1,234 ", "£1,234.50" for money).
    A blank is None: not reported, never zero. An invalid value gives None and a finding.
    """
    money = measure.type == "money"
    what = _describe(measure)
    kind = "an amount in pounds and pence, such as 1234.50" if money else "a whole number"
    type_advice = f"Type {kind}, or leave the cell empty if the figure is not reported."
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, (f"{what} holds {str(raw).upper()}, not a number.", type_advice, "NOT-A-NUMBER")
    if isinstance(raw, (datetime, date, time, timedelta)):
        return None, (f"{what} holds a date or time ({raw}), not a number.",
                      "Format the cell as a number (Home, Number Format, Number) and " + type_advice[0].lower()
                      + type_advice[1:], "NOT-A-NUMBER")
    if isinstance(raw, str):
        text = SPACES.sub(" ", raw).strip()
        if not text:
            return None, None
        if text.upper() in EXCEL_ERRORS:
            return None, (f"{what} shows the Excel error {text.upper()}.",
                          "Correct the formula, or type the figure. " + type_advice, "NOT-A-NUMBER")
        match = _NUMBER_TEXT.match(text)
        if match is None or (match.group("pound") and not money):
            return None, (f"{what} is '{text}', which is not a number.", type_advice, "NOT-A-NUMBER")
        number = float(match.group("digits").replace(",", "") + "." + (match.group("decimals") or "0"))
        if match.group("sign"):
            number = -number
    elif isinstance(raw, (int, float)):
        number = float(raw)
    else:
        return None, (f"{what} holds {raw!r}, which is not a number.", type_advice, "NOT-A-NUMBER")

    if not math.isfinite(number):
        return None, (f"{what} is not a number.", type_advice, "NOT-A-NUMBER")
    if abs(number) > LARGEST_FIGURE:
        return None, (f"{what} is {_plain(number)}, far larger than any figure of a return can be (more "
                      f"than {LARGEST_FIGURE:,.0f}).", "Type the real figure, or leave the cell empty if it "
                      "is not reported.", "NUMBER-TOO-LARGE")
    if number < 0:
        return None, (f"{what} is {_plain(number)}, less than zero.",
                      f"Type the figure as zero or more ({kind}).", "NEGATIVE")
    if money:
        pence = number * 100
        if abs(pence - round(pence)) > 1e-6 * max(1.0, abs(pence)):
            return None, (f"{what} is {_plain(number)}, which has more than 2 decimal places.",
                          "Round it to the nearest penny (2 decimal places).", "MONEY-DECIMALS")
        return round(number, 2), None
    if abs(number - round(number)) > 1e-9 * max(1.0, abs(number)):
        return None, (f"{what} is {_plain(number)}, but it must be a whole number.",
                      ("Type a whole number (a count of people, cases or nights), or leave the cell "
                       "empty if it is not reported."), "NOT-WHOLE")
    return float(round(number)), None


def _plain(number: float) -> str:
    return f"{number:,.10f}".rstrip("0").rstrip(".")


# --- Commentary -------------------------------------------------------------


def _read_commentary(sheet: _Sheet, parsed: ParsedWorkbook, topics: tuple[str, ...]) -> None:
    header = _find_header(sheet, COMMENTARY_TABLE_HEADERS)
    if header is None:
        parsed.findings.append(error(
            "HEADER-NOT-FOUND",
            f"No header row with '{SERVICE_HEADER}' and '{COMMENTARY_HEADER}' columns was found in the first "
            f"{HEADER_SEARCH_ROWS} rows.",
            f"Put back the header row ({' | '.join(COMMENTARY_TABLE_HEADERS)}) above the commentary.",
            sheet=sheet.name))
        return
    header_row, columns = header
    topic_column = columns[normalise(SERVICE_HEADER)]
    text_column = columns[normalise(COMMENTARY_HEADER)]
    by_name = {normalise(t): t for t in topics}
    for row_index in range(header_row + 1, len(sheet.rows)):
        raw_topic = sheet.value(row_index, topic_column)
        text_cell = coordinate(row_index, text_column)
        if sheet.uncalculated(text_cell):
            parsed.findings.append(_formula_finding(sheet, text_cell, "The commentary"))
            continue
        text = _free_text(sheet.value(row_index, text_column))
        if not text and sheet.scan.merged and raw_topic is not None and str(raw_topic).strip():
            merged = sheet.merged_over(row_index, text_column)
            if merged is not None and (merged[1], merged[0]) != (row_index + 1, text_column + 1):
                parsed.findings.append(warning(
                    "MERGED-CELLS", f"Cells {_range_text(merged)} are merged, so the commentary of this "
                    "row cannot be read (a merged cell keeps only the text of its first cell).",
                    "Unmerge them (Home, Merge & Center, Unmerge Cells) and type each service's commentary "
                    "in its own row.", sheet=sheet.name, cell=text_cell))
                continue
        if raw_topic is None or not str(raw_topic).strip():
            if text:
                parsed.findings.append(warning(
                    "UNKNOWN-COMMENTARY-TOPIC", "This commentary has no service next to it, so it was not read.",
                    f"Put it in the row of its service ({', '.join(topics)}).",
                    sheet=sheet.name, cell=text_cell))
            continue
        topic = by_name.get(normalise(raw_topic))
        if topic is None:
            if text:
                parsed.findings.append(warning(
                    "UNKNOWN-COMMENTARY-TOPIC",
                    f"'{_quote(str(raw_topic).strip())}' is not one of {', '.join(topics)}, so its "
                    "commentary was not read.", "Put it in the row of its service, or under General.",
                    sheet=sheet.name, cell=coordinate(row_index, topic_column)))
            continue
        if text and topic not in parsed.commentary:
            if len(text) > COMMENTARY_TEXT_LIMIT:
                parsed.findings.append(_too_long(sheet, text_cell, f"The commentary for {topic}", text,
                                                 COMMENTARY_TEXT_LIMIT, "one service's commentary",
                                                 " (send longer reports to your contract monitor separately)"))
                text = text[:COMMENTARY_TEXT_LIMIT]
            parsed.commentary[topic] = CellValue(text, sheet.name, text_cell)
