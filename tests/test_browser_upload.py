"""A provider's workbook uploaded through the real page in headless Chromium.

Starts the dashboard (``streamlit run app.py``) on a private copy of the sample,
drops the 2016/17 Q4 workbook on the upload page, confirms it, and finds Q4 on
the Overview and the file in the submission history.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models.periods import Quarter
from sample_data.make_sample import sample_workbook, workbook_name

from .browser import chromium_browser, served_dashboard

Q4 = Quarter(2016, 4)


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def dashboard(sample_copy, tmp_path):
    """The dashboard served on a free port over a private copy of the sample: its URL."""
    url = sample_copy.url.render_as_string(hide_password=False)
    with served_dashboard(url, tmp_path / "streamlit.log") as address:
        yield address


def test_a_workbook_uploaded_in_the_browser_appears_on_every_page(dashboard, chromium, tmp_path):
    path = tmp_path / workbook_name(Q4)
    path.write_bytes(sample_workbook(Q4))
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)

    # A new user opens the dashboard and goes to the upload page.
    page.goto(dashboard)
    page.get_by_role("link", name="Upload returns").click()
    page.get_by_text("Upload quarterly returns").first.wait_for()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("2016/17 Q4 passed the checks").wait_for()
    page.get_by_text("Headline indicators, 2016/17 Q4").wait_for()
    page.get_by_role("button", name="Confirm and store this workbook").click()
    page.get_by_text("stored ASC0013 2016/17 Q4 as version 1").wait_for()

    # Every page now shows the quarter just stored.
    for link in ("Overview", "One Stop", "Refuge", "Fresh Start", "Finance"):
        page.get_by_role("link", name=link).click()
        page.get_by_text("ASC0013 · MK ACT · 2016/17 Q4").wait_for()
        # The sidebar has moved on to the quarter just stored, and the link says so.
        expect(page).to_have_url(re.compile(r"quarter=2016-17-Q4"))

    page.get_by_role("link", name="Submission history").click()
    page.get_by_role("button", name="Download the original file").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the original file").click()
    saved = tmp_path / "downloaded.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == workbook_name(Q4)
    assert saved.read_bytes() == path.read_bytes()
