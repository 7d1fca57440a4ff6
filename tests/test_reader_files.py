"""Nothing lost silently from a workbook, and real files from other programs (issues 12 and 14).

Each broken file is in tests/data (made by tests/data/make_files.py); each test says
what a provider or a data officer would check: the message names the sheet and the
cell and says what to do, and nothing is stored when the return is refused.
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import users
from data_ingest.layout import COMMENTARY_TEXT_LIMIT, COVER_TEXT_LIMIT
from data_ingest.store import ingest_file
from models.catalogue import COMMENTARY, COVER
from models.periods import Quarter
from models.schema import Contract, MeasureValue, Provider, Submission
from sample_data import quarters
from sample_data.contract import CONTRACT
from tests.workbooks import (
    COMMENTARY_TEXT,
    DA,
    QUARTER,
    TODAY,
    VALID_VALUES,
    filled,
    read,
    rewrite_parts,
    set_cover,
    set_value,
)

DATA = Path(__file__).parent / "data"
ACTOR = users.local_actor("test")


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def values_of(parsed) -> dict[str, float | None]:
    return {code: cell.value for code, cell in parsed.values.items()}


def where(parsed, rule: str) -> list[str]:
    return [f.location for f in parsed.findings if f.rule == rule]


@pytest.fixture
def contract_engine(engine):
    with Session(engine) as session, session.begin():
        fields = {k: v for k, v in CONTRACT.items() if k != "provider"}
        session.add(Contract(**fields, provider=Provider(name=CONTRACT["provider"])))
    return engine


def stored_count(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Submission)),
                connection.scalar(select(func.count()).select_from(MeasureValue)))


def ingest(engine, content: bytes, name: str):
    return ingest_file(engine, content, name, ACTOR, today=TODAY)


# --- merged cells over the Value column ------------------------------------------------------


def test_merged_value_cells_are_refused_naming_the_cells():
    parsed = read(data("merged_value_cells.xlsx"))
    [finding] = [f for f in parsed.findings if f.rule == "MERGED-CELLS"]
    assert finding.is_error and finding.location == "Refuge!C6"
    assert "C6:C7 are merged" in finding.message
    assert "(RF04)" in finding.message and "(RF05)" in finding.message
    assert "Unmerge" in finding.advice
    # never a blank standing for the 36 children
    assert parsed.values["RF05"].value is None and parsed.errors


def test_a_merged_return_stores_nothing(contract_engine):
    result = ingest(contract_engine, data("merged_value_cells.xlsx"), "merged.xlsx")
    assert result.status == "rejected"
    assert any(f.rule == "MERGED-CELLS" and f.location == "Refuge!C6" for f in result.errors)
    assert stored_count(contract_engine) == (0, 0)


def test_merging_value_and_notes_of_one_row_loses_nothing():
    from tests.workbooks import edit
    parsed = read(edit(filled(), lambda wb: wb["Refuge"].merge_cells("C6:D6")))
    assert parsed.findings == [] and parsed.values["RF04"].value == 28


def test_merged_commentary_rows_are_a_warning_naming_the_cell():
    from tests.workbooks import edit
    parsed = read(edit(filled(), lambda wb: wb[COMMENTARY].merge_cells("B3:B4")))
    [finding] = parsed.findings
    assert finding.rule == "MERGED-CELLS" and finding.location == f"{COMMENTARY}!B4"
    assert "Refuge" not in parsed.commentary


# --- hidden sheets and columns ----------------------------------------------------------------


def test_a_very_hidden_copy_is_not_read_in_place_of_the_visible_sheet():
    parsed = read(data("very_hidden_refuge.xlsx"))
    assert parsed.values["RF04"].value == 28          # the visible sheet, not the hidden 3
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    [finding] = parsed.findings
    assert finding.rule == "HIDDEN-SHEET" and not finding.is_error and finding.location == "Refuge"
    assert "very hidden" in finding.message and "visible Refuge sheet" in finding.message


def test_the_visible_sheet_is_what_is_stored(contract_engine):
    result = ingest(contract_engine, data("very_hidden_refuge.xlsx"), "hidden.xlsx")
    assert result.status == "stored"
    assert result.values["RF04"] == 28
    assert [f.rule for f in result.warnings] == ["HIDDEN-SHEET"]


def test_a_hidden_required_sheet_is_read_with_a_warning_naming_it():
    parsed = read(data("hidden_finance_sheet.xlsx"))
    [finding] = parsed.findings
    assert finding.rule == "HIDDEN-SHEET" and finding.location == "Finance"
    assert "Unhide" in finding.advice
    assert parsed.values["FN02"].value == 55000.50


def test_hidden_value_columns_are_warned_naming_the_header_cell():
    parsed = read(data("hidden_value_columns.xlsx"))
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    assert parsed.values["OS01"].cell == "D3"          # the visible Value column, not the hidden C
    assert where(parsed, "HIDDEN-COLUMN") == ["One Stop!C2", "Refuge!C2"]
    one_stop, refuge = parsed.findings
    assert "not read" in one_stop.message and "Delete the hidden column C" in one_stop.advice
    assert "hidden" in refuge.message and "read all the same" in refuge.message
    assert "Unhide column C" in refuge.advice


# --- numbers too large to mean anything -------------------------------------------------------


def test_impossible_numbers_saved_in_the_file_are_refused_naming_each_cell():
    parsed = read(data("impossible_numbers.xlsx"), "impossible.xlsx")
    assert [(f.rule, f.location) for f in parsed.findings] == [
        ("NOT-A-NUMBER", "One Stop!C3"), ("NUMBER-TOO-LARGE", "Refuge!C4"), ("NOT-A-NUMBER", "Finance!C3")]
    assert all(f.is_error and "Type the real figure" in f.advice for f in parsed.findings)
    assert "1E+308" in parsed.findings[1].message and "too large" in parsed.findings[1].message
    assert "'NaN'" in parsed.findings[0].message and "'INF'" in parsed.findings[2].message
    assert not any("could not be read" in f.message for f in parsed.findings)
    assert parsed.values == {}


def test_an_impossible_number_stores_nothing(contract_engine):
    result = ingest(contract_engine, data("impossible_numbers.xlsx"), "impossible.xlsx")
    assert result.status == "rejected" and stored_count(contract_engine) == (0, 0)
    assert "Refuge!C4" in [f.location for f in result.errors]


@pytest.mark.parametrize("code, typed", [("FN01", 1e308), ("FN01", 1e15), ("OS01", 5e12), ("RF02", -1e20)])
def test_huge_numbers_typed_in_a_value_cell(code, typed):
    # 1E+308 in a money cell was "could not be read as an Excel workbook (OverflowError)".
    parsed = read(set_value(filled(), code, typed))
    [finding] = parsed.findings
    assert finding.rule == "NUMBER-TOO-LARGE" and finding.is_error
    assert finding.location == f"{DA.measures_by_code[code].sheet}!C{finding.cell[1:]}"
    assert "could not be read" not in finding.message


@pytest.mark.parametrize("typed", ["1,000,000,000,000,000", "£5,000,000,000,000.00"])
def test_huge_numbers_typed_as_text(typed):
    parsed = read(set_value(filled(), "FN01", typed))
    [finding] = parsed.findings
    assert finding.rule == "NUMBER-TOO-LARGE" and "(FN01)" in finding.message
    assert parsed.values["FN01"].value is None


def test_the_largest_figure_is_still_read():
    parsed = read(set_value(filled(), "FN01", 999_999_999_999.99))
    assert parsed.findings == [] and parsed.values["FN01"].value == 999_999_999_999.99


# --- text limits --------------------------------------------------------------------------------


def test_texts_over_their_limits_are_refused_naming_the_cell():
    parsed = read(data("long_texts.xlsx"))
    assert [(f.rule, f.location) for f in parsed.findings] == [
        ("TEXT-TOO-LONG", f"{COVER}!B8"), ("TEXT-TOO-LONG", f"{COMMENTARY}!B4")]
    cover, commentary = parsed.findings
    assert "Completed by is 255 characters long" in cover.message and "200" in cover.message
    assert "commentary for Refuge is 6,000 characters" in commentary.message and "5,000" in commentary.message
    assert all("refused" in f.message and "Shorten it" in f.advice for f in parsed.findings)
    # what is kept is bounded, whatever was sent
    assert len(parsed.commentary["Refuge"].value) == COMMENTARY_TEXT_LIMIT
    assert len(parsed.cover["completed_by"].value) == COVER_TEXT_LIMIT


def test_a_long_text_stores_nothing(contract_engine):
    result = ingest(contract_engine, data("long_texts.xlsx"), "long.xlsx")
    assert result.status == "rejected" and stored_count(contract_engine) == (0, 0)


def test_a_megabyte_of_commentary_is_refused_and_not_kept():
    words = random.Random(12).choices(["refuge", "referral", "week", "housing", "safe", "plan", "court"], k=160_000)
    text = " ".join(words)[:1_000_000]
    # Excel and the template stop at 32,767 characters; another program need not.
    def megabyte(name, part):
        return part.replace(b"No concerns.", text.encode()) if name.startswith("xl/worksheets/") else part
    content = rewrite_parts(filled(), megabyte)
    assert len(content) < 1_000_000
    parsed = read(content)
    [finding] = parsed.findings
    assert finding.rule == "TEXT-TOO-LONG" and finding.location == f"{COMMENTARY}!B6"
    assert "1,000,000 characters" in finding.message
    assert len(parsed.commentary["General"].value) == COMMENTARY_TEXT_LIMIT


def test_texts_at_their_limits_are_read():
    commentary = {**COMMENTARY_TEXT, "Refuge": "x" * COMMENTARY_TEXT_LIMIT}
    content = set_cover(filled(commentary=commentary), "Provider", "P" * COVER_TEXT_LIMIT)
    parsed = read(content)
    assert parsed.findings == []
    assert parsed.commentary["Refuge"].value == "x" * COMMENTARY_TEXT_LIMIT


# --- a workbook of 300,000 cells ------------------------------------------------------------------


def big_return(extra_sheets: dict[str, int]) -> bytes:
    """The valid return with extra sheets of the given numbers of cells (10 numbers a row),
    their XML written directly, as a program writing cells in bulk would."""
    content = filled()
    sheets = list(extra_sheets.items())

    def sheet_xml(cells: int) -> bytes:
        rows = []
        for row in range(1, cells // 10 + 1):
            row_cells = "".join(f'<c r="{letter}{row}"><v>{row * 10 + n}</v></c>'
                                for n, letter in enumerate("ABCDEFGHIJ"))
            rows.append(f'<row r="{row}">{row_cells}</row>')
        return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + "".join(rows) + "</sheetData></worksheet>").encode()

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            listed = "".join(f'<sheet name="{sheet}" sheetId="{100 + n}" r:id="rIdX{n}" />'
                             for n, (sheet, _) in enumerate(sheets))
            return data.replace(b"</sheets>", listed.encode() + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            rels = "".join(f'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                           f'relationships/worksheet" Target="/xl/worksheets/extra{n}.xml" Id="rIdX{n}" />'
                           for n in range(len(sheets)))
            return data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
        if name == "[Content_Types].xml":
            types = "".join(f'<Override PartName="/xl/worksheets/extra{n}.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml" />'
                            for n in range(len(sheets)))
            return data.replace(b"</Types>", types.encode() + b"</Types>")
        return data
    content = rewrite_parts(content, change)
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for n, (_, cells) in enumerate(sheets):
            archive.writestr(f"xl/worksheets/extra{n}.xml", sheet_xml(cells))
    return out.getvalue()


def test_a_sheet_of_300000_cells_is_refused_naming_it():
    parsed = read(big_return({"Working": 300_000}))
    [finding] = parsed.findings
    assert finding.rule == "SHEET-TOO-LARGE" and finding.sheet == "Working"
    assert "J30000" in finding.message and "Delete the rows and columns" in finding.advice
    assert parsed.values == {}


def test_a_workbook_of_300000_cells_in_sheets_not_read_is_read_in_bounded_memory():
    content = big_return({f"Working {n}": 75_000 for n in range(1, 5)})
    tracemalloc.start()
    try:
        parsed = read(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.findings == []
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    # the parts are held while scanned (at most the unpacked limit); no cell of the extra sheets is
    # made a Python object
    assert peak < 40 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"


# --- returns saved by other programs -------------------------------------------------------------


def test_a_return_saved_by_libreoffice_reads_the_sample_figures():
    parsed = read(data("libreoffice_return.xlsx"))
    assert parsed.findings == []
    sample = quarters.VALUES[Quarter(2016, 3)]
    assert values_of(parsed) == {code: None if v is None else float(v) for code, v in sample.items()}
    assert parsed.quarter == Quarter(2016, 3) and parsed.contract_reference == "ASC0013"
    assert parsed.cover["date_completed"].value == quarters.DATE_COMPLETED[Quarter(2016, 3)].strftime("%d/%m/%Y")


def test_a_substance_misuse_return_saved_by_libreoffice():
    from models.contract_types import get_type
    from sample_data import substance_misuse

    parsed = read(data("libreoffice_substance_misuse_return.xlsx"), catalogue=get_type("substance-misuse"))
    assert parsed.findings == [] and parsed.contract_reference == "ASC0042"
    expected = substance_misuse.VALUES[Quarter(2016, 3)]
    assert values_of(parsed) == {code: None if v is None else float(v) for code, v in expected.items()}


def test_another_writers_return_resaved_by_libreoffice():
    parsed = read(data("libreoffice_other_writer_return.xlsx"))
    assert parsed.findings == []
    assert values_of(parsed) == {code: float(v) for code, v in VALID_VALUES.items()}
    assert {topic: cell.value for topic, cell in parsed.commentary.items()} == COMMENTARY_TEXT


def test_a_formula_calculated_by_libreoffice_is_read():
    # The formula openpyxl wrote uncalculated; LibreOffice calculated it on opening and saved 150.
    assert [f.rule for f in read(data("uncalculated_formula.xlsx")).findings] == ["UNCALCULATED-FORMULA"]
    parsed = read(data("libreoffice_formula_return.xlsx"))
    assert parsed.findings == [] and parsed.values["OS01"].value == 150


def test_a_formula_calculated_by_xlsxwriter_is_read():
    parsed = read(data("xlsxwriter_formula_return.xlsx"))
    assert parsed.findings == [] and parsed.values["OS01"].value == 150


def test_a_libreoffice_return_is_stored(contract_engine):
    result = ingest(contract_engine, data("libreoffice_other_writer_return.xlsx"), "lo.xlsx")
    assert result.status == "stored", [str(f) for f in result.errors]
    assert result.values["RF05"] == 36
    assert stored_count(contract_engine)[0] == 1
    assert Quarter(2016, 3) == QUARTER


def test_a_sheet_of_ten_thousand_merged_ranges_is_refused_naming_it():
    # Each range would be looked at for every figure: a hostile file could make that slow.
    from tests.workbooks import sheet_part
    content = filled()
    part = sheet_part(content, "Refuge")
    merges = "".join(f'<mergeCell ref="E{row}:F{row}"/>' for row in range(1, 10_002))
    merged = f'<mergeCells count="10001">{merges}</mergeCells>'.encode()
    content = rewrite_parts(content, lambda name, data: data.replace(b"</sheetData>", b"</sheetData>" + merged)
                            if name == part else data)
    parsed = read(content)
    [finding] = parsed.findings
    assert finding.rule == "SHEET-TOO-LARGE" and finding.sheet == "Refuge"
    assert "10,001 merged ranges" in finding.message and "Unmerge" in finding.advice
