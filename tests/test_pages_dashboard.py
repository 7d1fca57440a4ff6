"""The dashboard's pages in Streamlit's AppTest, on the loaded sample.

Each page runs without an exception, and the figures it shows are the engine's
for the same quarter, in UK formats. The Overview for 2016/17 Q3 shows the
figures the council published. The service pages are those of the contract's
type file; a type written only in a test's folder gets its own.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import formats as fmt
from dashboard import layout
from dashboard.sections import section_key
from dashboard.state import quarter_param
from indicators.engine import indicators_for
from models.contract_types import get_type
from models.periods import Quarter
from tests.actors import ADMIN, admin

# Every AppTest run goes through app.py, as on a server once st.navigation has run
# (the fixture says why).
from .test_pages_entry import runs_through_app_py  # noqa: F401

CONTRACT = "ASC0013"
Q3_2016 = Quarter(2016, 3)
DOMESTIC_ABUSE = get_type("domestic-abuse")
INDICATORS, INDICATORS_BY_CODE = DOMESTIC_ABUSE.indicators, DOMESTIC_ABUSE.indicators_by_code
#: The URL paths of the domestic-abuse service pages (links sent round use them).
SERVICE_PAGES = ["one_stop", "refuge", "fresh_start", "finance"]


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Go to the page at ``url_path`` on the next run.

    ``AppTest.switch_page`` finds only pages that are files; a service page is a
    function of ``pages/service.py`` registered under its URL path, and Streamlit
    knows every page by the hash of its URL path (``st.Page._script_hash``).
    """
    at._page_hash = calc_hash(url_path)
    return at


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
    return open_page(at, "overview")


def open_sections(at: AppTest, url_path: str) -> AppTest:
    """Open every collapsed section of a service page (as clicking each panel does)."""
    page = DOMESTIC_ABUSE.page(url_path)
    for index, block in enumerate(page.blocks):
        if block.collapsed:
            at.session_state[section_key(page, index)] = True
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _table(at: AppTest, key: str):
    """The table in the container keyed ``key``: a grid, or a static table (the Overview's)
    read as it shows (its Markdown escapes undone)."""
    block = at.get_by_key(key)
    if block.dataframe:
        return block.dataframe[0].value
    return block.table[0].value.rename(columns=_as_shown).map(_as_shown)


def _as_shown(text):
    """Escaped Markdown as it shows: each escaped character itself, without the word joiners."""
    if not isinstance(text, str):
        return text
    return re.sub(r"\\(.)", r"\1", text).replace(layout.WORD_JOINER, "")


def _trend_tables(at: AppTest) -> dict[tuple[str, str], object]:
    """(indicator, basis) -> the table beside its trend chart, for the trends on the page."""
    found = {}
    for ind in INDICATORS:
        for basis in ("quarter", "ytd"):
            with contextlib.suppress(KeyError):
                found[(ind.code, basis)] = _table(at, f"trend_{ind.code}_{basis}")
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
    shown = dict(zip(grid["Indicator"], grid.index, strict=True))
    assert sorted(grid["Indicator"]) == sorted(INDICATORS_BY_CODE[c].short for c in with_target)
    for code in with_target:
        ind = INDICATORS_BY_CODE[code]
        row = grid.loc[shown[ind.short]]
        engine_row = _engine_value(engine_indicators, code, "quarter")
        # Beside its RAG a value is whole unless that would hide why (issue 12: formats.rag_value).
        band = (engine_row["target"], engine_row["tolerance"], engine_row["direction"])
        assert row["Quarter"] == fmt.rag_value(engine_row["value"], ind.unit, *band), code
        assert row["Target"] == fmt.target_band(*band, ind.unit), code
        assert row["RAG"] == fmt.rag(engine_row["rag"], "no data"), code
        ytd_row = _engine_value(engine_indicators, code, "ytd")
        assert row["Year to date"].startswith(fmt.rag_value(
            ytd_row["value"], ind.unit, ytd_row["target"], ytd_row["tolerance"], ytd_row["direction"])), code
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
        assert grid.loc[short, "Since last quarter"].startswith("+")
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
    open_sections(open_page(at, page), page).run()
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
                                             zip(expected["year"], expected["quarter"], strict=True)])]
        assert list(shown["Value"]) == [fmt.rag_value(r["value"], ind.unit, r["target"], r["tolerance"],
                                                      r["direction"])
                                        for r in expected.to_dict("records")], code


@pytest.mark.parametrize("page", SERVICE_PAGES)
def test_year_to_date_switch(app, engine_indicators, page):
    at = app.run()
    open_sections(open_page(at, page), page).run()
    at.session_state[f"{page}:basis"] = "ytd"
    at.run()
    _no_exception(at)
    bases = [basis for _, basis in _trend_tables(at)]
    assert bases and set(bases) == {"ytd"}


