"""The template a provider fills in: its sheets, locked labels, marked and validated inputs."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from data_ingest.reader import MEASURE_TABLE_HEADERS, VALUE_HEADER
from data_ingest.template import INSTRUCTIONS, write_template
from models.catalogue import COMMENTARY, COVER, COVER_FIELDS
from models.periods import Quarter
from tests.workbooks import DA, VALID_VALUES, filled, read

VALUE_COLUMN = MEASURE_TABLE_HEADERS.index(VALUE_HEADER) + 1
#: A template is written for the type's latest version unless another is asked for.
TEMPLATE_VERSION = DA.latest_version
MEASURE_SHEETS = DA.sheets
REQUIRED_SHEETS = DA.required_sheets
COMMENTARY_TOPICS = DA.commentary_topics
MEASURES = DA.measures_in(TEMPLATE_VERSION)
CHECKS = tuple(c for c in DA.checks_in(TEMPLATE_VERSION) if c.is_error)


def measures_on(sheet: str):
    return DA.measures_on(sheet, TEMPLATE_VERSION)


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def blank() -> openpyxl.Workbook:
    out = io.BytesIO()
    write_template(out, DA)
    return load(out.getvalue())


@pytest.fixture(scope="module")
def for_contract() -> openpyxl.Workbook:
    out = io.BytesIO()
    write_template(out, DA, reference="ASC0013", provider="MK ACT", quarter=Quarter(2016, 3))
    return load(out.getvalue())


def cover_cell(wb, label):
    for row in wb[COVER].iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            return row[1]
    raise KeyError(label)


def validations_of(ws, coordinate):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def test_sheets_in_order_instructions_first(blank):
    assert blank.sheetnames == [INSTRUCTIONS, *REQUIRED_SHEETS]
    assert blank.active.title == INSTRUCTIONS


@pytest.mark.parametrize("sheet", MEASURE_SHEETS)
def test_measure_sheet_has_a_title_a_header_and_one_row_per_measure(blank, sheet):
    ws = blank[sheet]
    assert sheet in ws["A1"].value
    assert [c.value for c in ws[2]] == list(MEASURE_TABLE_HEADERS)
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=3, max_col=2)]
    assert rows == [(m.code, m.label) for m in measures_on(sheet)]


def test_every_measure_of_the_catalogue_is_on_the_template(blank):
    on_template = {ws.cell(row=r, column=1).value for sheet in MEASURE_SHEETS
                   for ws in [blank[sheet]] for r in range(3, ws.max_row + 1)}
    assert on_template == {m.code for m in MEASURES}


def test_labels_are_locked_and_inputs_unlocked_and_marked(blank):
    for sheet in (*MEASURE_SHEETS, COVER, COMMENTARY, INSTRUCTIONS):
        ws = blank[sheet]
        assert ws.protection.sheet is True
        assert not ws.protection.password            # no password: the council can always unlock
    for measure in MEASURES:
        ws = blank[measure.sheet]
        row = 3 + measures_on(measure.sheet).index(measure)
        code, label, value, notes = (ws.cell(row=row, column=c) for c in range(1, 5))
        assert code.protection.locked and label.protection.locked
        assert not value.protection.locked and not notes.protection.locked
        assert value.fill.fgColor.rgb.endswith("FFF2CC")           # marked for input
        assert code.fill.fill_type is None
    for row in range(3, 3 + len(COMMENTARY_TOPICS)):
        assert blank[COMMENTARY].cell(row=row, column=1).protection.locked
        assert not blank[COMMENTARY].cell(row=row, column=2).protection.locked


def test_counts_validated_as_whole_numbers_and_money_as_decimals(blank):
    for measure in MEASURES:
        ws = blank[measure.sheet]
        cell = ws.cell(row=3 + measures_on(measure.sheet).index(measure), column=VALUE_COLUMN)
        [validation] = validations_of(ws, cell.coordinate)
        assert validation.type == ("decimal" if measure.type == "money" else "whole")
        assert (validation.operator, validation.formula1) == ("greaterThanOrEqual", "0")
        assert validation.allow_blank                # blank is allowed: "not reported"
        assert validation.showErrorMessage and validation.error
        if measure.type == "money":
            assert cell.number_format == "#,##0.00"


def test_cover_quarter_is_a_list_and_template_version_fixed(blank):
    quarter = cover_cell(blank, "Quarter")
    [validation] = validations_of(blank[COVER], quarter.coordinate)
    assert validation.type == "list" and validation.formula1 == '"Q1,Q2,Q3,Q4"'
    version = cover_cell(blank, "Template version")
    assert version.value == TEMPLATE_VERSION and version.protection.locked


def test_cover_has_every_field_with_its_help(blank):
    labels = {row[0].value: row[2].value for row in blank[COVER].iter_rows(min_col=1, max_col=3)}
    for cover_field in COVER_FIELDS:
        assert labels[cover_field.label] == cover_field.help


def test_blank_template_leaves_contract_details_to_fill_in(blank):
    for label in ("Contract reference", "Provider", "Financial year", "Quarter"):
        cell = cover_cell(blank, label)
        assert cell.value is None and not cell.protection.locked


def test_contract_details_prefilled_locked_and_validated(for_contract):
    reference = cover_cell(for_contract, "Contract reference")
    provider = cover_cell(for_contract, "Provider")
    assert (reference.value, provider.value) == ("ASC0013", "MK ACT")
    assert reference.protection.locked and provider.protection.locked
    [validation] = validations_of(for_contract[COVER], reference.coordinate)
    assert validation.type == "list" and validation.formula1 == '"ASC0013"'
    assert cover_cell(for_contract, "Financial year").value == "2016/17"
    assert cover_cell(for_contract, "Quarter").value == "Q3"
    assert not cover_cell(for_contract, "Quarter").protection.locked


def test_instructions_say_what_to_fill_and_the_rules(blank):
    text = " ".join(str(c.value) for c in blank[INSTRUCTIONS]["A"] if c.value)
    for words in ("yellow cells", "An empty cell means 'not reported'", "Never type 0",
                  "whole numbers", "2 decimal places", "Do not rename", "do not change the codes",
                  ".xlsx", "without a password"):
        assert words in text
    for rule in CHECKS:
        assert rule.advice in text


def test_columns_are_wide_enough_to_read(blank):
    for sheet in MEASURE_SHEETS:
        ws = blank[sheet]
        longest = max(len(m.label) for m in measures_on(sheet))
        assert ws.column_dimensions["B"].width >= min(longest, 80)
        assert ws.column_dimensions["C"].width >= 12
    assert blank[COMMENTARY].column_dimensions["B"].width >= 80


def test_filled_template_writes_counts_as_whole_numbers_money_to_the_penny_and_blanks_blank():
    values = {**VALID_VALUES, "OS11": None, "OS10": 0, "FN02": 55000.5}
    wb = load(filled(values))
    ws = wb["One Stop"]
    row = {c.value: c.row for c in ws["A"]}
    assert ws.cell(row=row["OS11"], column=VALUE_COLUMN).value is None
    assert ws.cell(row=row["OS10"], column=VALUE_COLUMN).value == 0
    assert isinstance(ws.cell(row=row["OS01"], column=VALUE_COLUMN).value, int)
    finance = wb["Finance"]
    assert finance.cell(row=4, column=VALUE_COLUMN).value == 55000.5
    assert cover_cell(wb, "Date completed").value.date() == date(2017, 1, 20)


def test_template_written_to_a_path_reads_as_an_empty_return(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path, DA, reference="ASC0013", provider="MK ACT")
    parsed = read(path.read_bytes(), path.name)
    assert parsed.contract_reference == "ASC0013"
    assert all(cell.value is None for cell in parsed.values.values())
    assert set(parsed.values) == {m.code for m in MEASURES}
    # only the period is missing
    assert sorted(f.rule for f in parsed.findings) == ["EMPTY-COVER-FIELD", "EMPTY-COVER-FIELD"]
