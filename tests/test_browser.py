"""Every dashboard page in a real browser: headless Debian Chromium through Playwright.

Starts ``streamlit run app.py`` on a free port over a copy of the loaded sample,
opens each page from a link that names the contract and quarter (the first one
straight to a page other than the Overview, as a link sent round before a
meeting would), and checks that the page draws its charts and tables and shows
no error. Screenshots are saved under ``DASHBOARD_SCREENSHOTS`` (default: the
test's temporary directory) for a person to look at.
"""

from __future__ import annotations

import time

LINK = "?contract=ASC0013&quarter=2016-17-Q3"

#: url path, heading, charts drawn as the page opens (collapsed sections closed): Refuge
#: first, to open a service page (drawn from the contract type's file) in a new browser
#: session on a freshly started server.
PAGES = [
    ("refuge", "Refuge", 3),
    ("", "Portfolio", 0),
    ("overview", "Overview", 0),
    ("one_stop", "One Stop", 3),
    ("fresh_start", "Fresh Start", 4),
    ("finance", "Finance", 2),
]


def _sidebar_quarter(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Quarter").input_value()


def _wait_until_drawn(page, charts: int) -> None:
    """Until the script has finished and every chart has drawn its plot."""
    page.locator("h1").first.wait_for()
    deadline = time.monotonic() + 60
    quiet = 0
    while time.monotonic() < deadline:
        running = page.get_by_test_id("stStatusWidget").count()
        stale = page.locator("[data-stale='true'], [data-testid='stSkeleton']").count()
        drawn = page.locator(".js-plotly-plot .main-svg").count()
        quiet = quiet + 1 if not running and not stale and drawn >= charts else 0
        if quiet >= 3:
            return
        time.sleep(0.3)
    raise AssertionError(f"the page did not finish drawing: {page.locator('.js-plotly-plot').count()} "
                         f"of {charts} charts")


def test_every_page_draws_its_charts_without_an_error(dashboard, chromium, screenshots):
    page = chromium.new_page(viewport={"width": 1500, "height": 1100})
    page.set_default_timeout(60_000)
    problems = []
    for path, heading, charts in PAGES:
        page.goto(f"{dashboard}/{path}{LINK}")
        _wait_until_drawn(page, charts)
        page.screenshot(path=str(screenshots / f"{path or 'portfolio'}.png"), full_page=False)

        title = page.locator("h1").first.inner_text().strip()
        if title != heading:
            problems.append(f"/{path}: heading {title!r}, not {heading!r}")
        if page.get_by_text("Page not found").count():
            problems.append(f"/{path}: 'Page not found'")
        for test_id in ("stException", "stAlertContentError"):
            if page.get_by_test_id(test_id).count():
                problems.append(f"/{path}: {page.get_by_test_id(test_id).first.inner_text()[:300]}")
        drawn = page.locator(".js-plotly-plot .main-svg").count()
        if drawn < charts:
            problems.append(f"/{path}: {drawn} charts drawn, expected {charts}")
        # Each chart has a title in words and a table beside it.
        titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
        if len([t for t in titles if t and t.strip()]) < charts:
            problems.append(f"/{path}: a chart without a title")
        if page.locator("[data-testid='stDataFrame'], [data-testid='stTable']").count() < max(charts, 1):
            problems.append(f"/{path}: fewer tables than charts")
        # The link's choice is what the sidebar shows, and stays in the URL.
        chosen = _sidebar_quarter(page)
        if chosen != "2016/17 Q3":
            problems.append(f"/{path}: the sidebar shows {chosen!r}, not 2016/17 Q3")
        if "quarter=2016-17-Q3" not in page.url or "contract=ASC0013" not in page.url:
            problems.append(f"/{path}: the URL lost the choice: {page.url}")
    page.close()
    assert not problems, "\n".join(problems)


def test_moving_between_pages_keeps_the_quarter_in_the_url(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/?contract=ASC0013&quarter=2015-16-Q4")
    _wait_until_drawn(page, 0)
    page.get_by_role("link", name="Finance").click()
    page.get_by_role("heading", name="Finance").first.wait_for()
    _wait_until_drawn(page, 2)
    assert "quarter=2015-16-Q4" in page.url
    assert _sidebar_quarter(page) == "2015/16 Q4"
    page.close()


def test_a_closed_section_draws_its_charts_when_opened(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/one_stop{LINK}")
    _wait_until_drawn(page, 3)
    assert page.locator(".js-plotly-plot").count() == 3
    page.get_by_text("Every One Stop indicator").click()
    _wait_until_drawn(page, 10)
    titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
    assert len(titles) == 10 and all(t.strip() for t in titles)
    page.close()
