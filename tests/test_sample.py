"""The sample: its workbooks match the script, load cleanly, and reproduce the published figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import settings
from data_ingest.reader import read_workbook
from data_ingest.store import check_file
from data_ingest.template import template_workbook
from indicators.engine import indicators_for
from models.catalogue import DAYS_PER_MONTH, Capacity
from models.contract_types import get_type
from models.periods import Quarter
from models.schema import (
    Commentary,
    Contract,
    MeasureValue,
    Provider,
    QualityVisit,
    Service,
    Submission,
    Target,
)
from sample_data import quarters, substance_misuse
from sample_data.contract import CONTRACT, UPLOAD_DIR, WORKBOOKS_DIR
from sample_data.load import load_sample, sample_workbooks
from sample_data.make_sample import sample_workbook, workbook_name, write_samples
from tests.actors import ADMIN

Q2_2016, Q3_2016, Q4_2016 = Quarter(2016, 2), Quarter(2016, 3), Quarter(2016, 4)
YEAR_2016_TO_Q3 = (Quarter(2016, 1), Q2_2016, Q3_2016)
LOADED_QUARTERS = [q for q in quarters.QUARTERS if q not in quarters.UPLOAD_QUARTERS]
DOMESTIC_ABUSE = get_type("domestic-abuse")
INDICATORS, INDICATORS_BY_CODE = DOMESTIC_ABUSE.indicators, DOMESTIC_ABUSE.indicators_by_code
COMMENTARY_TOPICS = DOMESTIC_ABUSE.commentary_topics
#: The second sample contract: an illustrative substance-misuse service with made-up figures.
SECOND = substance_misuse.CONTRACT["reference"]
SECOND_TYPE = get_type(substance_misuse.CONTRACT["contract_type"])
SECOND_QUARTERS = list(substance_misuse.QUARTERS)


def _type_of(reference: str):
    """The catalogue of a sample contract, as the reader asks for it."""
    return {CONTRACT["reference"]: DOMESTIC_ABUSE, SECOND: SECOND_TYPE}.get(reference)


def _parsed(path: Path):
    parsed = read_workbook(path.read_bytes(), path.name, _type_of)
    return {
        "cover": {k: c.value for k, c in parsed.cover.items()},
        "values": {k: c.value for k, c in parsed.values.items()},
        "commentary": {k: c.value for k, c in parsed.commentary.items()},
        "quarter": parsed.quarter,
        "contract": parsed.contract_reference,
    }


# --- the workbooks ---------------------------------------------------------------------------


def test_sample_workbooks_are_up_to_date_with_the_script(tmp_path):
    write_samples(tmp_path)
    for folder in (WORKBOOKS_DIR, UPLOAD_DIR):
        fresh = sorted(p.name for p in (tmp_path / folder).glob("*.xlsx"))
        held = sorted(p.name for p in (settings.SAMPLE_DIR / folder).glob("*.xlsx"))
        assert held == fresh, f"sample_data/{folder} is out of date: python -m sample_data.make_sample"
        for name in fresh:
            assert _parsed(settings.SAMPLE_DIR / folder / name) == _parsed(tmp_path / folder / name), (
                f"sample_data/{folder}/{name} differs from what the script writes now: "
                "python -m sample_data.make_sample")


def test_every_quarter_has_a_workbook_and_q4_is_kept_for_upload():
    loaded = [p.name for p in sample_workbooks() if p.name.startswith("ASC0013")]
    assert loaded == [workbook_name(q) for q in LOADED_QUARTERS]
    assert loaded[0] == "ASC0013_2014-15_Q2.xlsx" and loaded[-1] == "ASC0013_2016-17_Q3.xlsx"
    assert (settings.SAMPLE_DIR / UPLOAD_DIR / "ASC0013_2016-17_Q4.xlsx").is_file()


def test_a_workbook_reads_back_as_written():
    path = settings.SAMPLE_DIR / WORKBOOKS_DIR / workbook_name(Q3_2016)
    parsed = read_workbook(path.read_bytes(), path.name, DOMESTIC_ABUSE)
    assert [f for f in parsed.findings if f.is_error] == []
    assert parsed.contract_reference == "ASC0013"
    assert parsed.quarter == Q3_2016
    assert parsed.template_version == 1     # the returns are history: the layout of their time
    assert {k: c.value for k, c in parsed.values.items()} == pytest.approx(quarters.VALUES[Q3_2016])
    assert parsed.cover["provider"].value == "MK ACT"


def test_commentary_beginning_with_equals_is_text_not_a_formula():
    path = settings.SAMPLE_DIR / WORKBOOKS_DIR / workbook_name(Q2_2016)
    parsed = read_workbook(path.read_bytes(), path.name, DOMESTIC_ABUSE)
    assert parsed.commentary["General"].value == quarters.COMMENTARY[Q2_2016]["General"]
    assert parsed.commentary["General"].value.startswith("=== Staffing update ===")


def test_the_script_writes_the_same_bytes_every_time():
    assert sample_workbook(Q3_2016) == sample_workbook(Q3_2016)


# --- the numbers hang together -------------------------------------------------------------


def test_people_resident_and_engaged_add_up_from_quarter_to_quarter():
    # Women at the end = women at the end before + admitted - left; likewise Fresh Start.
    women, engaged = 26, 6    # before the first quarter
    for quarter in quarters.QUARTERS:
        v = quarters.VALUES[quarter]
        women += v["RF13"] - v["RF14"]
        engaged += v["FS04"] - v["FS07"] - v["FS08"]
        assert v["RF04"] == women, quarter
        assert v["FS06"] == engaged, quarter


# --- loading ---------------------------------------------------------------------------------


def test_load_sample_stores_every_quarter_without_errors(engine):
    results = load_sample(engine, uploaded_by="tester")
    assert [r.status for r in results] == ["stored"] * (len(LOADED_QUARTERS) + len(SECOND_QUARTERS))
    assert [r.quarter for r in results if r.contract == "ASC0013"] == LOADED_QUARTERS
    assert [(r.file_name, r.errors) for r in results if r.errors] == []
    assert [(r.file_name, r.warnings) for r in results if r.warnings] == []
    with Session(engine) as session:
        contract = session.scalars(select(Contract).where(Contract.reference == "ASC0013")).one()
        assert (contract.reference, contract.provider.name) == ("ASC0013", "MK ACT")
        assert contract.annual_value == pytest.approx(524_994)
        assert contract.parameters == {"refuge_capacity": 28}
        assert sorted(s.name for s in contract.services) == ["Fresh Start", "One Stop", "Refuge"]
        targets = session.scalars(select(Target).where(Target.contract_id == contract.id)).all()
        assert {t.indicator for t in targets} == {i.code for i in INDICATORS if i.target is not None}
        assert {(t.effective_year, t.effective_quarter) for t in targets} == {(2014, 2)}
        spend = next(t for t in targets if t.indicator == "FN-SPEND")
        assert (spend.value, spend.tolerance, spend.direction) == (1.0, 0.02, "lower")
        visits = session.scalars(select(QualityVisit)).all()
        assert sorted((v.service.name, v.score, v.score_after) for v in visits) == [
            ("Fresh Start", 0.83, 0.94), ("One Stop", 0.87, 0.94), ("Refuge", 0.83, 0.90)]
        who = {c.created_by for c in [contract, contract.provider, *contract.services, *targets,
                                      *visits]}
        who |= set(session.scalars(select(Submission.uploaded_by)))
        assert who == {"tester"}


def _counts(engine) -> dict[str, int]:
    tables = (Provider, Contract, Service, Target, QualityVisit, Submission, MeasureValue,
              Commentary)
    with Session(engine) as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t))
                for t in tables}


def test_loading_twice_changes_nothing(sqlite_engine):
    load_sample(sqlite_engine)
    before = _counts(sqlite_engine)
    again = load_sample(sqlite_engine)
    assert [r.status for r in again] == ["unchanged"] * (len(LOADED_QUARTERS) + len(SECOND_QUARTERS))
    assert _counts(sqlite_engine) == before
    assert before["submission"] == len(LOADED_QUARTERS) + len(SECOND_QUARTERS)


def test_the_q4_workbook_left_for_upload_passes_the_checks(sample_engine):
    path = settings.SAMPLE_DIR / UPLOAD_DIR / workbook_name(Q4_2016)
    result = check_file(sample_engine, path.read_bytes(), path.name, actor=ADMIN)
    assert (result.status, result.errors, result.warnings) == ("passed", [], [])
    assert result.quarter == Q4_2016


# --- the published figures, from the stored values -------------------------------------------


@pytest.fixture(scope="module")
def stored(sample_engine) -> dict[Quarter, dict[str, float | None]]:
    """The current stored value of every measure, by quarter: what a user would look at."""
    with Session(sample_engine) as session:
        rows = session.execute(
            select(Submission.year, Submission.quarter, MeasureValue.code, MeasureValue.value)
            .join(MeasureValue).join(Contract)
            .where(Contract.reference == "ASC0013", Submission.is_current))
        held: dict[Quarter, dict[str, float | None]] = {}
        for year, number, code, value in rows:
            held.setdefault(Quarter(year, number), {})[code] = value
    return held


def _indicator(stored, code: str, periods: tuple[Quarter, ...]) -> float:
    """An indicator over the given quarters, by the catalogue's definition: summed numerators
    over summed denominators, never an average of percentages."""
    indicator = INDICATORS_BY_CODE[code]
    numerator = sum(stored[q][c] for q in periods for c in indicator.numerator)
    if indicator.denominator is None:
        return numerator
    if isinstance(indicator.denominator, Capacity):
        denominator = sum(stored[q]["RF01"] * q.days - stored[q]["RF03"] for q in periods)
    else:
        denominator = sum(stored[q][c] for q in periods for c in indicator.denominator)
    return numerator / denominator


def _percent(value: float) -> int:
    return round(value * 100)


def test_one_stop_published_figures(stored):
    assert stored[Q3_2016]["OS02"] == 310               # people served in 2016/17 to Q3
    assert _indicator(stored, "OS-NEW", YEAR_2016_TO_Q3) == 137
    for code, published in (("OS-RESP24", 100), ("OS-SAFE48", 67), ("OS-ASSESS", 65)):
        q3 = _indicator(stored, code, (Q3_2016,))
        assert _percent(q3) == published, code
        assert q3 > _indicator(stored, code, (Q2_2016,)), f"{code} not higher than in Q2"
    assert [stored[Q3_2016][c] for c in ("OS09", "OS10", "OS11")] == [62, 5, 0]


def test_refuge_published_figures(stored):
    q3 = stored[Q3_2016]
    assert _percent(_indicator(stored, "RF-OCC", (Q3_2016,))) == 99
    assert (q3["RF04"], q3["RF05"]) == (28, 36)
    bands = [q3[c] for c in ("RF06", "RF07", "RF08", "RF09")]
    assert bands[0] == max(bands) and bands.count(bands[0]) == 1    # most children aged 0-3
    stay_days = _indicator(stored, "RF-STAY", YEAR_2016_TO_Q3)
    assert round(stay_days / DAYS_PER_MONTH) == 10


def test_fresh_start_published_figures(stored):
    assert _indicator(stored, "FS-REFS", YEAR_2016_TO_Q3) == 84
    assert sum(stored[q]["FS02"] for q in YEAR_2016_TO_Q3) == 42
    assert sum(stored[q]["FS03"] for q in YEAR_2016_TO_Q3) == 29
    assert (stored[Q3_2016]["FS06"], stored[Q3_2016]["FS10"]) == (17, 21)


def test_spend_is_about_a_quarter_of_the_annual_value_each_quarter(stored):
    quarter_value = CONTRACT["annual_value"] / 4
    spend = {q: sum(v[c] for c in ("FN01", "FN02", "FN03")) / quarter_value
             for q, v in stored.items()}
    assert all(0.97 < s < 1.02 for s in spend.values()), spend
    assert sum(s > 1 for s in spend.values()) == 1      # one quarter slightly over


def test_every_commentary_topic_is_stored(sample_engine):
    with Session(sample_engine) as session:
        topics = set(session.scalars(
            select(Commentary.topic).join(Submission).join(Contract).where(Contract.reference == "ASC0013")))
    assert topics == set(COMMENTARY_TOPICS)


# --- the second sample contract: another kind of contract, with made-up figures ---------------


def test_the_second_contract_is_of_another_type_and_says_it_is_illustrative(sample_engine):
    with Session(sample_engine) as session:
        contract = session.scalars(select(Contract).where(Contract.reference == SECOND)).one()
        assert contract.contract_type == "substance-misuse"
        assert contract.provider.name == "Compass Recovery (illustrative)"
        assert "illustrative" in contract.title and "made-up figures" in contract.title
        assert contract.parameters == {"treatment_places": 450}
        assert [s.name for s in contract.services] == ["Treatment", "Recovery"]
        targets = session.scalars(select(Target).where(Target.contract_id == contract.id)).all()
        assert {t.indicator for t in targets} == {
            "TR-WAIT3W", "TR-WAITDAYS", "RC-PLANNED", "RC-SUCCESS", "RC-REPRESENT", "EX-SPEND"}
        assert {(t.effective_year, t.effective_quarter) for t in targets} == {(2014, 3)}
        held = session.execute(select(Submission.year, Submission.quarter)
                               .where(Submission.contract_id == contract.id, Submission.is_current)
                               .order_by(Submission.year, Submission.quarter)).all()
    assert [Quarter(y, q) for y, q in held] == SECOND_QUARTERS
    assert len(SECOND_QUARTERS) >= 8
    assert "made up" in SECOND_TYPE.path.read_text(encoding="utf-8")


def test_the_second_contract_s_workbooks_are_its_type_s_latest_template():
    path = settings.SAMPLE_DIR / WORKBOOKS_DIR / workbook_name(SECOND_QUARTERS[-1], SECOND)
    parsed = read_workbook(path.read_bytes(), path.name, _type_of)
    assert [f for f in parsed.findings if f.is_error] == []
    assert parsed.template_version == SECOND_TYPE.latest_version
    assert {k: c.value for k, c in parsed.values.items()} == pytest.approx(
        substance_misuse.VALUES[SECOND_QUARTERS[-1]])


def test_the_second_contract_s_people_in_treatment_add_up_from_quarter_to_quarter():
    # In treatment at the end = at the end before + new presentations - exits.
    in_treatment = substance_misuse.IN_TREATMENT_AT_START
    for quarter in SECOND_QUARTERS:
        v = substance_misuse.VALUES[quarter]
        in_treatment += v["TR04"] - v["RC01"]
        assert v["TR11"] == in_treatment, quarter
        assert v["TR05"] + v["TR06"] + v["TR07"] + v["TR08"] == v["TR04"], quarter
        assert v["RC02"] + v["RC04"] + v["RC05"] == v["RC01"], quarter


def test_the_second_contract_s_indicators_compute_from_its_returns(sample_engine):
    table = indicators_for(sample_engine, SECOND)
    assert set(table["indicator"]) == {i.code for i in SECOND_TYPE.indicators}
    assert set(table["contract"]) == {SECOND}

    def value(code, quarter, basis="quarter"):
        row = table[(table["indicator"] == code) & (table["year"] == quarter.year)
                    & (table["quarter"] == quarter.quarter) & (table["basis"] == basis)]
        return row.iloc[0]

    v = substance_misuse.VALUES
    assert value("TR-PEOPLE", Q3_2016)["value"] == 472
    assert value("TR-PEOPLE", Q3_2016, "ytd")["value"] == 833
    assert value("TR-WAITDAYS", Q3_2016)["value"] == pytest.approx(1035 / 131)
    assert value("RC-PLANNED", Q3_2016)["value"] == pytest.approx(84 / 124)
    # A year to date is summed numerators over summed denominators.
    assert value("RC-SUCCESS", Q3_2016, "ytd")["value"] == pytest.approx((66 + 67 + 71) / (119 + 118 + 124))
    spend = sum(v[Q3_2016][c] for c in ("EX01", "EX02", "EX03")) / (1_450_000 / 4)
    assert value("EX-SPEND", Q3_2016)["value"] == pytest.approx(spend)
    # Waits of more than 3 weeks: 14 of 118 at the start (red against 5% ± 5), 3 of 131 at the end.
    first = value("TR-WAIT3W", SECOND_QUARTERS[0])
    assert (first["value"], first["rag"]) == (pytest.approx(14 / 118), "red")
    assert value("TR-WAIT3W", Q3_2016)["rag"] == "green"


def _second_return(quarter: Quarter, **changed: float) -> bytes:
    return template_workbook(
        SECOND_TYPE, reference=SECOND, provider=substance_misuse.CONTRACT["provider"], quarter=quarter,
        values={**substance_misuse.VALUES[Q3_2016], **changed}, completed_by="Data officer",
        date_completed=substance_misuse.DATE_COMPLETED[Q3_2016].replace(year=2017, month=4))


def test_the_second_contract_s_checks_refuse_a_broken_return(sample_engine):
    good = check_file(sample_engine, _second_return(Q4_2016), "good.xlsx", actor=ADMIN)
    assert (good.status, good.errors, good.warnings) == ("passed", [], [])

    broken = _second_return(Q4_2016, TR05=50)     # by substance: 50 + 24 + 60 + 13 = 147, not 131
    result = check_file(sample_engine, broken, "broken.xlsx", actor=ADMIN)
    assert result.status == "rejected"
    where = read_workbook(broken, "broken.xlsx", SECOND_TYPE).values["TR05"].location
    assert [(f.rule, f.location) for f in result.errors] == [("ARITH-TR-SUBSTANCE", where)]
    assert where.startswith("Treatment!")
    assert "add up to 147" in result.errors[0].message and "(TR04) is 131" in result.errors[0].message


def test_the_second_contract_s_queries_are_warnings_not_refusals(sample_engine):
    # Places other than the contract's, and a year-to-date count that falls: stored, with warnings.
    result = check_file(sample_engine, _second_return(Q4_2016, TR01=440, TR12=800), "queries.xlsx", actor=ADMIN)
    assert (result.status, result.errors) == ("passed", [])
    assert sorted(f.rule for f in result.warnings) == ["TR-PLACES", "YTD-TR-DECREASE"]
