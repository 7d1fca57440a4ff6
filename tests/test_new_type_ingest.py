"""A contract type written only in a test's folder works end to end, with no change to any code.

The type below is what a council's performance officer might write for a carers'
support service: two sheets, five measures, a check that a part is not above its
whole, and a percentage indicator. Its template is written, a filled return is
accepted and a broken one refused with the sheet and cell named, through the
public functions with the catalogue as an argument; then the same through the
database, where the contract's type is found from the reference on the Cover.
"""

from __future__ import annotations

import io
import shutil
from datetime import date

import openpyxl
import pytest

import settings
from data_ingest.checks import ContractTerms, check_workbook
from data_ingest.reader import read_workbook
from data_ingest.store import ingest_file
from data_ingest.template import INSTRUCTIONS, template_workbook
from models.catalogue import COMMENTARY, COVER
from models.contract_types import load_type
from models.periods import Quarter
from records.contracts import add_contract
from tests.actors import ADMIN, admin
from tests.workbooks import row_of

CARERS = """
name = "carers-support"
title = "Carers' support service"
versions = [1]
sheets = ["Assessments", "Breaks"]
commentary_topics = ["Assessments", "Breaks", "General"]

[[services]]
name = "Carers' assessments"

[[services]]
name = "Short breaks"

[[measures]]
code = "CA01"
sheet = "Assessments"
label = "Carers referred for an assessment"

[[measures]]
code = "CA02"
sheet = "Assessments"
label = "Carers assessed within 28 days of referral"

[[measures]]
code = "CA03"
sheet = "Assessments"
label = "Carers given a support plan"

[[measures]]
code = "BR01"
sheet = "Breaks"
label = "Carers given a short break"

[[measures]]
code = "BR02"
sheet = "Breaks"
label = "Nights of short breaks given"
counts_people = false

[[checks]]
code = "ARITH-CA-REFERRED"
rule = "each_at_most"
parts = ["CA02", "CA03"]
whole = ["CA01"]
advice = "Carers assessed or given a plan cannot exceed the carers referred (CA01)."

[[indicators]]
code = "CA-ASSESS28"
service = "Carers' assessments"
label = "Carers assessed within 28 days of referral"
numerator = ["CA02"]
denominator = ["CA01"]
unit = "%"
better = "higher"
target = 90
tolerance = 5
"""

QUARTER = Quarter(2024, 1)          # April to June 2024
TODAY = date(2024, 8, 1)
GOOD = {"CA01": 40, "CA02": 36, "CA03": 30, "BR01": 12, "BR02": 45}
TERMS = ContractTerms("CS0001", date(2023, 4, 1), date(2026, 3, 31), {})


@pytest.fixture
def carers(tmp_path):
    path = tmp_path / "types" / "carers-support.toml"
    path.parent.mkdir()
    path.write_text(CARERS, encoding="utf-8")
    return load_type(path)


def filled(catalogue, values=GOOD) -> bytes:
    return template_workbook(catalogue, reference="CS0001", provider="Carers Together", quarter=QUARTER,
                             values=values, commentary={"General": "A steady quarter."},
                             completed_by="Sam Lee", date_completed=date(2024, 7, 10))


def value_cell(content: bytes, code: str, sheet: str) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return f"C{row_of(workbook[sheet], code)}"


def test_the_template_has_the_types_sheets_measures_and_checks(carers):
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(carers)))
    assert workbook.sheetnames == [INSTRUCTIONS, COVER, "Assessments", "Breaks", COMMENTARY]
    assert [c.value for c in workbook["Breaks"]["A"][2:]] == ["BR01", "BR02"]
    assert [c.value for c in workbook[COMMENTARY]["A"][2:]] == ["Assessments", "Breaks", "General"]
    instructions = " ".join(str(c.value) for c in workbook[INSTRUCTIONS]["A"] if c.value)
    assert "Carers assessed or given a plan cannot exceed the carers referred (CA01)." in instructions
    assert "Template version 1" in instructions


