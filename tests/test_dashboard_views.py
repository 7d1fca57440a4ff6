"""The dashboard's plain parts: UK formats, the data version, the provider's commentary,
the contract card and the series shaped for charts (no Streamlit)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from sqlalchemy.orm import Session

import formats as fmt
from dashboard import charts, views
from dashboard.state import parse_quarter_param, quarter_param
from data_ingest.store import ingest_file
from indicators.data import load_contracts, load_measures
from indicators.engine import indicators_for
from indicators.spc import spc_summary
from models.contract_types import get_type
from models.periods import Quarter
from models.schema import Action, Contract
from records.commentary import provider_commentary, quarter_return
from records.data_version import data_version
from sample_data import quarters as sample
from sample_data.make_sample import sample_workbook
from tests.actors import ADMIN

CONTRACT = "ASC0013"
Q3_2016 = Quarter(2016, 3)
DOMESTIC_ABUSE = get_type("domestic-abuse")


# --- formats ------------------------------------------------------------------------------


def test_uk_formats():
    assert fmt.money(524994) == "£524,994"
    assert fmt.money(1049988.0) == "£1,049,988"
    assert fmt.money(-1234.4) == "−£1,234"
    assert fmt.uk_date(date(2019, 8, 31)) == "31/08/2019"
    assert fmt.uk_date("2017-01-19") == "19/01/2017"
    assert fmt.quarter(Quarter(2016, 3)) == "2016/17 Q3"
    assert fmt.period(Quarter(2016, 3), "ytd") == "2016/17 Q1–Q3"
    assert fmt.whole(1234.0) == "1,234"


def test_percentages_are_whole_numbers_rounded_half_up():
    assert fmt.percent(40 / 60) == "67%"
    assert fmt.percent(0.665) == "67%"     # round() would give 66 (half to even on 66.5)
    assert fmt.percent(0.995) == "100%"
    assert fmt.percent(1.0) == "100%"


def test_missing_is_no_data_never_zero():
    for missing in (None, math.nan, float("nan"), pd.NA):
        assert fmt.value(missing, "%") == "no data"
        assert fmt.value(missing, "people") == "no data"
        assert fmt.money(missing) == "no data"
        assert fmt.change(missing, "%") == "no data"
    assert fmt.value(0.0, "people") == "0"
    assert fmt.percent(0.0) == "0%"


def test_stay_shows_days_and_months():
    assert fmt.days(305.125) == "305 days (10 months)"
    assert fmt.days(39) == "39 days"


def test_change_in_points_with_better_or_worse():
    assert fmt.change_with_trend(0.05, "%", "improving") == "+5 points, better"
    assert fmt.change_with_trend(-0.02, "%", "improving") == "−2 points, better"
    assert fmt.change_with_trend(3, "people", "worsening") == "+3, worse"
    assert fmt.change_with_trend(0.0, "%", "no change") == "no change"
    assert fmt.change_with_trend(None, "%", None) == "no data"


def test_rag_has_an_icon_and_a_word():
    assert fmt.rag("green") == "✔ Green"
    assert fmt.rag("amber") == "▲ Amber"
    assert fmt.rag("red") == "✖ Red"
    assert fmt.rag(None) == "no target"
    # The colours are told apart by colour-blind readers: Okabe–Ito.
    assert set(fmt.RAG_COLOUR.values()) <= set(charts.OKABE_ITO.values())


def test_quarter_in_the_url():
    assert quarter_param(Quarter(2016, 3)) == "2016-17-Q3"
    assert parse_quarter_param("2016-17-Q3") == Quarter(2016, 3)
    assert parse_quarter_param("2016/17 Q3") == Quarter(2016, 3)
    assert parse_quarter_param("2016-18-Q3") is None
    assert parse_quarter_param("rubbish") is None
    assert parse_quarter_param(None) is None


def test_quarter_ticks_name_each_year_once():
    labels = ["2015/16 Q3", "2015/16 Q4", "2016/17 Q1", "2016/17 Q2"]
    assert charts.quarter_ticks(labels) == ["Q3<br>2015/16", "Q4", "Q1<br>2016/17", "Q2"]


# --- data version ---------------------------------------------------------------------------


def test_data_version_changes_whenever_something_is_stored(engine):
    from tests.test_store import add_contract

    empty = data_version(engine)
    assert data_version(engine) == empty          # reading changes nothing
    add_contract(engine)
    with_contract = data_version(engine)
    assert with_contract != empty
    result = ingest_file(engine, sample_workbook(Q3_2016), "q3.xlsx", today=date(2017, 2, 1), actor=ADMIN)
    assert result.status == "stored"
    stored = data_version(engine)
    assert stored != with_contract
    # The same file again changes nothing, so the version stays.
    again = ingest_file(engine, sample_workbook(Q3_2016), "q3.xlsx", today=date(2017, 2, 1), actor=ADMIN)
    assert again.status == "unchanged"
    assert data_version(engine) == stored
    with Session(engine) as session, session.begin():
        contract_id = session.query(Contract.id).scalar()
        session.add(Action(contract_id=contract_id, text="Chase the Q4 return"))
    assert data_version(engine) != stored


# --- commentary -----------------------------------------------------------------------------


def test_providers_commentary_of_the_current_submission(sample_engine):
    texts = provider_commentary(sample_engine, CONTRACT, Q3_2016, ADMIN)
    expected = {topic: text for topic, text in sample.COMMENTARY[Q3_2016].items() if text}
    assert texts == expected
    held = quarter_return(sample_engine, CONTRACT, Q3_2016, ADMIN)
    assert held.version == 1 and held.completed_by == sample.COMPLETED_BY[Q3_2016]
    assert quarter_return(sample_engine, CONTRACT, Quarter(2010, 1), ADMIN) is None
    assert provider_commentary(sample_engine, "NOPE", Q3_2016, ADMIN) == {}


# --- views ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(sample_engine):
    return indicators_for(sample_engine, CONTRACT)


@pytest.fixture(scope="module")
def measures(sample_engine):
    return load_measures(sample_engine, CONTRACT)


def test_contract_card(sample_engine, table):
    details = load_contracts(sample_engine).set_index("contract").loc[CONTRACT].to_dict()
    details["contract"] = CONTRACT
    card = views.contract_card(details, table, DOMESTIC_ABUSE, Q3_2016, today=date(2017, 2, 1))
    assert card.days_left == (date(2019, 8, 31) - date(2016, 12, 31)).days
    assert not card.ended
    # 2014/15 Q2 to 2016/17 Q3 is ten quarters, each a quarter of the annual value.
    assert card.quarters_due == 10
    assert card.value_to_date == pytest.approx(524_994 * 10 / 4)
    spend = table[(table["indicator"] == "FN-SPEND") & (table["basis"] == "quarter")
                  & (table["period"] <= Q3_2016.index)]
    assert card.spend_to_date == pytest.approx(spend["numerator"].sum())
    assert card.spend_share == pytest.approx(spend["numerator"].sum() / spend["denominator"].sum())
    assert views.contract_card(details, table, DOMESTIC_ABUSE, Q3_2016, today=date(2020, 1, 1)).ended


def test_measure_year_to_date_agrees_with_the_engine(measures, table):
    """The funnel's stages are the numerators the engine sums for its year to date."""
    series = views.measure_series(measures, DOMESTIC_ABUSE, ("FS01", "FS02", "FS03", "FS04", "FS07", "RF06"), "ytd")
    for quarter in (Quarter(2015, 4), Q3_2016):
        values = views.at_quarter(series, quarter)

        def engine(code, column, quarter=quarter):
            row = table[(table["indicator"] == code) & (table["basis"] == "ytd")
                        & (table["period"] == quarter.index)].iloc[0]
            return row[column]

        assert values["FS01"] == engine("FS-REFS", "value")
        assert values["FS02"] == engine("FS-ATTEND", "numerator")
        assert values["FS03"] == engine("FS-ACCEPT", "numerator")
        assert values["FS04"] == engine("FS-WAIT", "denominator")
        assert values["FS07"] == engine("FS-COMPLETE", "numerator")
        # A stock takes the quarter's own value.
        assert values["RF06"] == sample.VALUES[quarter]["RF06"]


