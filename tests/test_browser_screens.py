"""Issue 12 in a real browser (headless Debian Chromium through Playwright), on real screen sizes.

* 13: ``/overview`` opens the Overview on a freshly started server; a link to a contract or
  quarter that is not held says so.
* 12: one history entry per page or quarter change, and Back goes back (to the page, the
  quarter and the quarter / year-to-date choice before), out of the dashboard at the end.
* 14: the year-to-date choice is kept across pages and in the URL.
* 3: meeting mode says a figure hidden by small-number suppression is hidden.
* 8: hostile text a provider or user typed is shown as text (no link, image, bold or script).
* 8: names a council typed in a type file are shown as written in the Overview's tables,
  which read Markdown.
* 15: at 1280×720, 1440×900 and 1920×1080: no sum of money cut short, the quarter picker in
  view without scrolling the sidebar, no cell of the Overview's two tables cut short and
  neither scrolling sideways, and every meeting-mode slide within a 1920×1080 projector.

Screenshots of the Overview, a service page and every meeting-mode slide at each size are
saved under ``DASHBOARD_SCREENSHOTS`` (default: the test's temporary directory).
"""

from __future__ import annotations

import time

import pytest

from .browser import served_dashboard
from .test_pages_dashboard import CARERS_TYPE, add_carers_contract
from .test_trust_text import hostile_db  # noqa: F401  (the fixture: a sample with hostile text)

LINK = "contract=ASC0013&quarter=2016-17-Q3"
SIZES = [(1280, 720), (1440, 900), (1920, 1080)]


