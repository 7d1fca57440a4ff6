"""The Returns calendar in a real browser: headless Debian Chromium through Playwright.

Starts ``streamlit run app.py`` over a copy of the sample (ASC0013 of MK ACT and
ASC0042 of Compass Recovery, returns up to 2016/17 Q3) and opens ``/returns``: one
row per contract, one column per quarter, each cell's status in words with an icon
and a colour. As on 25/04/2017 both 2016/17 Q4 returns are due on 03/05/2017; as on
today they are long overdue.
"""

from __future__ import annotations

import time

#: The Okabe–Ito colours of the statuses, as the browser reports them.
SKY_BLUE = "rgb(86, 180, 233)"     # due
VERMILLION = "rgb(213, 94, 0)"     # overdue


def _settled(page) -> None:
    """Until the script has finished its run and nothing on the page is stale."""
    deadline = time.monotonic() + 60
    quiet = 0
    while time.monotonic() < deadline:
        running = page.get_by_test_id("stStatusWidget").count()
        stale = page.locator("[data-stale='true'], [data-testid='stSkeleton']").count()
        quiet = quiet + 1 if not running and not stale else 0
        if quiet >= 3:
            return
        time.sleep(0.3)
    raise AssertionError("the page did not finish its run")


def _cell(page, contract: str, quarter: str):
    """The calendar cell of a contract (row heading) and quarter (column heading)."""
    table = page.locator(".returns-calendar table")
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    row = table.locator("tbody tr").filter(has=page.locator("th", has_text=contract))
    return row.locator("td").nth(headings.index(quarter) - 1)


def _no_error(page) -> None:
    for test_id in ("stException", "stAlertContentError"):
        assert page.get_by_test_id(test_id).count() == 0, page.get_by_test_id(test_id).first.inner_text()


def test_the_returns_calendar_shows_each_status_in_words_icons_and_colour(dashboard, chromium, screenshots):
    page = chromium.new_page(viewport={"width": 1500, "height": 1100})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/returns?contract=ASC0013")
    page.get_by_role("heading", name="Returns calendar").first.wait_for()
    page.locator(".returns-calendar table").wait_for()
    _settled(page)
    _no_error(page)
    rows = page.locator(".returns-calendar tbody th").all_inner_texts()
    assert rows == ["ASC0013 · MK ACT", "ASC0042 · Compass Recovery (illustrative)"]

    # As on today, the last 8 quarters: ASC0013's term ran to 31/08/2019 and no return after
    # 2016/17 Q3 was received, so its last quarter's is overdue, in words, icon and colour.
    overdue = _cell(page, "ASC0013", "2019/20 Q2")
    assert overdue.inner_text().startswith("✖ Overdue, ")
    assert overdue.evaluate("cell => getComputedStyle(cell).backgroundColor") == VERMILLION
    # ASC0042's term ended on 30/09/2017: later quarters are outside it, not overdue.
    assert _cell(page, "ASC0042", "2019/20 Q2").inner_text() == "–"
    page.get_by_role("combobox", name="Quarters shown").click()
    page.get_by_role("option", name="Every quarter").click()
    _settled(page)
    assert _cell(page, "ASC0042", "2017/18 Q3").inner_text() == "–"
    assert _cell(page, "ASC0042", "2017/18 Q2").inner_text().startswith("✖ Overdue")
    # Received: when, against the due date, depends on when the sample was loaded.
    assert _cell(page, "ASC0013", "2014/15 Q2").inner_text().startswith(("✔ On time", "▲ Late"))
    assert _cell(page, "ASC0042", "2014/15 Q2").inner_text() == "–"    # it began in 2014/15 Q3
    page.screenshot(path=str(screenshots / "returns-today.png"), full_page=True)

    # As on Tuesday 25/04/2017, in the middle of the deadline period of 2016/17 Q4.
    # The date field has a spin button for each of day, month and year; typing moves along them.
    page.get_by_role("spinbutton", name="day, Status as on").click()
    page.keyboard.type("25042017")
    page.keyboard.press("Escape")       # close the calendar that opened; leaving the field sets the date
    page.get_by_role("heading", name="Returns calendar").first.click()
    page.screenshot(path=str(screenshots / "returns-typed.png"), full_page=True)
    page.get_by_text("as on 25/04/2017").wait_for(timeout=10_000)
    _settled(page)
    due = _cell(page, "ASC0013", "2016/17 Q4")
    assert due.inner_text() == "◔ Due 03/05/2017"
    assert due.get_attribute("title") == "◔ Due (due 03/05/2017, in 5 working days)"
    assert due.evaluate("cell => getComputedStyle(cell).backgroundColor") == SKY_BLUE
    assert _cell(page, "ASC0042", "2016/17 Q4").inner_text() == "◔ Due 03/05/2017"
    assert _cell(page, "ASC0013", "2017/18 Q1").inner_text() == "○ Not yet due 28/07/2017"
    # The next returns owed, and one contract's returns with their history.
    page.get_by_text("Next returns due").wait_for()
    assert page.locator("[data-testid='stDataFrame']").count() == 2
    _no_error(page)
    page.screenshot(path=str(screenshots / "returns-2017-04-25.png"), full_page=True)
    page.close()
