"""Small workbooks for tests: a valid return, and ways of spoiling it.

Every workbook starts from the real template (``write_template``) or from a
different writer (XlsxWriter), so tests exercise the files providers send. They
are returns of the domestic-abuse contract type, template version 1 unless a
test asks for another.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date

import openpyxl
import xlsxwriter

from data_ingest.checks import ContractTerms
from data_ingest.reader import ParsedWorkbook, read_workbook
from data_ingest.template import write_template
from models.catalogue import COMMENTARY, COVER, COVER_FIELDS, Catalogue
from models.contract_types import get_type
from models.periods import Quarter

#: The type of the sample contract ASC0013, and the template version of the returns here.
DA = get_type("domestic-abuse")
VERSION = 1

QUARTER = Quarter(2016, 3)                    # 2016/17 Q3, 92 days
TODAY = date(2017, 2, 1)
CONTRACT = ContractTerms("ASC0013", date(2014, 9, 1), date(2019, 8, 31), {"refuge_capacity": 28})

#: A return for ASC0013 2016/17 Q3 that passes every check (figures close to the
#: council's report: 28 women and 36 children resident, 62/5/0 risk scores).
VALID_VALUES: dict[str, float | None] = {
    "OS01": 150, "OS02": 310, "OS03": 60, "OS04": 80, "OS05": 80, "OS06": 54, "OS07": 52,
    "OS08": 67, "OS09": 62, "OS10": 5, "OS11": 0, "OS12": 20, "OS13": 40, "OS14": 45,
    "OS15": 50, "OS16": 10,
    "RF01": 28, "RF02": 2540, "RF03": 10, "RF04": 28, "RF05": 36, "RF06": 20, "RF07": 10,
    "RF08": 4, "RF09": 2, "RF10": 40, "RF11": 25, "RF12": 5, "RF13": 4, "RF14": 4,
    "RF15": 1220, "RF16": 3, "RF17": 4, "RF18": 3, "RF19": 2, "RF20": 1, "RF21": 1,
    "FS01": 30, "FS02": 15, "FS03": 10, "FS04": 8, "FS05": 300, "FS06": 17, "FS07": 4,
    "FS08": 3, "FS09": 12, "FS10": 21, "FS11": 10, "FS12": 9,
    "FN01": 60000.00, "FN02": 55000.50, "FN03": 15123.45,
}
assert set(VALID_VALUES) == {m.code for m in DA.measures_in(VERSION)}

#: The same return on template version 2, with the figures version 2 adds: 30 adults
#: supported (28 women, 1 man, 1 not known) and 5 households not supported.
VALID_VALUES_V2: dict[str, float | None] = {
    **VALID_VALUES, "RF22": 30, "RF23": 28, "RF24": 1, "RF25": 1, "RF26": 2, "RF27": 3,
}
assert set(VALID_VALUES_V2) == {m.code for m in DA.measures_in(2)}

COMMENTARY_TEXT = {
    "One Stop": "Referrals rose after the autumn campaign.",
    "Refuge": "Full all quarter.\nOne unit redecorated in November.",
    "Fresh Start": "New development worker started in October.",
    "General": "No concerns.",
}


def valid_history(quarter: Quarter = QUARTER) -> dict[Quarter, dict[str, float | None]]:
    """The four quarters before ``quarter``, each like the valid return (no warnings raised)."""
    history = {}
    q = quarter
    for _ in range(4):
        q = q.previous()
        history[q] = dict(VALID_VALUES)
    # A year to date that grows within the year.
    history[quarter.previous()]["OS02"] = VALID_VALUES["OS02"] - 50
    return history


def filled(values: dict[str, float | None] | None = None, *, quarter: Quarter | None = QUARTER,
           reference: str | None = "ASC0013", commentary: dict[str, str] | None = None,
           version: int = VERSION) -> bytes:
    """A completed return written by the template (VALID_VALUES unless given)."""
    out = io.BytesIO()
    write_template(out, DA, reference=reference, provider="MK ACT", quarter=quarter,
                   values=VALID_VALUES if values is None else values,
                   commentary=COMMENTARY_TEXT if commentary is None else commentary,
                   completed_by="Jo Bloggs", date_completed=date(2017, 1, 20), version=version)
    return out.getvalue()


def read(content: bytes, file_name: str = "workbook.xlsx", catalogue: Catalogue = DA) -> ParsedWorkbook:
    """A workbook read as a return of the domestic-abuse type."""
    return read_workbook(content, file_name, catalogue)


def version_for(values: dict[str, float | None]) -> int:
    """The first template version holding every measure of ``values``."""
    return min(v for v in DA.versions if set(values) <= {m.code for m in DA.measures_in(v)})


def with_values(**changes: float | None) -> bytes:
    return filled({**VALID_VALUES, **changes})


def edit(content: bytes, change: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The workbook after ``change`` (given the openpyxl workbook) and saving again."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(worksheet, code: str) -> int:
    for row in worksheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == code:
            return row[0].row
    raise KeyError(code)


def set_value(content: bytes, code: str, value: object) -> bytes:
    """Type ``value`` (anything, text included) in the Value cell of ``code``."""
    sheet = DA.measures_by_code[code].sheet

    def change(workbook):
        ws = workbook[sheet]
        ws.cell(row=row_of(ws, code), column=3, value=value)
    return edit(content, change)


def set_cover(content: bytes, label: str, value: object) -> bytes:
    def change(workbook):
        ws = workbook[COVER]
        for row in ws.iter_rows(min_col=1, max_col=2):
            if row[0].value == label:
                row[1].value = value
                return
        raise KeyError(label)
    return edit(content, change)


def rewrite_parts(content: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """Rebuild the zip with each part passed through ``change(name, data)`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
    return out.getvalue()


def add_part(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def sheet_part(content: bytes, sheet_name: str) -> str:
    """The zip path of a sheet's XML."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        return workbook[sheet_name]._worksheet_path
    finally:
        workbook.close()


def tolerant_xlsxwriter(values: dict[str, float | None] = VALID_VALUES) -> bytes:
    """The valid return as a provider's own workbook, written by XlsxWriter, with everything the
    reader must tolerate: odd sheet names, titles and blank rows above the table, extra and
    reordered columns, rows in reverse order with notes between them, lower-case padded codes,
    numbers typed as text, cover labels with colons and spaces, an extra sheet."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("Our notes").write("A1", "Not part of the return")
    cover = book.add_worksheet(f"  {COVER.upper()} ")
    cover.write("A1", "MK ACT quarterly return")
    labels = {
        "contract_reference": "ASC0013", "provider": "MK ACT", "financial_year": "2016-17",
        "quarter": "Quarter 3", "completed_by": "Jo Bloggs", "date_completed": "20/01/2017",
        "template_version": VERSION,
    }
    for row, cover_field in enumerate(COVER_FIELDS, start=3):
        cover.write(row, 0, f" {cover_field.label.lower()} : ")
        cover.write(row, 1, labels[cover_field.key])
    for sheet_name in DA.sheets:
        ws = book.add_worksheet(sheet_name.lower())
        ws.write("A1", f"{sheet_name} – quarter 3")
        ws.write("A2", "Prepared by the data officer")
        # Header on row 5, columns reordered, with an extra column first.
        header = ["Ref", "Value", "Notes", "Measure", "Code"]
        for column, text in enumerate(header):
            ws.write(4, column, text.upper() if text == "Value" else text)
        row = 6
        for index, measure in enumerate(reversed(DA.measures_on(sheet_name, VERSION))):
            value = values.get(measure.code)
            ws.write(row, 0, index + 1)
            ws.write(row, 3, measure.label)
            ws.write(row, 4, f"  {measure.code.lower()} ")
            if value is not None:
                if measure.type == "money":
                    ws.write_string(row, 1, f"£{value:,.2f}")
                elif index % 3 == 0:
                    ws.write_string(row, 1, f" {value:,.0f} ")
                else:
                    ws.write_number(row, 1, value)
            row += 1
            if index % 5 == 4:
                ws.write(row, 4, "Figures checked by the manager")   # a note in the Code column
                row += 2                                             # and a blank row
    comments = book.add_worksheet(f"{COMMENTARY.lower()} ")
    comments.write("A1", "Commentary for the quarter")
    comments.write("A3", "service")
    comments.write("B3", "COMMENTARY")
    for row, (topic, text) in enumerate(COMMENTARY_TEXT.items(), start=3):
        comments.write(row, 0, topic.upper())
        comments.write(row, 1, text)
    book.close()
    return out.getvalue()


def xlsxwriter_formula_return(cached: float | None, recalculate_on_load: bool) -> bytes:
    """The valid return by XlsxWriter, with OS01 as a formula.

    ``cached`` is the value saved with the formula (XlsxWriter writes 0 when not
    given); ``recalculate_on_load`` is XlsxWriter's default flag asking Excel to
    recalculate, which a file saved by Excel does not have.
    """
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    if not recalculate_on_load:
        book.calc_on_load = False
    cover = book.add_worksheet(COVER)
    labels = {"contract_reference": "ASC0013", "financial_year": "2016/17", "quarter": "Q3"}
    for row, cover_field in enumerate(COVER_FIELDS):
        cover.write(row, 0, cover_field.label)
        cover.write(row, 1, labels.get(cover_field.key, ""))
    for sheet_name in DA.sheets:
        ws = book.add_worksheet(sheet_name)
        ws.write_row(0, 0, ["Code", "Measure", "Value"])
        for row, measure in enumerate(DA.measures_on(sheet_name, VERSION), start=1):
            ws.write(row, 0, measure.code)
            ws.write(row, 1, measure.label)
            if measure.code == "OS01":
                if cached is None:
                    ws.write_formula(row, 2, "=100+50")
                else:
                    ws.write_formula(row, 2, "=100+50", None, cached)
            else:
                ws.write_number(row, 2, VALID_VALUES[measure.code])
    book.add_worksheet(COMMENTARY).write_row(0, 0, ["Service", "Commentary"])
    book.close()
    return out.getvalue()


def sample_return(quarter: Quarter, **changed: float | None) -> bytes:
    """The sample contract's return for ``quarter``, with the values named changed."""
    from sample_data import quarters

    values = {**quarters.VALUES[quarter], **changed}
    out = io.BytesIO()
    write_template(out, DA, reference="ASC0013", provider="MK ACT", quarter=quarter, values=values,
                   completed_by="Data officer", date_completed=quarters.DATE_COMPLETED[quarter],
                   version=version_for(values))
    return out.getvalue()
