"""The portfolio (every contract, one row each) and the Contracts page, as a user reads them.

Contracts are registered through the register and their returns stored as rows,
so that these tests do not depend on the workbook reader.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard import portfolio, views
from dashboard.state import parse_quarter_param
from indicators.engine import indicators_for
from models.contract_types import get_type, load_types
from models.periods import Quarter
from models.schema import MeasureValue, Submission
from records.contracts import (
    contract_details,
    contract_register,
    get_contract,
    register_contract,
)
from records.escalation import change_stage
from sample_data import quarters as sample
from tests.actors import admin

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TODAY = date(2017, 2, 1)          # 2016/17 Q3 has just finished
Q1, Q2, Q3 = Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3)
RECEIVED_Q3 = datetime(2017, 1, 20, 9, 0, tzinfo=UTC)


def _other_type() -> str:
    """A second contract type when the folder has one (the portfolio mixes types), else the first."""
    return next((name for name in sorted(load_types()) if name != "domestic-abuse"), "domestic-abuse")


def store_return(engine, reference: str, quarter: Quarter, values: dict[str, float | None],
                 uploaded_at: datetime) -> None:
    with Session(engine) as session, session.begin():
        contract = get_contract(session, reference)
        submission = Submission(contract=contract, year=quarter.year, quarter=quarter.quarter,
                                version=1, is_current=True, file_name=f"{reference}-{quarter}.xlsx",
                                sha256=f"{reference}{quarter.index}".ljust(64, "0"), original=b"",
                                warnings=[], uploaded_at=uploaded_at, template_version="1")
        submission.values = [MeasureValue(code=code, value=value, cell="") for code, value in values.items()]
        session.add(submission)


def two_contracts(engine) -> None:
    """ASC0013 with three returns of 2016/17 and a concern raised; a second contract with none."""
    register_contract(engine, admin("jo"), reference="ASC0013", title="Domestic abuse services",
                      provider="MK ACT", commissioner="Milton Keynes Council",
                      contract_type="domestic-abuse", annual_value=524_994,
                      start_date=date(2014, 9, 1), initial_end_date=date(2017, 8, 31),
                      extended_end_date=date(2019, 8, 31), parameters={"refuge_capacity": 28})
    for quarter, when in ((Q1, datetime(2016, 7, 15, tzinfo=UTC)), (Q2, datetime(2016, 10, 14, tzinfo=UTC)),
                          (Q3, RECEIVED_Q3)):
        store_return(engine, "ASC0013", quarter, sample.VALUES[quarter], when)
    change_stage(engine, "ASC0013", "Stage 1: concern raised", date(2016, 11, 1), "Refuge below target",
                 admin("jo"))
    other = get_type(_other_type())
    register_contract(engine, admin("jo"), reference="SM0001", title="Community recovery service",
                      provider="Recovery Works", commissioner="Another Council",
                      contract_type=other.name, annual_value=300_000,
                      start_date=date(2016, 4, 1), initial_end_date=date(2019, 3, 31),
                      parameters={p.key: 12 for p in other.parameters})


@pytest.fixture
def db(sqlite_engine):
    two_contracts(sqlite_engine)
    return sqlite_engine


def test_one_row_per_contract_with_what_an_officer_checks_first(engine):
    two_contracts(engine)
    rows = portfolio.portfolio_table(engine, TODAY).set_index(portfolio.REFERENCE)
    assert list(rows.index) == ["ASC0013", "SM0001"]

    asc = rows.loc["ASC0013"]
    assert (asc[portfolio.PROVIDER], asc[portfolio.COMMISSIONER]) == ("MK ACT", "Milton Keynes Council")
    assert asc[portfolio.TYPE] == get_type("domestic-abuse").title
    assert asc[portfolio.LATEST] == "2016/17 Q3"
    # As the Returns calendar and the reminders say it (alerts.deadlines): on time, and the
    # quarters before it that this test database never received are overdue.
    assert (asc[portfolio.RETURN_DUE], asc[portfolio.RETURN]) == (
        "2016/17 Q3", "✔ Received on time (on 20/01/2017); 7 earlier returns overdue")
    assert asc[portfolio.DAYS_LEFT] == (date(2019, 8, 31) - TODAY).days
    assert asc[portfolio.STAGE] == "Stage 1: concern raised"

    # The same counts as the Overview of 2016/17 Q3.
    catalogue = get_type("domestic-abuse")
    grid = views.overview_grid(indicators_for(engine, "ASC0013"), catalogue, Q3)
    counts = views.rag_counts(grid)
    assert (asc[portfolio.RED], asc[portfolio.AMBER], asc[portfolio.GREEN]) == \
        (counts["red"], counts["amber"], counts["green"])
    assert asc[portfolio.RED] + asc[portfolio.AMBER] + asc[portfolio.GREEN] > 0

    # Spend of Q1 to Q3 against three quarters of the annual value.
    spend = next(i for i in catalogue.indicators if i.denominator == "contract_value")
    spent = sum(sample.VALUES[q][code] for q in (Q1, Q2, Q3) for code in spend.numerator)
    assert asc[portfolio.SPEND] == pytest.approx(round(spent / (524_994 * 3 / 4) * 100, 1))

    link = urlparse(asc[portfolio.OVERVIEW])
    assert link.path == "overview"
    params = parse_qs(link.query)
    assert params["contract"] == ["ASC0013"] and parse_quarter_param(params["quarter"][0]) == Q3

    other = rows.loc["SM0001"]
    assert other[portfolio.LATEST] == ""                       # no return held yet
    assert (other[portfolio.RETURN_DUE], other[portfolio.RETURN]) == (
        "2016/17 Q3", "✖ Overdue (due 30/01/2017, 2 working days ago); 2 earlier returns overdue")
    assert (other[portfolio.RED], other[portfolio.AMBER], other[portfolio.GREEN]) == (0, 0, 0)
    assert other[portfolio.SPEND] != other[portfolio.SPEND]    # blank (NaN), not 0%
    assert other[portfolio.STAGE] == "Routine monitoring"
    assert parse_qs(urlparse(other[portfolio.OVERVIEW]).query) == {"contract": ["SM0001"]}


def test_filters_keep_the_rows_chosen_and_none_chosen_keeps_all(db):
    rows = portfolio.portfolio_table(db, TODAY)
    assert portfolio.choices(rows, portfolio.PROVIDER) == ["MK ACT", "Recovery Works"]
    assert list(portfolio.filter_portfolio(rows, providers=["Recovery Works"])[portfolio.REFERENCE]) == \
        ["SM0001"]
    assert list(portfolio.filter_portfolio(rows, commissioners=["Milton Keynes Council"])
                [portfolio.REFERENCE]) == ["ASC0013"]
    assert len(portfolio.filter_portfolio(rows, types=[get_type("domestic-abuse").title],
                                          providers=["Recovery Works"])) == (
        1 if _other_type() == "domestic-abuse" else 0)
    assert len(portfolio.filter_portfolio(rows)) == 2


def test_an_ended_contract_counts_down_to_the_day_it_ended(db):
    from records.contracts import end_contract

    end_contract(db, admin("ann"), "ASC0013", date(2016, 12, 31))
    row = portfolio.portfolio_table(db, TODAY).set_index(portfolio.REFERENCE).loc["ASC0013"]
    assert row[portfolio.DAYS_LEFT] == -32                     # ended 32 days before today
    assert row[portfolio.RETURN_DUE] == "2016/17 Q3"


def test_an_empty_database_gives_an_empty_portfolio(sqlite_engine):
    assert portfolio.portfolio_table(sqlite_engine, TODAY).empty


# --- the pages, driven as a user would (AppTest) -------------------------------------------------


@pytest.fixture(autouse=True)
def runs_through_app_py(monkeypatch):
    """As in test_pages_entry: every AppTest run goes through app.py's navigation."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class NavigatedPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigatedPagesManager)