@pytest.fixture(scope="module")
def hostile_dashboard(hostile_db, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("hostile-screens")
    with served_dashboard(hostile_db, folder / "streamlit.log") as url:
        yield url


def _drawn(page, charts: int = 0) -> None:
    """Until the script has finished and ``charts`` charts have drawn."""
    page.locator("h1").first.wait_for()
    deadline, quiet = time.monotonic() + 60, 0
    while time.monotonic() < deadline:
        running = page.get_by_test_id("stStatusWidget").count()
        stale = page.locator("[data-stale='true'], [data-testid='stSkeleton']").count()
        drawn = page.locator(".js-plotly-plot .main-svg").count()
        quiet = quiet + 1 if not running and not stale and drawn >= charts else 0
        if quiet >= 3:
            return
        time.sleep(0.3)
    raise AssertionError("the page did not finish drawing")


def _after(page, action, charts: int = 0) -> None:
    action()
    time.sleep(0.8)
    _drawn(page, charts)


def _heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def _quarter(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Quarter").input_value()


def _choose_quarter(page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Quarter").click()
    page.keyboard.type(label)
    page.keyboard.press("Enter")


def _basis(page) -> str:
    return page.locator("[data-testid='stButtonGroup'] [role='radio'][aria-checked='true']").first.inner_text().strip()


def _history(page) -> int:
    return page.evaluate("history.length")


# --- 13: /overview on a fresh server, and links to what is not held ------------------------------


def test_overview_opens_the_overview_on_a_freshly_started_server(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/overview?{LINK}")
    _drawn(page)
    assert _heading(page) == "Overview"
    assert not page.get_by_text("Page not found").count()
    page.close()


@pytest.mark.parametrize("link, said", [
    ("contract=XYZ999&quarter=2016-17-Q3", "The link names contract 'XYZ999', which is not held"),
    ("contract=ASC0013&quarter=2030-31-Q1", "The link names quarter 2030/31 Q1, which is not held for ASC0013"),
])
def test_a_link_to_what_is_not_held_says_so(dashboard, chromium, link, said):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/refuge?{link}")
    _drawn(page, 7)
    warning = page.get_by_test_id("stAlertContentWarning").all_inner_texts()
    assert any(said in text for text in warning), warning
    assert _heading(page) == "Refuge"
    assert _quarter(page) == "2016/17 Q3"
    page.close()


# --- 12 and 14: Back, and the year to date kept --------------------------------------------------


def test_one_history_entry_per_change_and_back_goes_back(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/overview?{LINK}")
    _drawn(page)
    start = _history(page)
    _after(page, lambda: page.get_by_role("link", name="Refuge").click(), 7)
    assert _history(page) == start + 1
    _after(page, lambda: _choose_quarter(page, "2016/17 Q1"), 7)
    assert _history(page) == start + 2 and "quarter=2016-17-Q1" in page.url
    _after(page, lambda: page.get_by_text("Year to date", exact=True).first.click(), 7)
    assert _history(page) == start + 3 and "basis=ytd" in page.url
    _after(page, lambda: page.get_by_role("link", name="One Stop").click(), 5)
    assert _history(page) == start + 4
    # 14: the year to date is kept on the next page and in its URL.
    assert _basis(page) == "Year to date" and "basis=ytd" in page.url
    steps = [("Refuge", "2016/17 Q1", "Year to date"), ("Refuge", "2016/17 Q1", "Each quarter"),
             ("Refuge", "2016/17 Q3", "Each quarter"), ("Overview", "2016/17 Q3", None)]
    for heading, quarter, basis in steps:
        _after(page, page.go_back)
        assert (_heading(page), _quarter(page)) == (heading, quarter), page.url
        if basis:
            assert _basis(page) == basis, page.url
        assert _history(page) == start + 4          # Back rewrites nothing and adds nothing
    page.go_back()
    assert not page.url.startswith(dashboard)       # out of the dashboard, where the visit began
    page.close()


def test_a_link_with_the_year_to_date_opens_it(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/fresh_start?{LINK}&basis=ytd")
    _drawn(page, 5)
    assert _basis(page) == "Year to date"
    _after(page, lambda: page.get_by_role("link", name="Refuge").click(), 7)
    assert _basis(page) == "Year to date" and "basis=ytd" in page.url
    page.close()


# --- 3: meeting mode says a hidden figure is hidden -----------------------------------------------


def test_meeting_mode_says_hidden_figures_are_hidden(dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/meeting?{LINK}")
    _drawn(page)
    found_hidden = False
    for _ in range(8):
        _after(page, lambda: page.get_by_role("button", name="Next").click())
        text = page.locator("[data-testid='stMain']").inner_text()
        charts = " ".join(page.locator(".js-plotly-plot").all_text_contents())
        assert "No data: nothing reported" not in text + charts
        found_hidden |= "Hidden ([c])" in charts
    assert found_hidden
    page.close()


# --- 8: typed text is text -----------------------------------------------------------------------


def test_hostile_text_is_shown_as_text_in_the_browser(hostile_dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "evil" in request.url else None)
    found = """() => {
      const main = document.querySelector('[data-testid="stMain"]');
      return {
        links: [...main.querySelectorAll('a')].filter(a => (a.href || '').includes('evil')).length,
        images: [...main.querySelectorAll('img')].filter(i => (i.src || '').includes('evil')).length,
        bold: [...main.querySelectorAll('strong, b')].filter(b => b.innerText.trim() === 'bold').length,
        scripts: main.querySelectorAll('script').length,
        shown: main.innerText.replace(/\u2060/g, '').includes('[link](http://evil.example)')
            && main.innerText.includes('&lt;b&gt;entity&lt;/b&gt;'),
      };
    }"""
    link = "contract=ASC0013&quarter=2016-17-Q4"
    shown = False
    for path in ("overview", "actions", "quality_visits", "history"):
        page.goto(f"{hostile_dashboard}/{path}?{link}")
        _drawn(page)
        result = page.evaluate(found)
        assert (result["links"], result["images"], result["bold"], result["scripts"]) == (0, 0, 0, 0), \
            (path, result)
        shown |= result["shown"]
    page.goto(f"{hostile_dashboard}/meeting?{link}")
    _drawn(page)
    for _ in range(8):
        result = page.evaluate(found)
        assert (result["links"], result["images"], result["bold"], result["scripts"]) == (0, 0, 0, 0), result
        shown |= result["shown"]
        _after(page, lambda: page.get_by_role("button", name="Next").click())
    assert shown, "the hostile text was shown nowhere: the test proves nothing"
    assert not fetched, fetched
    page.close()


#: An indicator's short name and another's label as a performance officer might type them.
TYPED_SHORT = "    **Assessed** [site](http://evil.example) _now_ ~~x~~ $x$"
TYPED_LABEL = "Carers <b>referred</b> &amp; `x` #1 www.evil.example"


@pytest.fixture
def typed_type_dashboard(sqlite_engine, tmp_path, monkeypatch):
    """The dashboard over contract CAR001 of a type whose file has Markdown and HTML in names."""
    type_file = CARERS_TYPE.replace('short = "Assessed"', f'short = "{TYPED_SHORT}"').replace(
        'label = "Carers referred to the service"', f'label = "{TYPED_LABEL}"')
    assert TYPED_SHORT in type_file and TYPED_LABEL in type_file
    add_carers_contract(sqlite_engine, tmp_path / "types", monkeypatch, type_file)
    with served_dashboard(sqlite_engine.url.render_as_string(hide_password=False),
                          tmp_path / "streamlit.log") as url:
        yield url


def test_names_in_a_type_file_show_as_written_in_the_overview_tables(typed_type_dashboard, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{typed_type_dashboard}/overview?contract=CAR001")
    _drawn(page)
    shown = page.evaluate("""() => ['overview_grid', 'overview_figures'].map(key => {
      const table = document.querySelector(`.st-key-${key} [data-testid="stTable"] table`);
      return {cells: [...table.querySelectorAll('td, th')].map(c => c.innerText.replace(/\u2060/g, '').trim()),
              formatted: table.querySelectorAll('a, strong, b, em, del, s, code, pre, br, h1, img, .katex').length};
    })""")
    grid, figures = shown
    # As written, on one line (Markdown would read the leading spaces as code).
    assert " ".join(TYPED_SHORT.split()) in grid["cells"], grid["cells"]
    assert TYPED_LABEL in figures["cells"], figures["cells"]
    assert (grid["formatted"], figures["formatted"]) == (0, 0)
    page.close()


# --- 15: real screens ----------------------------------------------------------------------------

MEASURE = """() => {
  const cut = [...document.querySelectorAll('[data-testid="stMetricValue"]')].flatMap(value =>
      [value, ...value.querySelectorAll('*')]).filter(e => e.scrollWidth > e.clientWidth + 1)
      .map(e => e.innerText);
  // Static tables, whose cells can be measured (an interactive grid draws on a canvas).
  const tables = ['overview_grid', 'overview_figures'].map(
      key => document.querySelector(`.st-key-${key} [data-testid="stTable"] table`));
  const cells = tables.filter(t => t).flatMap(t => [...t.querySelectorAll('th, td')]);
  const wide = tables.filter(t => t && t.parentElement.scrollWidth > t.parentElement.clientWidth + 1).length;
  const quarter = document.querySelector('[data-testid="stSidebar"] input[aria-label*="Quarter"]');
  const main = document.querySelector('[data-testid="stMain"]');
  return {cut, tables: tables.filter(t => t).length, cells: cells.length, wide,
          quarter: quarter ? quarter.getBoundingClientRect().bottom : null,
          main: [main.scrollHeight, main.clientHeight]};
}"""


@pytest.mark.parametrize("width, height", SIZES)
def test_pages_fit_real_screens(dashboard, chromium, screenshots, width, height):
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/overview?{LINK}")
    _drawn(page)
    page.screenshot(path=str(screenshots / f"overview-{width}x{height}.png"))
    measured = page.evaluate(MEASURE)
    assert not measured["cut"], f"money cut short at {width}×{height}: {measured['cut']}"
    assert measured["quarter"] is not None and measured["quarter"] <= height, \
        f"the quarter picker is below the screen at {width}×{height}"
    # Every figure, target and band of the Overview's two tables in full, at every size: static
    # tables, whose cells wrap, neither wider than the page.
    assert measured["tables"] == 2 and measured["cells"] > 100, measured
    assert not measured["wide"], f"an Overview table scrolls sideways at {width}×{height}"
    page.goto(f"{dashboard}/one_stop?{LINK}")
    _drawn(page, 5)
    page.screenshot(path=str(screenshots / f"one_stop-{width}x{height}.png"))
    page.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_every_meeting_slide_fits_the_screen(dashboard, chromium, screenshots, width, height):
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(f"{dashboard}/meeting?{LINK}")
    _drawn(page)
    too_tall = []
    number = 1
    while True:
        page.screenshot(path=str(screenshots / f"meeting-{width}x{height}-{number}.png"))
        scroll, client = page.evaluate(MEASURE)["main"]
        if scroll > client:
            too_tall.append(f"slide {number}: {scroll} px tall on a {client} px screen")
        button = page.get_by_role("button", name="Next")
        if button.is_disabled():
            break
        _after(page, button.click)
        number += 1
    assert number == 9
    if (width, height) == (1920, 1080):       # the projector: no slide scrolls
        assert not too_tall, "\n".join(too_tall)
    page.close()
