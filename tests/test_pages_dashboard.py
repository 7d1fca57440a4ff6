"""The dashboard's pages in Streamlit's AppTest, on the loaded sample.

Each page runs without an exception, and the figures it shows are the engine's
for the same quarter, in UK formats. The Overview for 2016/17 Q3 shows the
figures the council published.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import formats as fmt
from dashboard.state import quarter_param
from indicators.engine import indicators_for
from models.catalogue import INDICATORS, INDICATORS_BY_CODE
from models.periods import Quarter

CONTRACT = "ASC0013"
Q3_2016 = Quarter(2016, 3)
SERVICE_PAGES = ["pages/one_stop.py", "pages/refuge.py", "pages/fresh_start.py", "pages/finance.py"]


@pytest.fixture(scope="module")
def sample_url(sample_engine):
    return sample_engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def engine_indicators(sample_engine):
    return indicators_for(sample_engine, CONTRACT)


@pytest.fixture
def app(sample_url, monkeypatch):
    """The dashboard on the sample, opened at ASC0013 2016/17 Q3 (as a link would)."""
    monkeypatch.setenv("DATABASE_URL", sample_url)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["contract"] = CONTRACT
    at.query_params["quarter"] = quarter_param(Q3_2016)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _table(at: AppTest, key: str):
    """The table in the container keyed ``key``."""
    return at.get_by_key(key).dataframe[0].value


def _trend_tables(at: AppTest) -> dict[tuple[str, str], object]:
    """(indicator, basis) -> the table beside its trend chart, for the trends on the page."""
    found = {}
    for ind in INDICATORS:
        for basis in ("quarter", "ytd"):
            try:
                found[(ind.code, basis)] = _table(at, f"trend_{ind.code}_{basis}")
            except KeyError:
                pass
    return found


def _engine_value(table, code: str, basis: str, quarter: Quarter = Q3_2016):
    rows = table[(table["indicator"] == code) & (table["basis"] == basis)
                 & (table["period"] == quarter.index)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_overview_grid_shows_the_engines_figures(app, engine_indicators):
    at = app.run()
    _no_exception(at)
    grid = _table(at, "overview_grid")
    with_target = [ind.code for ind in INDICATORS
                   if not fmt.is_missing(_engine_value(engine_indicators, ind.code, "quarter")["target"])]
    # Every indicator with a target is in the grid, once.
    shown = dict(zip(grid["Indicator"], grid.index))
    assert sorted(grid["Indicator"]) == sorted(INDICATORS_BY_CODE[c].short for c in with_target)
    for code in with_target:
        ind = INDICATORS_BY_CODE[code]
        row = grid.loc[shown[ind.short]]
        engine_row = _engine_value(engine_indicators, code, "quarter")
        assert row["Quarter"] == fmt.value(engine_row["value"], ind.unit), code
        assert row["Target"] == fmt.value(engine_row["target"], ind.unit), code
        assert row["RAG"] == fmt.rag(engine_row["rag"], "no data"), code
        ytd_row = _engine_value(engine_indicators, code, "ytd")
        assert row["Year to date"].startswith(fmt.value(ytd_row["value"], ind.unit)), code
    # Exceptions first: no green row above a red or amber one.
    order = [fmt.RAG_ORDER.get(r, 3) for r in grid["RAG"].map(
        {fmt.rag(k): k for k in ("red", "amber", "green")})]
    assert order == sorted(order)


def test_overview_for_2016_17_q3_shows_the_published_figures(app):
    at = app.run()
    _no_exception(at)
    grid = _table(at, "overview_grid").set_index("Indicator")
    figures = _table(at, "overview_figures").set_index("Figure")

    # One Stop, year to date at Q3: 310 people, 137 new.
    assert figures.loc["People receiving a service", "Year to date"] == "310"
    assert figures.loc["People new to the service", "Year to date"] == "137"
    # One Stop, Q3: 100%, 67%, 65%, each higher than in Q2.
    for short, shown in (("Responded within 24 hours", "100%"), ("Safety planning within 48 hours", "67%"),
                         ("Full needs and risk assessment", "65%")):
        assert grid.loc[short, "Quarter"] == shown
        assert grid.loc[short, "Change on previous quarter"].startswith("+")
    # Closed cases in Q3: 62 risk scores decreased, 5 the same, none increased.
    assert figures.loc["Closed cases whose risk score decreased", "Quarter"] == "62"
    assert figures.loc["Closed cases whose risk score stayed the same", "Quarter"] == "5"
    assert figures.loc["Closed cases whose risk score increased", "Quarter"] == "0"
    # Refuge, Q3: occupancy 99%, 28 women and 36 children, most children aged 0–3.
    assert grid.loc["Occupancy", "Quarter"] == "99%"
    assert figures.loc["Women resident at the end of the period", "Quarter"] == "28"
    assert figures.loc["Children resident at the end of the period", "Quarter"] == "36"
    bands = {band: int(figures.loc[band, "Quarter"]) for band in
             ("of whom aged 0–3", "of whom aged 4–10", "of whom aged 11–15", "of whom aged 16–17")}
    assert max(bands, key=bands.get) == "of whom aged 0–3"
    # Refuge, year to date: average stay of leavers 10 months.
    assert "(10 months)" in figures.loc["Average length of stay of women who left", "Year to date"]
    # Fresh Start, year to date at Q3: 84 referrals, 42 attended assessment, 29 accepted.
    assert figures.loc["Referrals received", "Year to date"] == "84"
    assert figures.loc["Attended for assessment", "Year to date"] == "42"
    assert figures.loc["Accepted onto the programme", "Year to date"] == "29"
    # Fresh Start, Q3: 17 actively engaged, 21 using the Partner Support Service.
    assert grid.loc["Actively engaged", "Quarter"] == "17"
    assert figures.loc["People using the Partner Support Service", "Quarter"] == "21"


def test_overview_contract_card(app):
    at = app.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Annual value"] == "£524,994"
    # 31/12/2016 to 31/08/2019.
    assert metrics["Days left"] == "973"
    assert "31/08/2019" in " ".join(md.value for md in at.markdown)
    assert metrics["Spend to date"].startswith("£")


def test_overview_shows_the_providers_commentary(app):
    at = app.run()
    text = " ".join(md.value for md in at.markdown)
    assert "28 women and 36 children resident" in text


@pytest.mark.parametrize("page", SERVICE_PAGES)
def test_service_page_trends_equal_the_engine(app, engine_indicators, page):
    at = app.run()
    at.switch_page(page).run()
    _no_exception(at)
    charts = at.get("plotly_chart")
    assert charts, f"{page} drew no chart"
    tables = _trend_tables(at)
    assert tables, f"{page} has no trend table"
    for (code, basis), table in tables.items():
        ind = INDICATORS_BY_CODE[code]
        expected = engine_indicators[(engine_indicators["indicator"] == code)
                                     & (engine_indicators["basis"] == basis)].sort_values("period")
        shown = table[table["Quarter"].isin([fmt.period((y, q), basis) for y, q in
                                             zip(expected["year"], expected["quarter"])])]
        assert list(shown["Value"]) == [fmt.value(v, ind.unit) for v in expected["value"]], code


@pytest.mark.parametrize("page", SERVICE_PAGES)
def test_year_to_date_switch(app, engine_indicators, page):
    at = app.run()
    at.switch_page(page).run()
    page_name = page.split("/")[1].removesuffix(".py")
    at.session_state[f"{page_name}:basis"] = "ytd"
    at.run()
    _no_exception(at)
    bases = [basis for _, basis in _trend_tables(at)]
    assert bases and set(bases) == {"ytd"}


def test_choice_is_kept_in_the_url_and_read_from_it(app):
    at = app
    at.query_params["quarter"] = quarter_param(Quarter(2015, 4))
    at.run()
    _no_exception(at)
    assert at.sidebar.selectbox(key="quarter").value == "2015-16-Q4"
    assert any("2015/16 Q4" in c.value for c in at.caption)
    # Choosing another quarter writes it to the URL, and the pages follow it.
    at.sidebar.selectbox(key="quarter").set_value("2016-17-Q2").run()
    assert at.query_params["quarter"] == "2016-17-Q2"
    assert at.query_params["contract"] == CONTRACT
    at.switch_page("pages/refuge.py").run()
    assert at.query_params["quarter"] == "2016-17-Q2"
    assert any("2016/17 Q2" in c.value for c in at.caption)


def test_an_empty_database_says_what_to_do(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    _no_exception(at)
    assert any("No contract is held yet" in i.value for i in at.info)
    for page in SERVICE_PAGES:
        at.switch_page(page).run()
        _no_exception(at)
        assert any("No contract is held yet" in i.value for i in at.info)