def _use(monkeypatch, engine) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page(page)
    return run(at)


def test_the_portfolio_is_the_first_page_and_lists_both_contracts(db, monkeypatch):
    _use(monkeypatch, db)
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert at.title[0].value == "Portfolio"
    shown = at.dataframe[0].value
    assert list(shown[portfolio.REFERENCE]) == ["ASC0013", "SM0001"]
    assert shown.set_index(portfolio.REFERENCE).loc["ASC0013", portfolio.STAGE] == "Stage 1: concern raised"

    at.multiselect(key="portfolio:providers").select("Recovery Works")
    run(at)
    assert list(at.dataframe[0].value[portfolio.REFERENCE]) == ["SM0001"]
    assert any("1 of 2 contracts" in c.value for c in at.caption)


def test_clicking_a_row_opens_that_contracts_overview(db, monkeypatch):
    _use(monkeypatch, db)
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert at.sidebar.selectbox[0].value == "ASC0013"
    # What the browser sends when the user ticks the second row (SM0001).
    at.session_state["portfolio:table0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    run(at)
    assert at.title[0].value == "Overview"
    assert at.sidebar.selectbox[0].value == "SM0001"


def test_an_empty_install_sends_the_user_to_register_a_contract(sqlite_engine, monkeypatch):
    _use(monkeypatch, sqlite_engine)
    at = run(AppTest.from_file(APP, default_timeout=60))
    assert any("No contract is registered yet" in i.value for i in at.info)
    assert not at.dataframe


def test_registering_through_the_page_offers_the_template_and_the_upload(sqlite_engine, monkeypatch):
    _use(monkeypatch, sqlite_engine)
    at = open_page("pages/contracts.py")
    assert any("No contract is registered yet" in i.value for i in at.info)
    at.selectbox(key="contracts_add_type").select("domestic-abuse")
    run(at)
    at.text_input(key="contracts_add_reference").input("ASC0013")
    at.text_input(key="contracts_add_title").input("Domestic abuse services")
    at.text_input(key="contracts_add_provider").input("MK ACT")
    at.number_input(key="contracts_add_value").set_value(524994.0)
    at.date_input(key="contracts_add_start").set_value(date(2014, 9, 1))
    at.date_input(key="contracts_add_end").set_value(date(2017, 8, 31))
    at.number_input(key="contracts_add_refuge_capacity").set_value(28)
    _submit(at, "Register the contract")

    assert "Registered ASC0013, with the services and default targets of its type." in successes(at)
    held = contract_details(sqlite_engine, "ASC0013")
    assert held["parameters"] == {"refuge_capacity": 28} and held["provider"] == "MK ACT"
    assert contract_register(sqlite_engine).iloc[0]["created_by"]          # who registered it
    assert at.get("download_button")                                         # its template
    assert any(link.proto.page.endswith("upload") or "upload" in link.proto.page
               for link in at.get("page_link"))
    assert at.dataframe[0].value.iloc[0]["Reference"] == "ASC0013"          # in the register


def test_a_faulty_registration_says_what_to_correct_and_stores_nothing(sqlite_engine, monkeypatch):
    _use(monkeypatch, sqlite_engine)
    at = open_page("pages/contracts.py")
    at.text_input(key="contracts_add_reference").input("ASC0013")
    at.text_input(key="contracts_add_title").input("Domestic abuse services")
    at.text_input(key="contracts_add_provider").input("MK ACT")
    at.number_input(key="contracts_add_value").set_value(1000.0)
    at.date_input(key="contracts_add_start").set_value(date(2017, 9, 1))
    at.date_input(key="contracts_add_end").set_value(date(2017, 8, 31))
    _submit(at, "Register the contract")
    said = "\n".join(e.value for e in at.error)
    assert "must be after the start" in said
    assert contract_register(sqlite_engine).empty


def test_changing_and_ending_a_contract_on_the_page(db, monkeypatch):
    _use(monkeypatch, db)
    at = open_page("pages/contracts.py")
    at.selectbox(key="contracts_change_contract").select("ASC0013")
    run(at)
    at.text_input(key="contracts_change_title_ASC0013").input("Domestic abuse support")
    _submit(at, "Save the changes")
    assert "Changed ASC0013: title." in successes(at)
    assert contract_details(db, "ASC0013")["title"] == "Domestic abuse support"

    at.selectbox(key="contracts_end_contract").select("SM0001")
    run(at)
    at.date_input(key="contracts_end_on_SM0001").set_value(date(2018, 3, 31))
    _submit(at, "End the contract")
    assert "SM0001 ends on 31/03/2018." in successes(at)
    assert contract_details(db, "SM0001")["ended_on"] == date(2018, 3, 31)


def successes(at: AppTest) -> str:
    """The page's success messages as the user reads them (Markdown escapes undone)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(s.value for s in at.success))


def _submit(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.get("button") if b.proto.label == label)
    button.click()
    return run(at)


def test_a_new_install_registers_a_contract_uploads_its_first_return_and_sees_it(sqlite_engine,
                                                                                 monkeypatch):
    """The issue's first use: an empty database, no command, every step in the dashboard."""
    from data_ingest.template import template_workbook

    _use(monkeypatch, sqlite_engine)
    at = open_page("pages/contracts.py")
    at.selectbox(key="contracts_add_type").select("domestic-abuse")
    run(at)
    for name, value in (("reference", "ASC0013"), ("title", "Domestic abuse services"),
                        ("provider", "MK ACT")):
        at.text_input(key=f"contracts_add_{name}").input(value)
    at.number_input(key="contracts_add_value").set_value(524994.0)
    at.date_input(key="contracts_add_start").set_value(date(2014, 9, 1))
    at.date_input(key="contracts_add_end").set_value(date(2019, 8, 31))
    at.number_input(key="contracts_add_refuge_capacity").set_value(28)
    _submit(at, "Register the contract")
    assert at.get("download_button")

    # The provider fills in the template for the contract and sends it back.
    filled = template_workbook(get_type("domestic-abuse"), reference="ASC0013", provider="MK ACT",
                               quarter=Q3, values=sample.VALUES[Q3], commentary=sample.COMMENTARY[Q3],
                               completed_by=sample.COMPLETED_BY[Q3],
                               date_completed=sample.DATE_COMPLETED[Q3])
    at.switch_page("pages/upload.py")
    run(at)
    at.file_uploader[0].upload("ASC0013_Q3.xlsx", filled,
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    run(at)
    at.button(key="upload:confirm").click()
    run(at)

    at.switch_page("pages/overview.py")
    run(at)
    assert any("2016/17 Q3" in c.value for c in at.caption)
    at.switch_page("pages/portfolio.py")
    run(at)
    row = at.dataframe[0].value.set_index(portfolio.REFERENCE).loc["ASC0013"]
    assert row[portfolio.LATEST] == "2016/17 Q3"