def test_a_filled_return_of_the_new_type_is_accepted(carers):
    parsed = read_workbook(filled(carers), "cs0001.xlsx", carers)
    assert parsed.findings == []
    assert parsed.contract_reference == "CS0001" and parsed.quarter == QUARTER
    assert {code: cell.value for code, cell in parsed.values.items()} == {c: float(v) for c, v in GOOD.items()}
    assert parsed.commentary["General"].value == "A steady quarter."
    assert check_workbook(parsed, TERMS, {}, TODAY, carers) == []


def test_a_return_breaking_the_types_check_is_refused_naming_sheet_and_cell(carers):
    content = filled(carers, {**GOOD, "CA03": 41})
    parsed = read_workbook(content, "cs0001.xlsx", carers)
    assert parsed.findings == []
    [finding] = check_workbook(parsed, TERMS, {}, TODAY, carers)
    assert (finding.rule, finding.is_error) == ("ARITH-CA-REFERRED", True)
    assert finding.location == f"Assessments!{value_cell(content, 'CA03', 'Assessments')}"
    assert "Carers given a support plan (CA03) is 41, more than Carers referred for an assessment (CA01), " \
        "which is 40" in finding.message


def test_a_figure_that_is_not_a_number_is_refused_naming_sheet_and_cell(carers):
    def spoil(workbook):
        ws = workbook["Breaks"]
        ws.cell(row=row_of(ws, "BR02"), column=3, value="about 40")

    content = filled(carers)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    spoil(workbook)
    out = io.BytesIO()
    workbook.save(out)
    parsed = read_workbook(out.getvalue(), "cs0001.xlsx", carers)
    [finding] = parsed.findings
    assert (finding.rule, finding.location) == ("NOT-A-NUMBER", f"Breaks!{value_cell(content, 'BR02', 'Breaks')}")
    assert "Nights of short breaks given (BR02) is 'about 40'" in finding.message


def test_a_missing_sheet_of_the_new_type_is_named(carers):
    workbook = openpyxl.load_workbook(io.BytesIO(filled(carers)))
    workbook.remove(workbook["Breaks"])
    out = io.BytesIO()
    workbook.save(out)
    [finding] = read_workbook(out.getvalue(), "cs0001.xlsx", carers).findings
    assert (finding.rule, finding.location) == ("MISSING-SHEET", "Breaks")


# --- through the database: the contract's type is found from the Cover's reference -----------


@pytest.fixture
def carers_contract(carers, sqlite_engine, monkeypatch):
    """A contract of the new type, in a types folder holding it beside the domestic-abuse type."""
    folder = carers.path.parent
    shutil.copy(settings.CONTRACT_TYPES_DIR / "domestic-abuse.toml", folder)
    monkeypatch.setattr(settings, "CONTRACT_TYPES_DIR", folder)
    add_contract(sqlite_engine, reference="CS0001", title="Carers' support", provider="Carers Together",
                 start_date=TERMS.start_date, initial_end_date=TERMS.end_date, annual_value=120_000,
                 contract_type="carers-support", actor=ADMIN)
    return sqlite_engine


def test_the_store_reads_a_return_as_its_contracts_type(carers, carers_contract):
    result = ingest_file(carers_contract, filled(carers), "cs0001.xlsx", actor=admin("sam"), today=TODAY)
    assert result.status == "stored", [str(e) for e in result.errors]
    assert (result.contract, result.contract_type, result.template_version) == ("CS0001", "carers-support", 1)
    assert result.values == {c: float(v) for c, v in GOOD.items()}

    content = filled(carers, {**GOOD, "CA02": 50})
    refused = ingest_file(carers_contract, content, "cs0001 v2.xlsx", today=TODAY, actor=ADMIN)
    assert refused.status == "rejected"
    assert [(e.rule, e.location) for e in refused.errors] == [
        ("ARITH-CA-REFERRED", f"Assessments!{value_cell(content, 'CA02', 'Assessments')}")]


def test_a_contract_whose_type_file_is_gone_gets_a_clear_refusal(carers, carers_contract):
    (carers.path.parent / "carers-support.toml").unlink()
    result = ingest_file(carers_contract, filled(carers), "cs0001.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "rejected"
    [finding] = result.errors
    assert (finding.rule, finding.location) == ("CONTRACT-TYPE", "Cover!B4")
    assert "carers-support" in finding.message