def test_a_collapsed_section_is_drawn_only_when_opened(app, engine_indicators):
    """One Stop's section of every indicator is a closed panel at first: none of its trends is
    made; opened, it draws a trend for each One Stop indicator, equal to the engine's."""
    at = app.run()
    open_page(at, "one_stop").run()
    _no_exception(at)
    one_stop = [ind.code for ind in DOMESTIC_ABUSE.indicators_for("One Stop")]
    closed = at.get("plotly_chart")
    assert not {code for code, _ in _trend_tables(at)} & set(one_stop)
    assert [e.label for e in at.expander] == ["**Every One Stop indicator**"]
    open_sections(at, "one_stop").run()
    _no_exception(at)
    assert {code for code, _ in _trend_tables(at)} == set(one_stop)
    assert len(at.get("plotly_chart")) == len(closed) + len(one_stop)


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
    open_page(at, "refuge").run()
    assert at.query_params["quarter"] == "2016-17-Q2"
    assert any("2016/17 Q2" in c.value for c in at.caption)


def test_an_empty_database_says_what_to_do(sqlite_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    _no_exception(at)
    assert any("No contract is held yet" in i.value for i in at.info)
    # No contract, so no service page: every page that shows a contract says how to register one.
    for page in ["overview", "history", "targets", "quality_visits", "actions", "meeting"]:
        open_page(at, page).run()
        _no_exception(at)
        said = " ".join(i.value for i in at.info)
        assert "No contract is held yet" in said and "Contracts page" in said, page
        assert "load-sample" not in said, page
        links = [link.proto.label for link in at.get("page_link")]
        assert "Register a contract" in links, page


# --- a contract type written only in a test's folder ---------------------------------------

CARERS_TYPE = '''
name = "carers-support"
title = "Carers' support (test type)"
versions = [1]
sheets = ["Carers", "Finance"]
commentary_topics = ["Carers", "General"]

[[services]]
name = "Carers"

[[measures]]
code = "CS01"
sheet = "Carers"
label = "Carers referred"

[[measures]]
code = "CS02"
sheet = "Carers"
label = "Carers assessed"

[[measures]]
code = "CS03"
sheet = "Carers"
label = "Carers given a support plan"

[[measures]]
code = "CS04"
sheet = "Carers"
label = "Carers given a break from caring"

[[measures]]
code = "CF01"
sheet = "Finance"
label = "Expenditure: carers' support"
type = "money"

[[checks]]
code = "ARITH-CS-PLANS"
rule = "each_at_most"
parts = ["CS03", "CS04"]
whole = ["CS02"]

[[indicators]]
code = "CS-ASSESSED"
service = "Carers"
label = "Referred carers who were assessed"
short = "Assessed"
numerator = ["CS02"]
denominator = ["CS01"]
unit = "%"
better = "higher"
target = 80
tolerance = 10

[[indicators]]
code = "CS-PLANNED"
service = "Carers"
label = "Assessed carers with a support plan"
short = "Support plan"
numerator = ["CS03"]
denominator = ["CS02"]
unit = "%"
better = "higher"

[[indicators]]
code = "CS-REFERRED"
service = "Carers"
label = "Carers referred to the service"
short = "Referred"
numerator = ["CS01"]
unit = "people"
better = "higher"

[[indicators]]
code = "CS-SPEND"
service = "Finance"
label = "Spend against the contract value"
short = "Spend"
numerator = ["CF01"]
denominator = "contract_value"
unit = "%"
better = "lower"
target = 100
tolerance = 2

[[key_figures]]
group = "Carers"
figures = ["CS-REFERRED", "CS04"]

[[pages]]
title = "Carers"
icon = "volunteer_activism"

[[pages.blocks]]
kind = "header"
text = "From referral to a support plan"

[[pages.blocks]]
kind = "funnel"
measures = ["CS01", "CS02", "CS03"]
title = "Carers from referral to a support plan"

[[pages.blocks]]
kind = "trends_together"
indicators = ["CS-ASSESSED", "CS-PLANNED"]
title = "Assessed and planned"

[[pages.blocks]]
kind = "stacked_bars"
measures = ["CS03", "CS04"]
title = "Support given"
side_by_side = true

[[pages.blocks]]
kind = "outcomes"
measures = ["CS03", "CS04"]
total = "CS02"
total_name = "carers assessed"
title = "What assessed carers were given"

[[pages.blocks]]
kind = "note"
text = "A carer may be given both."

[[pages.blocks]]
kind = "service_trends"
service = "Carers"

[[pages]]
title = "Money"
icon = "payments"

[[pages.blocks]]
kind = "spend"
indicator = "CS-SPEND"

[[pages.blocks]]
kind = "trend"
indicator = "CS-SPEND"
'''


@pytest.fixture
def carers_contract(sqlite_engine, tmp_path, monkeypatch):
    """A brand-new type in a temporary folder (no code change), a contract of it and two returns."""
    return add_carers_contract(sqlite_engine, tmp_path / "types", monkeypatch)


def add_carers_contract(sqlite_engine, folder, monkeypatch, type_file: str = CARERS_TYPE):
    """``type_file`` written to ``folder`` and read from there, contract CAR001 of it and two returns."""
    import settings
    from data_ingest.store import ingest_file
    from data_ingest.template import template_workbook
    from records.contracts import add_contract
    from records.targets import set_default_targets

    folder.mkdir()
    (folder / "carers-support.toml").write_text(type_file, encoding="utf-8")
    monkeypatch.setenv("MONITORING_CONTRACT_TYPES_DIR", str(folder))
    monkeypatch.setattr(settings, "CONTRACT_TYPES_DIR", folder)   # read once, at import
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    catalogue = get_type("carers-support")
    add_contract(sqlite_engine, reference="CAR001", title="Carers' support", provider="Carers Together",
                 start_date=date(2016, 4, 1), initial_end_date=date(2019, 3, 31), annual_value=120_000,
                 contract_type="carers-support", services={"Carers": "Support for unpaid carers"}, actor=ADMIN)
    set_default_targets(sqlite_engine, "CAR001", catalogue, Quarter(2016, 1), admin("test"))
    returns = {Quarter(2016, 1): {"CS01": 40, "CS02": 30, "CS03": 24, "CS04": 9, "CF01": 29_000},
               Quarter(2016, 2): {"CS01": 50, "CS02": 45, "CS03": 40, "CS04": 12, "CF01": 31_500}}
    for quarter, values in returns.items():
        content = template_workbook(catalogue, reference="CAR001", provider="Carers Together",
                                    quarter=quarter, values=values, completed_by="A. Carer",
                                    date_completed=quarter.end)
        result = ingest_file(sqlite_engine, content, f"CAR001 {quarter.label}.xlsx", today=date(2016, 11, 1),
                             actor=ADMIN)
        assert result.status == "stored", result.errors
    return catalogue


def test_a_type_written_only_in_a_folder_gets_its_own_service_pages(carers_contract):
    catalogue = carers_contract
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["contract"] = "CAR001"
    open_page(at, "overview").run()
    _no_exception(at)
    # The Overview grid: the type's indicators with a target, by their short names.
    assert set(_table(at, "overview_grid")["Indicator"]) == {"Assessed", "Spend"}
    for page in catalogue.pages:
        open_page(at, page.slug).run()
        _no_exception(at)
        assert at.title[0].value == page.title
        said = " ".join(m.value for m in at.markdown)
        drawn = [ind for ind in catalogue.indicators
                 if any(b.indicator == ind.code or ind.code in b.indicators
                        or (b.kind == "service_trends" and b.service == ind.service) for b in page.blocks)]
        assert drawn
        for ind in drawn:
            assert ind.label in said or ind.short in said, f"{page.title}: {ind.label} not shown"
    # The Carers page draws every block: a chart per block with a table beside it.
    open_page(at, "carers").run()
    assert len(at.get("plotly_chart")) == 4 + len(catalogue.indicators_for("Carers"))
    trend = _table(at, "trend_CS-ASSESSED_quarter").set_index("Quarter")
    assert trend.loc["2016/17 Q1", ["Value", "Counts"]].tolist() == ["75%", "30 of 40"]
    assert trend.loc["2016/17 Q2", ["Value", "Counts"]].tolist() == ["90%", "45 of 50"]
    # A link to a page of another type says so instead of failing.
    open_page(at, "refuge").run()
    _no_exception(at)


def test_the_service_pages_change_with_the_contracts_type(app):
    from sample_data.substance_misuse import CONTRACT as SECOND

    at = app.run()
    other, held = SECOND["reference"], get_type(SECOND["contract_type"])
    at.sidebar.selectbox(key="contract").set_value(other).run()
    _no_exception(at)
    assert at.query_params["contract"] == other
    for page in held.pages:
        open_page(at, page.slug).run()
        _no_exception(at)
        assert at.title[0].value == page.title
        assert at.get("plotly_chart"), f"{page.title} drew no chart"
    # Back to the domestic-abuse contract: its pages again.
    at.sidebar.selectbox(key="contract").set_value(CONTRACT).run()
    open_page(at, "refuge").run()
    _no_exception(at)
    assert at.title[0].value == "Refuge" and _trend_tables(at)
    # Choosing a contract whose type has no Refuge page, on the Refuge page: its Overview.
    at.sidebar.selectbox(key="contract").set_value(other).run()
    _no_exception(at)
    assert at.title[0].value == "Overview"
    assert any(other in c.value for c in at.caption)
