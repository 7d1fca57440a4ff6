"""A provider's workbook uploaded through the real page in headless Chromium.

Starts the dashboard (``streamlit run app.py``) on a private copy of the sample,
drops the 2016/17 Q4 workbook on the upload page, confirms it, and finds Q4 on
the Overview and the file in the submission history.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models.periods import Quarter
from sample_data.make_sample import sample_workbook, workbook_name

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
Q4 = Quarter(2016, 4)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is needed for the browser tests in CI: {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def dashboard(sample_copy, tmp_path):
    """The dashboard served on a free port over a private copy of the sample: its URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": sample_copy.url.render_as_string(hide_password=False)}
    log = (tmp_path / "streamlit.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the dashboard did not start: " + (tmp_path / "streamlit.log").read_text())
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


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