def test_a_quarter_not_held_is_a_gap_not_a_zero(measures, table):
    without_q2 = measures[~((measures["year"] == 2016) & (measures["quarter"] == 2))]
    series = views.measure_series(without_q2, DOMESTIC_ABUSE, ("OS04",), "quarter")
    gap = series[series["label"] == "2016/17 Q2"]
    assert len(gap) == 1 and math.isnan(gap["OS04"].iloc[0])
    shown = views.measures_table(series, DOMESTIC_ABUSE, ("OS04",))
    assert shown.loc[gap.index[0], DOMESTIC_ABUSE.measures_by_code["OS04"].label] == "no data"

    engine_rows = table[~((table["year"] == 2016) & (table["quarter"] == 2))]
    rows = views.trend_rows(engine_rows, DOMESTIC_ABUSE, "OS-RESP24")
    assert "2016/17 Q2" in list(rows["label"])
    trend = views.trend_table(rows, DOMESTIC_ABUSE, "OS-RESP24").set_index("Quarter")
    assert trend.loc["2016/17 Q2", "Value"] == "no data"
    assert trend.loc["2016/17 Q2", "RAG"] == "no return"


def test_overview_grid_puts_exceptions_first(table):
    grid = views.overview_grid(table, DOMESTIC_ABUSE, Q3_2016,
                               spc_summary(table, CONTRACT, DOMESTIC_ABUSE, Q3_2016))
    order = [fmt.RAG_ORDER.get(r, 3) for r in grid["rag"]]
    assert order == sorted(order)
    with_target = {i.code for i in DOMESTIC_ABUSE.indicators if i.target is not None}
    assert set(grid["indicator"]) == with_target
    row = grid.set_index("indicator").loc["OS-RISKDOWN"]
    assert row["Counts"] == "62 of 67"


def test_hover_names_numerator_and_denominator(table):
    rows = views.trend_rows(table, DOMESTIC_ABUSE, "RF-OCC")
    hover = rows.set_index("label").loc["2016/17 Q3", "hover"]
    assert "2,544" in hover and "2,570" in hover
    assert DOMESTIC_ABUSE.measures_by_code["RF02"].label in hover


def test_every_indicator_has_a_titled_trend(table):
    for ind in DOMESTIC_ABUSE.indicators:
        rows = views.trend_rows(table, DOMESTIC_ABUSE, ind.code)
        fig = charts.trend(rows, ind.label, ind.unit)
        assert fig.layout.title.text == ind.label
        assert len(fig.data) >= 2      # the line and its points
