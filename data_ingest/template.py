"""The workbook a provider fills in each quarter, written from the contract type's catalogue.

Everything on it (sheets, codes, labels, topics, the checks explained) comes
from the catalogue given, for one of its template versions (the latest unless
asked); the Cover fields and the column headers come from ``models.catalogue``
and ``data_ingest.reader`` so that the template is always what the reader reads.
Labels are locked (sheet protection with no password), the cells to fill in are
unlocked, shaded, and validated: whole numbers of 0 or more for counts, amounts
of 0 or more with 2 decimals for money, a list for the quarter.

With ``values`` it writes a completed return, used by the sample script and tests.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from data_ingest.reader import (
    CODE_HEADER,
    COMMENTARY_TABLE_HEADERS,
    MEASURE_TABLE_HEADERS,
    NOTES_HEADER,
    VALUE_HEADER,
    measure_sheets,
)
from models.catalogue import COMMENTARY, COVER, COVER_FIELDS, Catalogue, Check, Measure
from models.periods import Quarter
from models.safe_text import write_text

INSTRUCTIONS = "Instructions"
QUARTER_CHOICES = tuple(f"Q{n}" for n in range(1, 5))
COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"
#: Excel's serial number for 1 January 2000: the earliest completion date accepted.
EARLIEST_DATE_SERIAL = 36526

INPUT_FILL = PatternFill("solid", start_color="FFF2CC")      # pale yellow: type here
HEADER_FILL = PatternFill("solid", start_color="D9E1F2")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


class UnknownVersion(ValueError):
    """A template version the contract type does not have; the message says which it has."""


def write_template(out: str | BinaryIO, catalogue: Catalogue, *, reference: str | None = None,
                   provider: str | None = None, quarter: Quarter | None = None,
                   values: Mapping[str, float | None] | None = None,
                   commentary: dict[str, str] | None = None, completed_by: str = "",
                   date_completed: date | None = None, version: int | None = None) -> None:
    """Write the monitoring workbook of ``catalogue``'s type to ``out`` (a path or a binary file object).

    ``version`` is the template version (None: the type's latest); the workbook holds
    exactly that version's measures and says its number on the Cover. With no values
    it is the blank template a provider fills in; with values a completed return. A
    value of None, or a code left out, stays blank.
    """
    version = catalogue.latest_version if version is None else version
    if version not in catalogue.versions:
        held = ", ".join(str(v) for v in catalogue.versions)
        raise UnknownVersion(f"The {catalogue.name} type has no template version {version} "
                             f"(its versions: {held}).")
    held_codes = {m.code for m in catalogue.measures_in(version)}
    stray = [code for code in values or {} if code not in held_codes]
    if stray:
        # A figure with no row to go in would be lost without a word.
        raise ValueError(f"Template version {version} of {catalogue.name} has no row for "
                         f"{', '.join(stray)}.")
    workbook = Workbook()
    _instructions(workbook.active, catalogue, version, reference, provider)
    _cover(workbook.create_sheet(COVER), version, reference, provider, quarter, completed_by,
           date_completed)
    for sheet_name in measure_sheets(catalogue, version):
        _measures(workbook.create_sheet(sheet_name), catalogue.measures_on(sheet_name, version),
                  sheet_name, quarter, values or {})
    _commentary(workbook.create_sheet(COMMENTARY), catalogue.commentary_topics, commentary or {})
    workbook.active = 0
    workbook.save(out)


def template_workbook(catalogue: Catalogue, *, reference: str | None = None, provider: str | None = None,
                      quarter: Quarter | None = None, values: Mapping[str, float | None] | None = None,
                      commentary: dict[str, str] | None = None, completed_by: str = "",
                      date_completed: date | None = None, version: int | None = None) -> bytes:
    """The workbook of :func:`write_template`, as bytes (for a download or a test)."""
    out = io.BytesIO()
    write_template(out, catalogue, reference=reference, provider=provider, quarter=quarter,
                   values=values, commentary=commentary, completed_by=completed_by,
                   date_completed=date_completed, version=version)
    return out.getvalue()


# --- sheets ---------------------------------------------------------------------


def _instructions(ws: Worksheet, catalogue: Catalogue, version: int, reference: str | None,
                  provider: str | None) -> None:
    ws.title = INSTRUCTIONS
    quarter_help = next(f.help for f in COVER_FIELDS if f.key == "quarter")
    measures = catalogue.measures_in(version)
    sheets = measure_sheets(catalogue, version)
    count_sheets = [s for s in sheets if any(m.sheet == s and m.type != "money" for m in measures)]
    money_sheets = [s for s in sheets if any(m.sheet == s and m.type == "money" for m in measures)]
    count_example = catalogue.measures_on(sheets[0], version)[0].code
    checks = catalogue.checks_in(version)
    lines: list[tuple[str, Font | None]] = [
        ("Quarterly monitoring return: how to fill it in", TITLE_FONT),
    ]
    if reference or provider:
        lines.append((" – ".join(x for x in (f"Contract {reference}" if reference else "", provider or "") if x),
                      BOLD))
    lines += [
        ("", None),
        (("Each quarter, fill in one copy of this workbook and send it to the council's contract monitor. "
          "It is read by computer, so please keep its layout as it is."), None),
        (("Type only in the yellow cells. The other cells are locked so that the codes and labels stay as "
          "they are."), None),
        ("", None),
        ("The sheets", BOLD),
        (f"{COVER}: " + "; ".join(f"{f.label} ({f.help})" for f in COVER_FIELDS) + ".", None),
    ]
    if count_sheets:
        lines.append(((f"{', '.join(count_sheets)}: one row for each figure, each with a code such as "
                       f"{count_example}. Type the figure for the quarter in the {VALUE_HEADER} column. Use "
                       f"the {NOTES_HEADER} column for anything the council should know about a figure."), None))
    if money_sheets:
        lines.append((f"{', '.join(money_sheets)}: what was spent in the quarter, in pounds and pence.", None))
    lines += [
        ((f"{COMMENTARY}: a few sentences for each of {', '.join(catalogue.commentary_topics)}: what went "
          "well, what did not, and anything behind an unusual figure."), None),
        ("", None),
        ("Rules for the figures", BOLD),
        ("Leave a cell empty when you cannot report a figure. An empty cell means 'not reported'.", None),
        ("Never type 0 for a figure you do not know: 0 means none, and it will be counted as none.", None),
        ("Counts (people, referrals, cases, nights) are whole numbers, 0 or more.", None),
        ("Money is in pounds, with at most 2 decimal places (pence), for example 12345.67.", None),
        (("Every figure is for the quarter alone, except where its label says otherwise (for example "
          "'so far this financial year' or 'at the end of the quarter')."), None),
        (f"Quarters are financial-year quarters: {quarter_help}.", None),
        (f"Do not rename or delete the sheets, and do not change the codes in the {CODE_HEADER} column.", None),
        (("If you use formulas, open and save the file in Excel before sending it, so that their values "
          "are calculated."), None),
        ("Save the file as an Excel Workbook (.xlsx), without a password.", None),
        ("", None),
        ("What the council checks", BOLD),
    ]
    errors = [check for check in checks if check.is_error]
    if errors:
        lines.append((("The figures must add up. A return that breaks one of these rules is sent back to be "
                       "corrected:"), None))
        lines += [(f"• {check.advice}", None) for check in errors]
    lines.append(("Some figures are only queried, not sent back:", None))
    for check in checks:
        if not check.is_error:
            lines += [(f"• {query};", None) for query in _queries(check, catalogue)]
    lines += [
        ((f"• a figure more than {catalogue.outlier_factor:g} times, or less than "
          f"1/{catalogue.outlier_factor:g} of, its average over the last {catalogue.outlier_quarters} "
          f"quarters: explain it on the {COMMENTARY} sheet."), None),
        ("", None),
        (f"Template version {version}", None),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text or None)
        cell.alignment = WRAP
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 110
    _protect(ws)


def _queries(check: Check, catalogue: Catalogue) -> list[str]:
    """A warning check in the provider's words, one line for each figure it queries."""
    def named(code: str) -> str:
        return f"{catalogue.measures_by_code[code].label} ({code})"

    if check.rule == "funnel":
        sheet = catalogue.measures_by_code[check.left[0]].sheet
        return [f"a stage of {sheet} larger than the stage before it ({', '.join(check.left)})"]
    if check.rule == "never_falls":
        return [f"{named(code)} lower than last quarter's in the same financial year" for code in check.left]
    if check.parameter is None:    # equals_parameter, the one rule left: the type file gives its parameter
        raise ValueError(f"check {check.code} ({check.rule}) names no parameter")
    parameter = next((p.label for p in catalogue.parameters if p.key == check.parameter), check.parameter)
    return [f"{named(code)} different from the contract's {parameter[0].lower() + parameter[1:]}"
            for code in check.left]


def _cover(ws: Worksheet, version: int, reference: str | None, provider: str | None,
           quarter: Quarter | None, completed_by: str, date_completed: date | None) -> None:
    ws["A1"] = "Quarterly monitoring return"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = f"Fill in the yellow cells. Read the {INSTRUCTIONS} sheet first."
    prefilled = {"contract_reference": reference, "provider": provider}
    given = {
        "financial_year": quarter.fiscal_year if quarter else None,
        "quarter": f"Q{quarter.quarter}" if quarter else None,
        "completed_by": completed_by or None,
        "date_completed": date_completed,
        "template_version": version,
    }
    first_row = 4
    for row, cover_field in enumerate(COVER_FIELDS, start=first_row):
        label = ws.cell(row=row, column=1, value=cover_field.label)
        label.font = BOLD
        value = ws.cell(row=row, column=2, value=prefilled.get(cover_field.key) or given.get(cover_field.key))
        value.border = BOX
        ws.cell(row=row, column=3, value=cover_field.help).alignment = WRAP
        key = cover_field.key
        if key == "template_version" or prefilled.get(key):
            # Fixed by the council: locked, and validated against the one value allowed.
            _only(ws, value.coordinate, str(value.value), cover_field.label)
            continue
        _input(value)
        if key == "quarter":
            validation = DataValidation(type="list", formula1=f'"{",".join(QUARTER_CHOICES)}"',
                                        allow_blank=True)
            validation.error = f"Choose {', '.join(QUARTER_CHOICES)}: {cover_field.help}."
        elif key == "date_completed":
            validation = DataValidation(type="date", operator="greaterThanOrEqual",
                                        formula1=str(EARLIEST_DATE_SERIAL), allow_blank=True)
            validation.error = "Type the date as dd/mm/yyyy."
            value.number_format = DATE_FORMAT
        else:
            validation = DataValidation(allow_blank=True)   # no rule: a prompt only
        _prompt(validation, cover_field.label, cover_field.help)
        ws.add_data_validation(validation)
        validation.add(value.coordinate)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 60
    _protect(ws)


def _measures(ws: Worksheet, measures: tuple[Measure, ...], sheet_name: str, quarter: Quarter | None,
              values: Mapping[str, float | None]) -> None:
    ws["A1"] = f"{sheet_name}: figures for {quarter.label}" if quarter else f"{sheet_name}: figures for the quarter"
    ws["A1"].font = TITLE_FONT
    header_row = 2
    for column, header in enumerate(MEASURE_TABLE_HEADERS, start=1):
        cell = ws.cell(row=header_row, column=column, value=header)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    counts.error = "Type a whole number, 0 or more. Leave the cell empty if the figure is not reported."
    _prompt(counts, "A count", "A whole number, 0 or more. Leave empty if not reported; never 0 for unknown.")
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    money.error = "Type an amount in pounds, 0 or more, with at most 2 decimal places."
    _prompt(money, "Pounds", "An amount in pounds and pence, for example 12345.67. Leave empty if not reported.")
    value_column, notes_column = (MEASURE_TABLE_HEADERS.index(h) + 1 for h in (VALUE_HEADER, NOTES_HEADER))
    for row, measure in enumerate(measures, start=header_row + 1):
        ws.cell(row=row, column=1, value=measure.code).border = BOX
        ws.cell(row=row, column=2, value=measure.label).border = BOX
        value = ws.cell(row=row, column=value_column, value=_cell_value(measure, values.get(measure.code)))
        value.number_format = MONEY_FORMAT if measure.type == "money" else COUNT_FORMAT
        _input(value)
        (money if measure.type == "money" else counts).add(value.coordinate)
        _input(ws.cell(row=row, column=notes_column))
    for validation in (counts, money):
        if validation.sqref:
            ws.add_data_validation(validation)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = min(max(len(m.label) for m in measures) + 4, 90)
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 45
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _protect(ws)


def _commentary(ws: Worksheet, topics: tuple[str, ...], commentary: dict[str, str]) -> None:
    ws["A1"] = f"{COMMENTARY}: a few sentences for each service"
    ws["A1"].font = TITLE_FONT
    header_row = 2
    for column, header in enumerate(COMMENTARY_TABLE_HEADERS, start=1):
        cell = ws.cell(row=header_row, column=column, value=header)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BOX
    for row, topic in enumerate(topics, start=header_row + 1):
        ws.cell(row=row, column=1, value=topic).border = BOX
        ws.cell(row=row, column=1).alignment = WRAP
        text = ws.cell(row=row, column=2, value=commentary.get(topic) or None)
        text.alignment = WRAP
        _input(text)
        ws.row_dimensions[row].height = 90
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    _protect(ws)


# --- helpers --------------------------------------------------------------------


def _cell_value(measure: Measure, value: float | None) -> float | int | None:
    """Counts as whole numbers, money to the penny; None stays blank (never zero)."""
    if value is None:
        return None
    if measure.type == "money":
        return round(float(value), 2)
    return round(value)


def _input(cell) -> None:
    write_text(cell, cell.value)    # a provider's text, never a formula
    cell.protection = UNLOCKED
    cell.fill = INPUT_FILL
    cell.border = BOX


def _prompt(validation: DataValidation, title: str, text: str) -> None:
    validation.showInputMessage = True
    validation.showErrorMessage = True
    validation.promptTitle = title[:32]           # Excel's limits
    validation.prompt = text[:255]
    validation.errorTitle = "Not accepted"


def _only(ws: Worksheet, coordinate: str, value: str, label: str) -> None:
    """A list of the one value allowed, when Excel's list syntax can hold it."""
    if "," in value or '"' in value or len(value) > 250:
        return
    validation = DataValidation(type="list", formula1=f'"{value}"', allow_blank=False)
    validation.error = f"{label} is set by the council: {value}."
    validation.errorTitle = "Not accepted"
    ws.add_data_validation(validation)
    validation.add(coordinate)


def _protect(ws: Worksheet) -> None:
    """Lock labels and codes; no password, so the council can still unlock if needed."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False     # False allows: widening columns
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
