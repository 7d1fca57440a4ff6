"""The two cell readers and the two safety-pass paths read every real file the same.

The reader reads cells with python-calamine; openpyxl is kept beside it, and the
safety pass scans a sheet by pattern (the fast path) or walks its XML (the full
path). On every workbook in tests/data and sample_data, each of the four ways must
give the same values, the same Cover and commentary, and the same findings naming
the same cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data_ingest import reader, safety
from data_ingest.reader import CALAMINE, OPENPYXL, read_workbook
from models.catalogue import COMMENTARY
from models.contract_types import get_type
from sample_data.contract import CONTRACT
from sample_data.substance_misuse import CONTRACT as SUBSTANCE_MISUSE_CONTRACT
from tests.workbooks import DA, rewrite_parts, sheet_part

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "tests" / "data").glob("*.xls*"), *(ROOT / "sample_data" / "workbooks").glob("*.xlsx"),
                *(ROOT / "sample_data" / "upload").glob("*.xlsx")])
REFUGE = DA.sheets[1]
TYPES = {contract["reference"]: contract["contract_type"] for contract in (CONTRACT, SUBSTANCE_MISUSE_CONTRACT)}


def catalogue_of(reference: str):
    name = TYPES.get(reference, "domestic-abuse")     # tests/data returns are ASC0013's type
    return get_type(name)


def summary(parsed) -> dict:
    """Everything a caller of read_workbook sees."""
    return {
        "values": {code: (cell.value, cell.location) for code, cell in parsed.values.items()},
        "cover": {key: (cell.value, cell.location) for key, cell in parsed.cover.items()},
        "commentary": {topic: (cell.value, cell.location) for topic, cell in parsed.commentary.items()},
        "findings": [f.as_dict() for f in parsed.findings],
        "reference": parsed.contract_reference,
        "quarter": parsed.quarter,
        "version": parsed.template_version,
    }


def test_every_real_file_is_compared():
    names = {path.name for path in FILES}
    assert len(FILES) >= 30
    assert {"valid_return.xlsx", "merged_value_cells.xlsx", "libreoffice_return.xlsx",
            "ASC0042_2016-17_Q3.xlsx"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_calamine_and_openpyxl_read_the_same(path):
    content = path.read_bytes()
    by_calamine = read_workbook(content, path.name, catalogue_of, engine=CALAMINE)
    by_openpyxl = read_workbook(content, path.name, catalogue_of, engine=OPENPYXL)
    assert summary(by_calamine) == summary(by_openpyxl)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_and_full_safety_pass_read_the_same(path):
    content = path.read_bytes()
    fast = read_workbook(content, path.name, catalogue_of, fast=True)
    full = read_workbook(content, path.name, catalogue_of, fast=False)
    assert summary(fast) == summary(full)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_and_full_scans_learn_the_same_of_each_sheet(path):
    content = path.read_bytes()
    try:
        fast = safety.inspect(content, path.name, fast=True)
    except safety.Refused as refused:
        with pytest.raises(safety.Refused) as full:
            safety.inspect(content, path.name, fast=False)
        assert full.value.findings == refused.findings
        return
    full = safety.inspect(content, path.name, fast=False)
    assert fast.paths == full.paths and fast.states == full.states
    for part, scan in fast.sheets.items():
        other = full.sheets[part]
        assert (scan.rows, scan.columns, scan.has_cells, scan.formulas, scan.errors, scan.merged,
                scan.hidden_columns, scan.bad_numbers) == (
            other.rows, other.columns, other.has_cells, other.formulas, other.errors, other.merged,
            other.hidden_columns, other.bad_numbers)
        assert not other.fast


def test_the_sample_takes_the_fast_path():
    # What Excel, LibreOffice and the template write is scanned by pattern; a formula needs the walk.
    inspection = safety.inspect((ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes(), "v.xlsx")
    assert all(scan.fast for scan in inspection.sheets.values())
    inspection = safety.inspect((ROOT / "tests" / "data" / "uncalculated_formula.xlsx").read_bytes(), "u.xlsx")
    assert not all(scan.fast for scan in inspection.sheets.values())


def test_a_sample_sheet_is_proved_small_and_its_last_cell_found_only_when_asked():
    # Every cell within A1:Z999: calamine reads without the sheet's last cell being worked out.
    content = (ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes()
    fast = safety.inspect(content, "v.xlsx")
    full = safety.inspect(content, "v.xlsx", fast=False)
    refuge = fast.scan(REFUGE)
    assert refuge is not None and refuge.extent is None
    read_workbook(content, "v.xlsx", catalogue_of, engine=CALAMINE)
    assert refuge.extent is None
    assert (refuge.rows, refuge.columns) == (full.scan(REFUGE).rows, full.scan(REFUGE).columns) > (20, 3)


@pytest.mark.parametrize(("cell", "row", "bounded"), [
    ("AB40", 40, False), ("C1200", 1200, False), ("C040", 40, False), ("c40", 40, True)])
def test_a_cell_the_quick_pass_may_not_bound_is_read_as_the_walk_reads_it(cell, row, bounded):
    # A cell beyond Z999 (or a row written with a leading zero) makes the fast path find every
    # cell's reference at once; a lower-case reference within Z999 does not. Either
    # way: the walk's extent, and the same reading by both readers and both paths.
    content = (ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes()
    last_row = safety.inspect(content, "v.xlsx").scan(COMMENTARY).rows
    part = sheet_part(content, COMMENTARY)
    extra = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>a note</t></is></c></row>'.encode()
    content = rewrite_parts(content, lambda name, data: data.replace(b"</sheetData>", extra + b"</sheetData>")
                            if name == part else data)
    fast = safety.inspect(content, "v.xlsx").scan(COMMENTARY)
    full = safety.inspect(content, "v.xlsx", fast=False).scan(COMMENTARY)
    assert fast is not None and full is not None and fast.fast
    assert (fast.extent is None) == bounded
    assert (fast.rows, fast.columns, fast.has_cells) == (full.rows, full.columns, full.has_cells)
    assert fast.rows == max(row, last_row)
    by_calamine = read_workbook(content, "v.xlsx", catalogue_of, engine=CALAMINE)
    assert summary(by_calamine) == summary(read_workbook(content, "v.xlsx", catalogue_of, engine=OPENPYXL))
    assert summary(by_calamine) == summary(read_workbook(content, "v.xlsx", catalogue_of, fast=False))
    assert not by_calamine.errors


def test_a_sheet_whose_only_cell_is_in_row_0_reads_as_empty_every_way():
    # No cell in a row: no reader is handed the sheet, so each says the header is missing.
    content = (ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes()
    part = sheet_part(content, COMMENTARY)
    only = b'<sheetData><row r="0"><c r="A0" t="inlineStr"><is><t>a note</t></is></c></row></sheetData>'

    def row_0(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        start, end = data.index(b"<sheetData"), data.index(b"</sheetData>") + len(b"</sheetData>")
        return data[:start] + only + data[end:]
    content = rewrite_parts(content, row_0)
    readings = [summary(read_workbook(content, "v.xlsx", catalogue_of, engine=engine, fast=fast))
                for engine in (CALAMINE, OPENPYXL) for fast in (True, False)]
    assert all(reading == readings[0] for reading in readings)
    assert [(f["rule"], f["sheet"]) for f in readings[0]["findings"]] == [("HEADER-NOT-FOUND", COMMENTARY)]


WORKBOOK_COVER = b'<sheet name="Cover" sheetId="2" state="visible" r:id="rId2" />'


@pytest.mark.parametrize(("part", "old", "new", "why"), [
    # Another namespace's "id" beside r:id: which the cell reader follows is not certain.
    ("xl/workbook.xml", WORKBOOK_COVER,
     b'<sheet xmlns:x="urn:other" name="Cover" sheetId="2" state="visible" x:id="rId1" r:id="rId2" />',
     "its sheet 'Cover' has two inner names"),
    # Two sheets of one name, pointing at different parts: a reader could take either.
    ("xl/workbook.xml", WORKBOOK_COVER, WORKBOOK_COVER.replace(b"rId2", b"rId1") + WORKBOOK_COVER,
     "it has two sheets named 'Cover'"),
    ("xl/_rels/workbook.xml.rels", b'Id="rId2"', b'Id="rId1"', "two of its parts have the same inner name"),
])
def test_a_workbook_naming_a_sheet_two_ways_is_refused(part, old, new, why):
    content = (ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes()

    def twice(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        assert old in data
        return data.replace(old, new, 1)
    changed = rewrite_parts(content, twice)
    for fast in (True, False):
        with pytest.raises(safety.Refused) as refused:
            safety.inspect(changed, "v.xlsx", fast=fast)
        assert refused.value.finding.rule == "NOT-XLSX"
        assert f"would write: {why}." in refused.value.finding.message


def test_the_default_reader_is_calamine_and_can_be_switched(monkeypatch):
    assert reader.ENGINE == CALAMINE
    content = (ROOT / "tests" / "data" / "valid_return.xlsx").read_bytes()
    monkeypatch.setattr(reader, "ENGINE", OPENPYXL)
    assert summary(read_workbook(content, "v.xlsx", catalogue_of)) == summary(
        read_workbook(content, "v.xlsx", catalogue_of, engine=CALAMINE))
    with pytest.raises(ValueError):
        read_workbook(content, "v.xlsx", catalogue_of, engine="xlrd")


# --- values the two readers could give differently ------------------------------------------

ODD_VALUES = [
    pytest.param("  12 ", id="padded-text"), pytest.param("1,234", id="thousands-text"),
    pytest.param("line\nbreak", id="line-break"), pytest.param("_x000D_", id="escaped-text"),
    pytest.param(True, id="boolean"), pytest.param(0, id="zero"), pytest.param(12.0, id="float"),
    pytest.param(0.1 + 0.2, id="float-noise"), pytest.param("#N/A", id="error-text"),
    pytest.param("=1/0", id="error-formula"), pytest.param("=\"abc\"", id="text-formula"),
    pytest.param("", id="empty-string"), pytest.param(None, id="blank"),
    pytest.param(1e12, id="largest"), pytest.param(-0.0, id="negative-zero"),
]


def _xlsxwriter_return(value, number_format: str | None = None) -> bytes:
    """The valid return by XlsxWriter, with ``value`` in OS03's Value cell and the Cover's
    Completed by (a formula given as text starting with "=")."""
    import io

    import xlsxwriter

    from models.catalogue import COMMENTARY, COVER, COVER_FIELDS
    from tests.workbooks import DA, VALID_VALUES, VERSION

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    style = book.add_format({"num_format": number_format}) if number_format else None
    cover = book.add_worksheet(COVER)
    labels = {"contract_reference": "ASC0013", "financial_year": "2016/17", "quarter": "Q3",
              "template_version": VERSION}
    for row, cover_field in enumerate(COVER_FIELDS):
        cover.write(row, 0, cover_field.label)
        if cover_field.key == "completed_by":
            cover.write(row, 1, value, style)
        else:
            cover.write(row, 1, labels.get(cover_field.key, ""))
    for sheet_name in DA.sheets:
        ws = book.add_worksheet(sheet_name)
        ws.write_row(0, 0, ["Code", "Measure", "Value"])
        for row, measure in enumerate(DA.measures_on(sheet_name, VERSION), start=1):
            ws.write_row(row, 0, [measure.code, measure.label])
            if measure.code == "OS03":
                ws.write(row, 2, value, style)
            else:
                ws.write_number(row, 2, VALID_VALUES[measure.code])
    comments = book.add_worksheet(COMMENTARY)
    comments.write_row(0, 0, ["Service", "Commentary"])
    comments.write(1, 0, "Refuge")
    comments.write(1, 1, value, style)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_values_read_the_same_by_both_readers(value):
    content = _xlsxwriter_return(value)
    assert summary(read_workbook(content, "odd.xlsx", catalogue_of, engine=CALAMINE)) == summary(
        read_workbook(content, "odd.xlsx", catalogue_of, engine=OPENPYXL))


@pytest.mark.parametrize("value, number_format", [
    (42736, "dd/mm/yyyy"), (42736.5, "dd/mm/yyyy hh:mm"), (0.5, "hh:mm"), (1.5, "[h]:mm"),
    (0.25, "0%"), (1234.5, "£#,##0.00"), (12, "@"),
])
def test_formatted_numbers_read_the_same_by_both_readers(value, number_format):
    content = _xlsxwriter_return(value, number_format)
    assert summary(read_workbook(content, "odd.xlsx", catalogue_of, engine=CALAMINE)) == summary(
        read_workbook(content, "odd.xlsx", catalogue_of, engine=OPENPYXL))


def test_a_carriage_return_is_read_as_excel_shows_it():
    # XlsxWriter (like Excel) saves a carriage return as _x000D_; calamine decodes it as Excel
    # does, openpyxl leaves the escape in the text: the one known difference, openpyxl's.
    content = _xlsxwriter_return("line\r\nbreak")
    parsed = read_workbook(content, "cr.xlsx", catalogue_of, engine=CALAMINE)
    assert parsed.commentary["Refuge"].value == "line\r\nbreak"
    assert read_workbook(content, "cr.xlsx", catalogue_of, engine=OPENPYXL).commentary["Refuge"].value \
        == "line_x000D_\nbreak"
