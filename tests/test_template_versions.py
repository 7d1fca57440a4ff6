"""Template versions: a type's version 1 and version 2 returns are both read and stored for their quarters.

The domestic-abuse type's version 2 is version 1 plus the figures of the ministry's
Domestic Abuse Act Part 4 return (RF22 to RF27) and the two checks they need. The
template version on a workbook's Cover decides how it is read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_ingest.checks import check_workbook
from data_ingest.cli import main
from data_ingest.store import check_file, ingest_file
from data_ingest.template import INSTRUCTIONS, UnknownVersion, template_workbook
from models.catalogue import COVER
from models.periods import Quarter
from models.schema import MeasureValue, Submission
from tests.actors import ADMIN
from tests.test_store import add_contract
from tests.workbooks import (
    CONTRACT,
    DA,
    TODAY,
    VALID_VALUES,
    VALID_VALUES_V2,
    edit,
    filled,
    read,
    row_of,
    set_cover,
    valid_history,
)

Q2, Q3 = Quarter(2016, 2), Quarter(2016, 3)
#: The figures version 2 adds.
NEW_IN_2 = ("RF22", "RF23", "RF24", "RF25", "RF26", "RF27")


def v2(**changes: float | None) -> bytes:
    """The valid return on template version 2 (2016/17 Q3 unless told), with ``changes``."""
    quarter = changes.pop("quarter", Q3)
    return filled({**VALID_VALUES_V2, **changes}, quarter=quarter, version=2)


def stored_values(engine, submission_id: int) -> dict[str, float | None]:
    with Session(engine) as session:
        return {v.code: v.value for v in session.scalars(
            select(MeasureValue).where(MeasureValue.submission_id == submission_id))}


@pytest.fixture
def contract_engine(engine):
    add_contract(engine)
    return engine


# --- the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_each_version_has_exactly_its_measures_and_says_its_number_on_the_cover(version):
    content = template_workbook(DA, version=version)
    parsed = read(content)
    assert parsed.cover["template_version"].value == str(version)
    assert parsed.template_version == version
    assert set(parsed.values) == {m.code for m in DA.measures_in(version)}
    assert bool(set(NEW_IN_2) & set(parsed.values)) == (version == 2)


def test_the_template_is_the_latest_version_unless_asked():
    assert DA.latest_version == 2
    assert read(template_workbook(DA)).template_version == 2


def test_the_instructions_explain_the_checks_of_their_version_only():
    import io

    import openpyxl

    def instructions(version: int) -> str:
        workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(DA, version=version)))
        return " ".join(str(c.value) for c in workbook[INSTRUCTIONS]["A"] if c.value)

    gender = next(c for c in DA.checks if c.code == "ARITH-RF-GENDER")
    assert gender.advice in instructions(2)
    assert gender.advice not in instructions(1)
    assert "Template version 1" in instructions(1) and "Template version 2" in instructions(2)
    # The warnings named from the type's checks, RF01's against the contract's capacity among them.
    assert "Refuge units for women under the contract (RF01) different from the contract's refuge capacity" \
        in instructions(1)


def test_a_version_the_type_does_not_have_is_not_written():
    with pytest.raises(UnknownVersion, match="no template version 3 .*versions: 1, 2"):
        template_workbook(DA, version=3)


def test_figures_the_version_has_no_row_for_are_refused_not_dropped():
    with pytest.raises(ValueError, match="Template version 1 of domestic-abuse has no row for RF22, RF23"):
        template_workbook(DA, values=VALID_VALUES_V2, version=1)


# --- reading ------------------------------------------------------------------------


def test_a_version_1_and_a_version_2_return_each_read_with_their_own_measures():
    old, new = read(filled()), read(v2())
    assert (old.findings, new.findings) == ([], [])
    assert (old.template_version, new.template_version) == (1, 2)
    assert {c: cell.value for c, cell in old.values.items()} == {c: float(v) for c, v in VALID_VALUES.items()}
    assert {c: cell.value for c, cell in new.values.items()} == {
        c: float(v) for c, v in VALID_VALUES_V2.items()}
    assert new.values["RF22"].location.startswith("Refuge!C")


def test_a_blank_template_version_is_read_as_version_1():
    parsed = read(set_cover(filled(), "Template version", None))
    assert parsed.findings == [] and parsed.template_version == 1
    assert set(parsed.values) == set(VALID_VALUES)


@pytest.mark.parametrize("typed", ["2", " v2 ", "Version 2", 2.0])
def test_the_template_version_in_the_forms_a_provider_might_leave(typed):
    parsed = read(set_cover(v2(), "Template version", typed))
    assert parsed.findings == [] and parsed.template_version == 2


@pytest.mark.parametrize("typed", [3, "0", "2b", "latest"])
def test_an_unknown_template_version_is_an_error_naming_the_cover_cell(typed):
    parsed = read(set_cover(v2(), "Template version", typed))
    [finding] = parsed.findings
    assert (finding.rule, finding.severity, finding.location) == ("TEMPLATE-VERSION", "error", "Cover!B10")
    assert f"Template version is '{str(typed).strip()}'" in finding.message
    assert "versions 1 and 2" in finding.message
    assert "version 2" in finding.advice
    assert parsed.values == {}      # which rows to expect is not known, so none is read


def test_a_version_1_workbook_relabelled_version_2_misses_the_new_rows():
    parsed = read(set_cover(filled(), "Template version", 2))
    missing = [f for f in parsed.findings if f.rule == "MISSING-MEASURE"]
    assert [f.location for f in missing] == ["Refuge"] * len(NEW_IN_2)
    assert all(f"({code})" in f.message for f, code in zip(missing, NEW_IN_2, strict=True))


def test_a_version_2_figure_typed_into_a_version_1_workbook_is_not_lost_silently():
    def add_row(workbook):
        ws = workbook["Refuge"]
        ws.cell(row=ws.max_row + 1, column=1, value="RF22")
        ws.cell(row=ws.max_row, column=3, value=30)

    parsed = read(edit(filled(), add_row))
    [finding] = parsed.findings
    assert finding.rule == "NOT-IN-VERSION" and finding.is_error
    assert finding.sheet == "Refuge" and finding.cell.startswith("A")
    assert "(RF22) is not a figure of template version 1" in finding.message
    assert "from version 2" in finding.message


# --- checks ------------------------------------------------------------------------


def test_version_2_checks_refuse_a_bad_version_2_return_naming_the_cell():
    parsed = read(v2(RF23=27))          # 27 + 1 + 1 is not the 30 adults supported
    assert parsed.findings == []
    [finding] = check_workbook(parsed, CONTRACT, valid_history(), TODAY, DA)
    assert (finding.rule, finding.is_error) == ("ARITH-RF-GENDER", True)
    assert finding.location == parsed.values["RF23"].location
    assert "RF23 + RF24 + RF25 add up to 29 (27 + 1 + 1), but Adults supported in the refuge during the " \
        "quarter (RF22) is 30" in finding.message

    parsed = read(v2(RF26=6, RF27=5))   # 25 + 5 + 6 + 5 declined or not supported of 40 referrals
    [finding] = check_workbook(parsed, CONTRACT, valid_history(), TODAY, DA)
    assert finding.rule == "ARITH-RF-UNSUPPORTED"
    assert finding.location == parsed.values["RF11"].location


def test_version_1_returns_are_not_held_to_version_2_checks():
    parsed = read(filled())
    assert {c.code for c in DA.checks_in(2)} - {c.code for c in DA.checks_in(1)} == {
        "ARITH-RF-GENDER", "ARITH-RF-UNSUPPORTED"}
    assert check_workbook(parsed, CONTRACT, valid_history(), TODAY, DA) == []


# --- storing --------------------------------------------------------------------------


def test_version_1_and_version_2_returns_are_stored_for_their_quarters(contract_engine):
    old = ingest_file(contract_engine, filled({**VALID_VALUES, "OS02": 260}, quarter=Q2), "q2.xlsx",
                      today=TODAY, actor=ADMIN)
    new = ingest_file(contract_engine, v2(), "q3.xlsx", today=TODAY, actor=ADMIN)
    assert (old.status, new.status) == ("stored", "stored"), (old.errors, new.errors)
    assert (old.template_version, new.template_version) == (1, 2)

    q2_values, q3_values = stored_values(contract_engine, old.submission_id), stored_values(
        contract_engine, new.submission_id)
    assert set(q2_values) == set(VALID_VALUES)               # the version 1 measures only
    assert not set(NEW_IN_2) & set(q2_values)
    assert set(q3_values) == set(VALID_VALUES_V2)            # and RF22 to RF27 too
    assert {code: q3_values[code] for code in NEW_IN_2} == {code: VALID_VALUES_V2[code] for code in NEW_IN_2}
    with Session(contract_engine) as session:
        versions = dict(session.execute(select(Submission.quarter, Submission.template_version)).all())
    assert versions == {2: "1", 3: "2"}


def test_a_quarter_sent_again_on_version_2_lists_the_new_figures_as_changes(contract_engine):
    ingest_file(contract_engine, filled(), "q3 v1.xlsx", today=TODAY, actor=ADMIN)
    result = check_file(contract_engine, v2(), "q3 v2.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "passed"
    assert [(d.code, d.old, d.new) for d in result.differences] == [
        (code, None, VALID_VALUES_V2[code]) for code in NEW_IN_2]


def test_a_bad_version_2_return_is_not_stored_and_names_the_cell(contract_engine):
    result = ingest_file(contract_engine, v2(RF24=3), "q3.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "rejected" and result.submission_id is None
    [finding] = result.errors
    assert finding.rule == "ARITH-RF-GENDER"
    assert finding.sheet == "Refuge" and finding.cell == f"C{row_of_code('RF23')}"


def test_an_unknown_template_version_is_not_stored(contract_engine):
    result = ingest_file(contract_engine, set_cover(v2(), "Template version", 9), "q3.xlsx",
                         today=TODAY, actor=ADMIN)
    assert result.status == "rejected"
    assert [(e.rule, e.location) for e in result.errors] == [("TEMPLATE-VERSION", f"{COVER}!B10")]


def row_of_code(code: str) -> int:
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(v2()))
    return row_of(workbook[DA.measures_by_code[code].sheet], code)


# --- the command line ----------------------------------------------------------------------


def test_the_command_line_writes_the_version_asked_for(tmp_path, capsys):
    out = tmp_path / "v1.xlsx"
    assert main(["template", str(out), "--type", "domestic-abuse", "--version", "1"]) == 0
    assert read(out.read_bytes()).template_version == 1
    assert main(["template", str(out), "--type", "domestic-abuse"]) == 0
    assert read(out.read_bytes()).template_version == 2


def test_the_command_line_says_which_versions_and_types_there_are(tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["template", str(out), "--type", "domestic-abuse", "--version", "3"]) == 1
    assert "no template version 3 (its versions: 1, 2)" in capsys.readouterr().err
    assert main(["template", str(out), "--type", "homecare-nowhere"]) == 1
    assert "There is no contract type homecare-nowhere (types held: " in capsys.readouterr().err
    assert not out.exists()


def test_the_command_line_uses_the_contracts_type(sqlite_engine, tmp_path, capsys, monkeypatch):
    add_contract(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    out = tmp_path / "asc.xlsx"
    assert main(["template", str(out), "--contract", "ASC0013", "--version", "1"]) == 0
    parsed = read(out.read_bytes())
    assert (parsed.contract_reference, parsed.template_version) == ("ASC0013", 1)
    assert main(["template", str(out), "--contract", "ASC0013", "--type", "substance-misuse"]) == 1
    assert "is of type domestic-abuse, not substance-misuse" in capsys.readouterr().err
