"""The published figures the sample must reproduce (the contract-extension report, 2016/17).

Each row of the data contract's "published figures" table is checked on the engine's
figures for the loaded sample, and again on what ``python -m indicators export`` prints.
Percentages round to whole numbers; a month is 30.44 days.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import formats as fmt
from indicators.data import load_measures
from indicators.engine import indicators_for
from models.contract_types import get_type
from models.periods import Quarter
from models.schema import QualityVisit, Service

CONTRACT = "ASC0013"
Q2, Q3 = Quarter(2016, 2), Quarter(2016, 3)

#: (where and what, indicator, basis, field, how it is shown, the published figure)
PUBLISHED = [
    ("One Stop 2016/17 to Q3: people received a service", "OS-PEOPLE", "ytd", "value", "count", 310),
    ("One Stop 2016/17 to Q3: of whom new", "OS-NEW", "ytd", "value", "count", 137),
    ("One Stop Q3: responded within 24 hours", "OS-RESP24", "quarter", "value", "%", "100%"),
    ("One Stop Q3: safety planning within 48 hours", "OS-SAFE48", "quarter", "value", "%", "67%"),
    ("One Stop Q3: full needs and risk assessment", "OS-ASSESS", "quarter", "value", "%", "65%"),
    ("One Stop Q3 closed cases: risk scores decreased", "OS-RISKDOWN", "quarter", "numerator", "count", 62),
    ("One Stop Q3 closed cases: none increased", "OS-RISKUP", "quarter", "numerator", "count", 0),
    ("Refuge Q3: occupancy", "RF-OCC", "quarter", "value", "%", "99%"),
    ("Refuge Q3: women resident", "RF-WOMEN", "quarter", "value", "count", 28),
    ("Refuge Q3: children resident", "RF-CHILD", "quarter", "value", "count", 36),
    ("Refuge 2016/17 to Q3: average stay of leavers", "RF-STAY", "ytd", "value", "months", 10),
    ("Fresh Start 2016/17 to Q3: referrals", "FS-REFS", "ytd", "value", "count", 84),
    ("Fresh Start 2016/17 to Q3: attended assessment", "FS-ATTEND", "ytd", "numerator", "count", 42),
    ("Fresh Start 2016/17 to Q3: accepted onto the programme", "FS-ACCEPT", "ytd", "numerator", "count", 29),
    ("Fresh Start Q3: actively engaged", "FS-ACTIVE", "quarter", "value", "count", 17),
    ("Fresh Start Q3: using the Partner Support Service", "FS-PARTNERS", "quarter", "value", "count", 21),
]
IDS = [row[0] for row in PUBLISHED]


def shown(value: float, how: str):
    """The figure as the report shows it."""
    if how == "%":
        return fmt.value(value, "%")
    if how == "months":
        return round(value / 30.44)
    assert float(value).is_integer(), value
    return int(value)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sample_indicators(request):
    """The engine's figures for the sample, read from SQLite and from PostgreSQL."""
    database = request.getfixturevalue("sample_engine" if request.param == "sqlite" else "sample_postgres")
    return indicators_for(database, CONTRACT)


def figure(indicators, indicator: str, basis: str, quarter: Quarter = Q3):
    found = indicators[(indicators["indicator"] == indicator) & (indicators["basis"] == basis)
                       & (indicators["period"] == quarter.index)]
    assert len(found) == 1, f"{indicator} {basis} {quarter}: not computed"
    return found.iloc[0]


@pytest.mark.parametrize("where, indicator, basis, field, how, expected", PUBLISHED, ids=IDS)
def test_the_engine_reproduces_the_published_figure(sample_indicators, where, indicator, basis, field,
                                                    how, expected):
    row = figure(sample_indicators, indicator, basis)
    assert shown(row[field], how) == expected, where


def test_the_year_to_date_at_q3_is_complete(sample_indicators):
    ytd = sample_indicators[(sample_indicators["basis"] == "ytd")
                            & (sample_indicators["period"] == Q3.index)]
    assert set(ytd["missing_quarters"]) == {""}


def test_the_three_response_measures_are_each_higher_than_in_q2(sample_indicators):
    for indicator in ("OS-RESP24", "OS-SAFE48", "OS-ASSESS"):
        row = figure(sample_indicators, indicator, "quarter")
        assert row["previous_value"] == figure(sample_indicators, indicator, "quarter", Q2)["value"]
        assert row["change_previous"] > 0, indicator
        assert row["trend_previous"] == "improving", indicator


def test_five_closed_cases_had_the_same_risk_score(sample_indicators):
    down = figure(sample_indicators, "OS-RISKDOWN", "quarter")
    up = figure(sample_indicators, "OS-RISKUP", "quarter")
    assert down["denominator"] - down["numerator"] - up["numerator"] == 5
    assert up["value"] == 0.0        # none increased is a real zero, not "no data"


def test_most_children_resident_are_aged_0_to_3(sample_engine):
    measures = load_measures(sample_engine, CONTRACT)
    q3 = measures[(measures["year"] == Q3.year) & (measures["quarter"] == Q3.quarter)].set_index("code")
    bands = q3.loc[["RF06", "RF07", "RF08", "RF09"], "value"]
    assert bands.idxmax() == "RF06"
    assert bands.sum() == 36


def test_the_2016_quality_visits(sample_engine):
    with Session(sample_engine) as session:
        visits = session.execute(
            select(Service.name, QualityVisit.score, QualityVisit.score_after)
            .join(QualityVisit, QualityVisit.service_id == Service.id)
            .where(QualityVisit.visit_date >= date(2016, 1, 1),
                   QualityVisit.visit_date <= date(2016, 12, 31))).all()
    scores = {name: (fmt.value(before, "%"), fmt.value(after, "%")) for name, before, after in visits}
    assert scores == {"Refuge": ("83%", "90%"), "One Stop": ("87%", "94%"),
                      "Fresh Start": ("83%", "94%")}


def test_the_export_prints_every_published_figure(sample_copy, monkeypatch, capsys):
    from indicators.__main__ import main

    monkeypatch.setenv("DATABASE_URL", sample_copy.url.render_as_string(hide_password=False))
    assert main(["export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_key = {(r["contract"], r["indicator"], r["fiscal_year"], r["quarter"], r["basis"]): r
              for r in rows}
    for where, indicator, basis, field, how, expected in PUBLISHED:
        row = by_key[(CONTRACT, indicator, Q3.fiscal_year, str(Q3.quarter), basis)]
        assert shown(float(row[field]), how) == expected, where


def test_the_narrative_of_q3_says_what_the_report_says(sample_indicators):
    from indicators.narrative import narrative

    sentences = narrative(sample_indicators, CONTRACT, Q3, get_type("domestic-abuse"))
    assert sentences[0].startswith("One Stop, 2016/17 Q3: people served 162 (310 so far this year); "
                                   "new people 46 (137 so far this year)")
    rose = next(s for s in sentences if s.startswith("All three One Stop measures"))
    assert "rose on the previous quarter" in rose
    assert "responded within 24 hours 100%" in rose and "65%" in rose and "67%" in rose
    assert any(s.startswith("Fresh Start, 2016/17 Q3: referrals 30 (84 so far this year)")
               for s in sentences)
