"""Reading returns: the template round trip, another writer, tolerance, errors and refusals.

Each test runs with both cell readers (python-calamine and openpyxl)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

import settings
from data_ingest import reader
from data_ingest.reader import ParsedWorkbook
from models.catalogue import COMMENTARY, COVER
from models.periods import Quarter
from tests.workbooks import (
    COMMENTARY_TEXT,
    DA,
    QUARTER,
    VALID_VALUES,
    VERSION,
    add_part,
    edit,
    filled,
    read,
    rewrite_parts,
    row_of,
    set_cover,
    set_value,
    sheet_part,
    tolerant_xlsxwriter,
    xlsxwriter_formula_return,
)

DATA = Path(__file__).parent / "data"
ONE_STOP, REFUGE, FRESH_START, FINANCE = DA.sheets
MEASURE_SHEETS = DA.sheets
MEASURES = DA.measures_in(VERSION)


def measures_on(sheet: str):
    return DA.measures_on(sheet, VERSION)


def values_of(parsed: ParsedWorkbook) -> dict[str, float | None]:
    return {code: cell.value for code, cell in parsed.values.items()}


def rules(parsed: ParsedWorkbook) -> list[str]:
    return [f.rule for f in parsed.findings]


def only_finding(parsed: ParsedWorkbook, rule: str):
    found = [f for f in parsed.findings if f.rule == rule]
    assert len(found) == 1, [str(f) for f in parsed.findings]
    assert rules(parsed) == [rule], [str(f) for f in parsed.findings]
    return found[0]


@pytest.fixture(scope="module")
def valid() -> bytes:
    return filled()


@pytest.fixture(autouse=True, params=[reader.CALAMINE, reader.OPENPYXL])
def cell_reader(request, monkeypatch):
    """Every test here runs with both cell readers: python-calamine (the default) and openpyxl."""
    monkeypatch.setattr(reader, "ENGINE", request.param)
    return request.param


# --- reading what the template writes -------------------------------------------


def test_filled_template_reads_back_every_value(valid):
    parsed = read(valid)
    assert parsed.findings == []
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    assert parsed.values["FN02"].value == 55000.50 and parsed.values["FN03"].value == 15123.45
    assert parsed.contract_reference == "ASC0013"
    assert parsed.quarter == QUARTER
    assert parsed.cover["provider"].value == "MK ACT"
    assert parsed.cover["completed_by"].value == "Jo Bloggs"
    assert parsed.cover["date_completed"].value == "20/01/2017"
    assert parsed.cover["template_version"].value == "1"
    assert {topic: cell.value for topic, cell in parsed.commentary.items()} == COMMENTARY_TEXT


def test_blanks_stay_not_reported_never_zero():
    blanks = {code: None for code in ("OS11", "RF03", "FS05", "FN03")}
    parsed = read(filled({**VALID_VALUES, **blanks}))
    assert parsed.findings == []
    for code in blanks:
        assert parsed.values[code].value is None
    assert parsed.values["OS10"].value == 5.0


def test_zero_is_read_as_zero_not_blank():
    parsed = read(filled({**VALID_VALUES, "OS11": 0}))
    assert parsed.values["OS11"].value == 0.0


def test_every_value_says_where_it_came_from(valid):
    parsed = read(valid)
    for measure in MEASURES:
        cell = parsed.values[measure.code]
        assert cell.sheet == measure.sheet
        assert cell.location.startswith(f"{measure.sheet}!C")
    # the location is the cell a data officer would open
    refuge = edit(valid, lambda wb: None)
    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(refuge))[REFUGE]
    assert ws[parsed.values["RF04"].cell].value == VALID_VALUES["RF04"]


def test_a_workbook_from_another_writer_with_every_tolerated_variation():
    parsed = read(tolerant_xlsxwriter())
    assert parsed.findings == []
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    assert parsed.quarter == QUARTER
    assert parsed.contract_reference == "ASC0013"
    assert {topic: cell.value for topic, cell in parsed.commentary.items()} == COMMENTARY_TEXT
    # values are found in the Value column wherever it is (B here), rows by code
    assert parsed.values["OS01"].cell[0] == "B"


def test_the_sample_file_from_another_writer_reads_the_same():
    from_file = read((DATA / "other_writer_return.xlsx").read_bytes())
    assert from_file.findings == []
    assert values_of(from_file) == values_of(read(filled()))


# --- tolerance, one variation at a time ------------------------------------------


def _insert_titles_and_blank_rows(wb):
    for sheet in MEASURE_SHEETS:
        ws = wb[sheet]
        ws.insert_rows(1, 3)
        ws["A1"] = "MK ACT – monitoring"
        ws["A2"] = "Value of the quarter's work"          # a title mentioning Value is not the header
        ws.insert_rows(row_of(ws, measures_on(sheet)[1].code), 2)   # two blank rows inside the table


def _reverse_rows(wb):
    for sheet in MEASURE_SHEETS:
        ws = wb[sheet]
        first = row_of(ws, measures_on(sheet)[0].code)
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=ws.max_row)]
        for offset, values in enumerate(reversed(rows)):
            for column, value in enumerate(values, start=1):
                ws.cell(row=first + offset, column=column, value=value)


def _extra_and_moved_columns(wb):
    for sheet in MEASURE_SHEETS:
        ws = wb[sheet]
        ws.insert_cols(1)                     # a row number column before Code
        ws.move_range("D1:D200", cols=3)      # Value moved to the far right (G)
        for row in range(1, ws.max_row + 1):
            ws.cell(row=row, column=1, value=row)


def _lower_case_padded_codes(wb):
    for sheet in MEASURE_SHEETS:
        ws = wb[sheet]
        for measure in measures_on(sheet):
            cell = ws.cell(row=row_of(ws, measure.code), column=1)
            cell.value = f"  {measure.code.lower()} "


def _renamed_sheets(wb):
    for sheet in (COVER, *MEASURE_SHEETS, COMMENTARY):
        wb[sheet].title = f" {sheet.upper()}  "


def _labels_with_colons(wb):
    ws = wb[COVER]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if isinstance(row[0].value, str) and row[0].row > 3:
            row[0].value = f"  {row[0].value.upper()} :"


def _numbers_as_text(wb):
    as_text = {"OS01": "150", "OS02": " 310 ", "RF02": "2,540", "RF15": "1,220 ",
               "FN01": "£60,000.00", "FN02": "55,000.5", "FN03": " £15123.45"}
    for code, text in as_text.items():
        sheet = next(m.sheet for m in MEASURES if m.code == code)
        ws = wb[sheet]
        ws.cell(row=row_of(ws, code), column=3, value=text)


@pytest.mark.parametrize("variation", [
    _insert_titles_and_blank_rows, _reverse_rows, _extra_and_moved_columns, _lower_case_padded_codes,
    _renamed_sheets, _labels_with_colons, _numbers_as_text,
], ids=lambda f: f.__name__.strip("_"))
def test_tolerated_variation_reads_the_same_values(valid, variation):
    parsed = read(edit(valid, variation))
    assert parsed.findings == [], [str(f) for f in parsed.findings]
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    assert parsed.quarter == QUARTER and parsed.contract_reference == "ASC0013"


@pytest.mark.parametrize("year, quarter, expected", [
    ("2016/17", "Q3", Quarter(2016, 3)),
    ("2016-17", 3, Quarter(2016, 3)),
    ("2016/2017", "Quarter 4", Quarter(2016, 4)),
    (" 2017/18 ", "q1", Quarter(2017, 1)),
])
def test_financial_year_and_quarter_in_the_forms_providers_write(valid, year, quarter, expected):
    content = set_cover(set_cover(valid, "Financial year", year), "Quarter", quarter)
    parsed = read(content)
    assert parsed.findings == []
    assert parsed.quarter == expected


def test_a_note_typed_in_the_code_column_is_not_an_unknown_code(valid):
    def note(wb):
        ws = wb[REFUGE]
        ws.cell(row=ws.max_row + 2, column=1, value="Figures checked by the refuge manager")
    parsed = read(edit(valid, note))
    assert parsed.findings == []


def test_commentary_under_an_unknown_topic_is_a_warning_not_lost_silently(valid):
    def extra(wb):
        ws = wb[COMMENTARY]
        ws.cell(row=ws.max_row + 1, column=1, value="Finance")
        ws.cell(row=ws.max_row, column=2, value="Underspend on Refuge.")
    parsed = read(edit(valid, extra))
    finding = only_finding(parsed, "UNKNOWN-COMMENTARY-TOPIC")
    assert finding.severity == "warning"
    assert finding.location == f"{COMMENTARY}!A7"   # the row added below the four topics
    assert "'Finance'" in finding.message and "General" in finding.advice


# --- structural errors ------------------------------------------------------------


def test_missing_sheet(valid):
    parsed = read(edit(valid, lambda wb: wb.remove(wb[FRESH_START])))
    finding = only_finding(parsed, "MISSING-SHEET")
    assert finding.is_error and finding.sheet == FRESH_START
    assert "no sheet called Fresh Start" in finding.message
    assert "FS01" not in parsed.values and "OS01" in parsed.values


def test_missing_required_cover_field(valid):
    def drop(wb):
        ws = wb[COVER]
        ws.delete_rows(next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "Quarter"))
    parsed = read(edit(valid, drop))
    finding = only_finding(parsed, "MISSING-COVER-FIELD")
    assert finding.location == COVER
    assert "'Quarter'" in finding.message and "column A" in finding.advice
    assert parsed.quarter is None


def test_empty_contract_reference(valid):
    parsed = read(set_cover(valid, "Contract reference", "  "))
    finding = only_finding(parsed, "EMPTY-COVER-FIELD")
    assert finding.location == "Cover!B4"
    assert parsed.contract_reference is None


def test_optional_cover_fields_may_be_blank(valid):
    parsed = read(set_cover(set_cover(valid, "Provider", None), "Completed by", None))
    assert parsed.findings == []


@pytest.mark.parametrize("label, text, rule", [
    ("Financial year", "2016", "BAD-FINANCIAL-YEAR"),
    ("Financial year", "2016/18", "BAD-FINANCIAL-YEAR"),
    ("Quarter", "Q5", "BAD-QUARTER"),
    ("Quarter", "third", "BAD-QUARTER"),
])
def test_bad_financial_year_or_quarter(valid, label, text, rule):
    parsed = read(set_cover(valid, label, text))
    finding = only_finding(parsed, rule)
    assert finding.sheet == COVER and finding.cell.startswith("B")
    assert f"'{text}'" in finding.message
    assert parsed.quarter is None


def test_a_template_version_the_type_does_not_have_is_an_error_naming_the_cover_cell(valid):
    # Before template versions were kept this was a warning; now the version says which rows
    # to expect, so a version the type does not have cannot be read (tests/test_template_versions.py).
    parsed = read(set_cover(valid, "Template version", 7))
    finding = only_finding(parsed, "TEMPLATE-VERSION")
    assert finding.is_error
    assert finding.location == "Cover!B10"
    assert "'7'" in finding.message and "versions 1 and 2" in finding.message
    assert parsed.template_version is None and parsed.values == {}


def test_header_row_not_found(valid):
    def rename(wb):
        wb[REFUGE]["C2"] = "Figure"
    parsed = read(edit(valid, rename))
    finding = only_finding(parsed, "HEADER-NOT-FOUND")
    assert finding.location == REFUGE and "first 20 rows" in finding.message
    assert not any(code.startswith("RF") for code in parsed.values)


def test_header_below_row_20_is_not_found(valid):
    parsed = read(edit(valid, lambda wb: wb[FINANCE].insert_rows(1, 19)))
    assert rules(parsed) == ["HEADER-NOT-FOUND"]
    parsed = read(edit(valid, lambda wb: wb[FINANCE].insert_rows(1, 18)))
    assert parsed.findings == []


def test_required_measure_row_missing(valid):
    def delete(wb):
        ws = wb[REFUGE]
        ws.delete_rows(row_of(ws, "RF09"))
    parsed = read(edit(valid, delete))
    finding = only_finding(parsed, "MISSING-MEASURE")
    assert finding.location == REFUGE and "(RF09)" in finding.message
    assert "RF09" not in parsed.values


def test_code_appearing_twice(valid):
    def duplicate(wb):
        ws = wb[ONE_STOP]
        ws.append(["OS04", "New referrals received", 81])
    parsed = read(edit(valid, duplicate))
    finding = only_finding(parsed, "DUPLICATE-CODE")
    assert finding.location == f"{ONE_STOP}!A19"
    assert "OS04 appears twice" in finding.message and "A6" in finding.message


@pytest.mark.parametrize("code, rule", [("OS99", "UNKNOWN-CODE"), ("RF04", "MISPLACED-CODE")])
def test_unknown_or_misplaced_code(valid, code, rule):
    parsed = read(edit(valid, lambda wb: wb[ONE_STOP].append([code, "", 5])))
    finding = only_finding(parsed, rule)
    assert finding.location == f"{ONE_STOP}!A19" and code in finding.message


def test_unknown_text_with_a_value_in_the_code_column_is_an_error(valid):
    parsed = read(edit(valid, lambda wb: wb[ONE_STOP].append(["Other referrals", "", 5])))
    assert rules(parsed) == ["UNKNOWN-CODE"]


@pytest.mark.parametrize("code, typed, rule, words", [
    ("OS03", "about 60", "NOT-A-NUMBER", "'about 60', which is not a number"),
    ("OS03", "n/a", "NOT-A-NUMBER", "not a number"),
    ("OS03", "#DIV/0!", "NOT-A-NUMBER", "Excel error #DIV/0!"),
    ("OS03", True, "NOT-A-NUMBER", "TRUE"),
    ("OS03", "£60", "NOT-A-NUMBER", "not a number"),         # pounds on a count
    ("RF10", -3, "NEGATIVE", "-3, less than zero"),
    ("RF10", "-3", "NEGATIVE", "less than zero"),
    ("FS01", 12.5, "NOT-WHOLE", "12.5, but it must be a whole number"),
    ("FS01", "12.5", "NOT-WHOLE", "whole number"),
    ("FN01", 1234.567, "MONEY-DECIMALS", "more than 2 decimal places"),
    ("FN01", "£1,234.567", "MONEY-DECIMALS", "more than 2 decimal places"),
    ("FN01", -10.5, "NEGATIVE", "less than zero"),
])
def test_bad_value(valid, code, typed, rule, words):
    parsed = read(set_value(valid, code, typed))
    finding = only_finding(parsed, rule)
    assert finding.is_error
    assert finding.location == parsed.values[code].location
    assert words in finding.message and f"({code})" in finding.message
    assert finding.advice
    assert parsed.values[code].value is None     # never stored as a number


def test_a_date_typed_in_a_value_cell(valid):
    from datetime import datetime
    parsed = read(set_value(valid, "OS03", datetime(2017, 1, 5)))
    finding = only_finding(parsed, "NOT-A-NUMBER")
    assert "date" in finding.message and "Number Format" in finding.advice


@pytest.mark.parametrize("code, typed, expected", [
    ("FN01", 1234.5, 1234.5), ("FN01", "1234.50", 1234.5), ("FN01", 0.1 + 0.2, 0.3),
    ("OS03", 60.0, 60.0), ("OS03", "1,234", 1234.0), ("OS03", " ", None),
])
def test_good_values_in_other_forms(valid, code, typed, expected):
    parsed = read(set_value(valid, code, typed))
    assert parsed.findings == []
    assert parsed.values[code].value == expected


def test_formula_never_calculated_written_by_openpyxl():
    parsed = read((DATA / "uncalculated_formula.xlsx").read_bytes())
    finding = only_finding(parsed, "UNCALCULATED-FORMULA")
    assert finding.location == parsed.values["OS01"].location
    assert "formula whose value was never calculated" in finding.message
    assert "open the file in excel and save it again" in finding.advice.lower()
    assert parsed.values["OS01"].value is None


def test_formula_placeholder_from_xlsxwriter_is_not_read_as_zero():
    # XlsxWriter saves 0 as the formula's value and asks Excel to recalculate on opening.
    parsed = read(xlsxwriter_formula_return(cached=None, recalculate_on_load=True))
    assert rules(parsed) == ["UNCALCULATED-FORMULA"]
    assert parsed.values["OS01"].value is None


@pytest.mark.parametrize("cached, recalculate_on_load", [(150, False), (150, True), (0, False)])
def test_formula_with_a_calculated_value_is_read(cached, recalculate_on_load):
    parsed = read(xlsxwriter_formula_return(cached, recalculate_on_load))
    assert parsed.findings == []
    assert parsed.values["OS01"].value == float(cached)


def test_bad_values_sample_file_reports_each_problem_where_it_is():
    parsed = read((DATA / "bad_values.xlsx").read_bytes())
    assert sorted(rules(parsed)) == sorted([
        "NOT-A-NUMBER", "DUPLICATE-CODE", "UNKNOWN-CODE", "NEGATIVE", "NOT-WHOLE",
        "MISSING-MEASURE", "MONEY-DECIMALS"])
    where = {f.rule: f.location for f in parsed.findings}
    assert where["NOT-A-NUMBER"] == parsed.values["OS03"].location
    assert where["NEGATIVE"] == parsed.values["RF10"].location
    assert where["MISSING-MEASURE"] == FRESH_START
    assert all(f.is_error and f.advice for f in parsed.findings)


# --- refusals before parsing -------------------------------------------------------


def refused(content: bytes, rule: str, file_name: str = "return.xlsx"):
    parsed = read(content, file_name)
    finding = only_finding(parsed, rule)
    assert finding.is_error and finding.advice
    assert parsed.values == {} and parsed.cover == {} and parsed.quarter is None
    return finding


@pytest.mark.parametrize("name, rule, words", [
    ("not_a_workbook.xlsx", "NOT-XLSX", "is not an Excel workbook"),
    ("legacy_97_2003.xls", "LEGACY-XLS", "Excel 97-2003"),
    ("password_protected.xlsx", "PASSWORD-PROTECTED", "protected with a password"),
    ("zip_bomb.xlsx", "ZIP-BOMB", "compressed"),
    ("entity_expansion.xlsx", "XML-ENTITIES", "DOCTYPE or ENTITY"),
    ("huge_dimension.xlsx", "SHEET-TOO-LARGE", "A1:XFD1048576"),
])
def test_broken_sample_files_are_refused_with_their_message(name, rule, words):
    finding = refused((DATA / name).read_bytes(), rule, name)
    assert words in finding.message
    if rule != "SHEET-TOO-LARGE":
        assert name in finding.message


def test_huge_dimension_names_the_sheet():
    finding = refused((DATA / "huge_dimension.xlsx").read_bytes(), "SHEET-TOO-LARGE")
    assert finding.sheet == REFUGE


def test_empty_file():
    refused(b"", "EMPTY-FILE")


def test_oversize_file_is_refused_before_reading(valid, monkeypatch):
    monkeypatch.setattr(settings, "UPLOAD_LIMIT_BYTES", len(valid) - 1)
    finding = refused(valid, "TOO-LARGE")
    assert "KB" in finding.message


def test_uncompressed_total_over_the_limit_is_a_zip_bomb(valid, monkeypatch):
    monkeypatch.setattr(settings, "UNCOMPRESSED_LIMIT_BYTES", 20_000)
    finding = refused(valid, "ZIP-BOMB")
    assert "unpacks to" in finding.message


def test_zip_without_workbook_parts():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "zip file but not an Excel workbook" in refused(out.getvalue(), "NOT-XLSX").message


def test_opendocument_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert ".ods" in refused(out.getvalue(), "NOT-XLSX", "return.ods").message


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE x SYSTEM "http://example.com/x.dtd">',
    b'<!doctype x [<!ENTITY a "aaaa">]>',
])
def test_any_dtd_in_any_part_is_refused(valid, declaration):
    def declare(name, data):
        if name != "xl/workbook.xml":
            return data
        if data.startswith(b"<?xml"):
            head, body = data.split(b"?>", 1)
            return head + b"?>" + declaration + body
        return declaration + data
    refused(rewrite_parts(valid, declare), "XML-ENTITIES")


def test_dtd_hidden_in_utf16_is_refused(valid):
    part = sheet_part(valid, COVER)
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]><worksheet/>'
    content = rewrite_parts(valid, lambda name, data: xml.encode("utf-16") if name == part else data)
    refused(content, "XML-ENTITIES")


def _without_dimension(data: bytes) -> bytes:
    start = data.find(b"<dimension")
    return data if start == -1 else data[:start] + data[data.index(b"/>", start) + 2:]


def test_a_sheet_with_too_many_real_cells_is_refused(valid, monkeypatch):
    # The sheet does not say how large it is: its cells are counted as they come.
    monkeypatch.setattr(settings, "SHEET_CELL_LIMIT", 50)
    content = rewrite_parts(valid, lambda name, data: _without_dimension(data) if "worksheets/" in name else data)
    finding = refused(content, "SHEET-TOO-LARGE")
    assert "uses cells as far as" in finding.message


def test_one_cell_far_away_is_refused_without_reading_a_million_rows(valid):
    # No dimension claimed, but a cell at row 1,000,000: openpyxl would pad a million empty rows.
    part = sheet_part(valid, REFUGE)

    def far(name, data):
        if name != part:
            return data
        far_cell = b'<row r="1000000"><c r="D1000000" t="n"><v>1</v></c></row>'
        return _without_dimension(data).replace(b"</sheetData>", far_cell + b"</sheetData>")
    finding = refused(rewrite_parts(valid, far), "SHEET-TOO-LARGE")
    assert "D1000000" in finding.message


@pytest.mark.parametrize("formula", [False, True], ids=["plain sheet", "sheet with a formula"])
def test_cells_written_without_their_reference_are_still_counted(valid, monkeypatch, formula):
    # The quick pass over a sheet needs every cell's reference; without them the cells are walked.
    monkeypatch.setattr(settings, "SHEET_CELL_LIMIT", 100)     # above every sheet of the valid return
    part = sheet_part(valid, REFUGE)

    def unreferenced(name, data):
        if name != part:
            return data
        cells = b"".join(b'<c t="n"><v>1</v></c>' for _ in range(120))
        if formula:
            cells += b"<c><f>1+1</f><v>2</v></c>"
        return _without_dimension(data).replace(b"</sheetData>", b'<row r="90">' + cells + b"</row></sheetData>")
    finding = refused(rewrite_parts(valid, unreferenced), "SHEET-TOO-LARGE")
    assert finding.sheet == REFUGE


def test_encrypted_zip_entries_are_password_protected(valid):
    content = bytearray(valid)
    # set the "encrypted" flag on every local and central directory header
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := content.find(signature, start)) != -1:
            content[start + offset] |= 0x1
            start += 4
    refused(bytes(content), "PASSWORD-PROTECTED")


@pytest.mark.parametrize("cut", [10, 100, 1000, 5000, -100, -22])
def test_damaged_files_never_raise(valid, cut):
    parsed = read(valid[:cut])
    assert parsed.findings and all(f.is_error for f in parsed.findings)
    assert parsed.values == {}


def test_malformed_sheet_xml_never_raises(valid):
    part = sheet_part(valid, ONE_STOP)
    parsed = read(rewrite_parts(valid, lambda n, d: d[: len(d) // 2] if n == part else d))
    assert rules(parsed) == ["UNREADABLE"]


def test_garbage_after_zip_signature_never_raises():
    parsed = read(b"PK\x03\x04" + bytes(range(256)) * 4)
    assert rules(parsed) == ["NOT-XLSX"]


def test_extra_parts_do_not_stop_a_valid_workbook(valid):
    parsed = read(add_part(valid, "customXml/item1.xml", b"<?xml version='1.0'?><x/>"))
    assert parsed.findings == []


@pytest.mark.parametrize("written", [b't="e"', b"t='e'", b't = "e"'])
def test_an_excel_error_is_found_however_the_writer_quotes_its_type(valid, written):
    # An error cell is read as blank by calamine; the safety pass must see it whichever way
    # the cell's type is written, or the error would pass as a figure left blank.
    cell = read(valid).values["OS03"].cell
    part = sheet_part(valid, "One Stop")

    def error_cell(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        return re.sub(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % cell.encode(),
                      b'<c r="%s" %s><v>#DIV/0!</v></c>' % (cell.encode(), written), data, count=1)

    parsed = read(rewrite_parts(valid, error_cell))
    finding = only_finding(parsed, "NOT-A-NUMBER")
    assert "Excel error #DIV/0!" in finding.message and finding.cell == cell
