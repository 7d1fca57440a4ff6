"""A new install, in headless Chromium: register a contract of the second type, send its first return, see it.

Starts the dashboard on an empty database (no command run before it). A user
registers a substance-misuse contract on the Contracts page, downloads its
template from the page, fills it in as the provider would (the sample's
figures for one quarter), uploads it and finds the contract on the Portfolio
and its Overview. Then, on the loaded sample, the Portfolio shows both sample
contracts, each opening its own Overview.
"""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest

from models.periods import Quarter
from sample_data import substance_misuse
from sample_data.make_sample import SUBSTANCE_MISUSE, sample_workbook

from .browser import chromium_browser, served_dashboard

QUARTER = Quarter(2016, 3)


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


def _date(page, label: str, text: str) -> None:
    """Type a date into Streamlit's date field (day, month and year segments) as a person would."""
    page.get_by_role("group", name=label, exact=True).get_by_role("spinbutton").first.click()
    page.keyboard.type(text.replace("/", ""))
    page.keyboard.press("Tab")


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def test_a_new_user_registers_a_contract_uploads_its_first_return_and_sees_it(
        sqlite_engine, chromium, tmp_path):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with served_dashboard(url, tmp_path / "streamlit.log") as dashboard:
        page = chromium.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(dashboard)
        page.get_by_text("No contract is registered yet").first.wait_for()

        page.get_by_role("link", name="Contracts").first.click()
        page.get_by_role("tab", name="Register a contract").click()
        _choose(page, "Type of contract", "Community substance-misuse treatment (illustrative)")
        page.get_by_label("Reference", exact=True).fill("SM0001")
        page.get_by_label("Title", exact=True).fill("Community drug and alcohol service")
        page.get_by_label("Provider", exact=True).fill("New Leaf Recovery")
        page.get_by_label("Commissioner", exact=True).fill("Public Health")
        page.get_by_label("Annual value (£)").fill("1450000")
        _date(page, "Start", "01/10/2014")
        _date(page, "Initial end", "30/09/2017")
        page.get_by_label("Treatment places commissioned", exact=True).fill("450")
        page.get_by_role("button", name="Register the contract").click()
        page.get_by_text("Registered SM0001").wait_for()

        # Its template, as the provider would get it: filled in with the sample's figures.
        with page.expect_download() as download:
            page.get_by_role("button", name="Download").first.click()
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        workbook = openpyxl.load_workbook(template)
        assert workbook["Cover"]["B4"].value == "SM0001"
        filled = openpyxl.load_workbook(io.BytesIO(sample_workbook(QUARTER, SUBSTANCE_MISUSE)))
        filled["Cover"]["B4"] = "SM0001"
        filled["Cover"]["B5"] = "New Leaf Recovery"
        first_return = tmp_path / "SM0001_2016-17_Q3.xlsx"
        filled.save(first_return)

        page.get_by_role("link", name="Upload returns").click()
        page.locator("input[type=file]").set_input_files(str(first_return))
        page.get_by_text("2016/17 Q3 passed the checks").wait_for()
        page.get_by_role("button", name="Confirm and store this workbook").click()
        page.get_by_text("stored SM0001 2016/17 Q3 as version 1").wait_for()

        page.get_by_role("link", name="Portfolio").click()
        page.get_by_role("heading", name="Portfolio").wait_for()
        grid = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
        grid.first.wait_for(state="attached")
        assert "SM0001" in " | ".join(grid.all_text_contents())
        page.get_by_role("link", name="Overview").click()
        page.get_by_text("SM0001 · New Leaf Recovery · 2016/17 Q3").first.wait_for()
        # The contract's own service pages are in the menu.
        page.get_by_role("link", name="Treatment").first.wait_for()
        page.get_by_role("link", name="Recovery").first.wait_for()


def test_the_portfolio_shows_both_sample_contracts(_sample_sqlite, chromium, tmp_path):
    database = tmp_path / "sample.sqlite"
    shutil.copyfile(_sample_sqlite, database)
    with served_dashboard(f"sqlite:///{database}", tmp_path / "streamlit.log") as dashboard:
        page = chromium.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(dashboard)
        page.get_by_role("heading", name="Portfolio").wait_for()
        table = page.get_by_test_id("stDataFrame").first
        table.wait_for()
        # The grid is drawn on a canvas; its accessible cells carry the text.
        table.locator("[role=gridcell]").first.wait_for(state="attached")
        cells = " | ".join(table.locator("[role=gridcell]").all_text_contents())
        assert "ASC0013" in cells and substance_misuse.CONTRACT["reference"] in cells, cells
