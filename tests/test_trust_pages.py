"""Issue 12, the dashboard side, in Streamlit's AppTest on the loaded sample: what a monitor
sees when a figure is hidden, when a link names what is not held, when the quarter /
year-to-date choice moves between pages, and in the template a provider downloads.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.state import quarter_param
from models.periods import Quarter
from records import uploads

from .test_pages_dashboard import CONTRACT, Q3_2016, open_page
from .test_pages_entry import runs_through_app_py  # noqa: F401


@pytest.fixture
def app(sample_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sample_engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["contract"] = CONTRACT
    at.query_params["quarter"] = quarter_param(Q3_2016)
    return open_page(at, "overview")


def _words(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("warning", "info", "error", "markdown", "caption")
                     for e in getattr(at, kind))


# --- 3: meeting mode says a hidden figure is hidden -----------------------------------------


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_meeting_mode_says_a_figure_hidden_by_suppression_is_hidden_not_missing(app):
    at = app.run()
    open_page(at, "meeting").run()
    slides = at.session_state.get("meeting:slide", 0)
    assert slides == 0
    seen_hidden = False
    for slide in range(3, 7):   # the service slides: One Stop, Refuge, Fresh Start, Finance
        at.session_state["meeting:slide"] = slide
        at.run()
        assert not at.exception
        for spec in _charts(at):
            texts = [a.get("text", "") for a in spec.get("layout", {}).get("annotations", [])]
            title = (spec.get("layout", {}).get("title") or {}).get("text", "")
            assert not any("No data: nothing reported" in t for t in texts), (slide, title, texts)
            seen_hidden |= any(t.startswith("Hidden ([c])") for t in texts)
    assert seen_hidden, "no chart of the suppressed pack says its figures are hidden"


# --- 13: a link to what is not held says so -------------------------------------------------


def test_a_link_to_a_contract_not_held_says_so_and_shows_another(app):
    at = app
    at.query_params["contract"] = "XYZ999"
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "XYZ999" in warnings and "not held" in warnings and f"showing {CONTRACT} instead" in warnings


def test_a_link_to_a_quarter_not_held_says_so_and_shows_the_newest(app):
    at = app
    at.query_params["quarter"] = "2030-31-Q1"
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "2030/31 Q1" in warnings and "not held" in warnings and "showing 2016/17 Q3 instead" in warnings
    # Said once: the next run (any click) does not say it again.
    at.run()
    assert not [w for w in at.warning if "2030/31 Q1" in w.value]


def test_a_link_with_a_quarter_that_is_not_a_quarter_says_so(app):
    at = app
    at.query_params["quarter"] = "next-week"
    at.run()
    warnings = " ".join(w.value for w in at.warning)
    assert "next-week" in warnings and "not a quarter" in warnings


# --- 14: the quarter / year-to-date choice is every page's, and in the URL -------------------


def _bases_drawn(at: AppTest) -> set[str]:
    keys = [node.key for node in at.get("segmented_control")]
    return {at.session_state[k] for k in keys if k and k.endswith(":basis")}


def test_year_to_date_is_kept_across_pages_and_in_the_url(app):
    at = app.run()
    open_page(at, "refuge").run()
    assert _bases_drawn(at) == {"quarter"}
    at.get("segmented_control")[0].set_value("ytd").run()
    assert at.query_params["basis"] == "ytd"
    open_page(at, "one_stop").run()
    assert _bases_drawn(at) == {"ytd"}
    assert at.query_params["basis"] == "ytd"
    open_page(at, "overview").run()
    assert at.query_params["basis"] == "ytd"
    open_page(at, "fresh_start").run()
    assert _bases_drawn(at) == {"ytd"}


def test_a_link_with_basis_ytd_opens_the_year_to_date(app):
    at = app
    at.query_params["basis"] = "ytd"
    open_page(at, "refuge").run()
    assert not at.exception
    assert _bases_drawn(at) == {"ytd"}


# --- 16: the template is filled in for the quarter due next ----------------------------------


def _cover(content: bytes) -> dict[str, object]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Cover"]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4) if row[0].value}


def test_the_quarter_due_next_follows_the_newest_return_held():
    assert uploads.quarter_due_next([Quarter(2016, 2), Quarter(2016, 3)]) == Quarter(2016, 4)
    assert uploads.quarter_due_next([Quarter(2016, 4)]) == Quarter(2017, 1)
    from datetime import date
    assert uploads.quarter_due_next([], today=date(2026, 12, 2)) == Quarter(2026, 2)


def test_the_template_offered_on_the_upload_page_names_the_quarter_due_next(app):
    at = app.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    button = at.get("download_button")[0]
    assert "2016/17 Q4" in button.proto.label
    from dashboard import cache
    content = uploads.template_bytes(cache.catalogue("domestic-abuse"), CONTRACT, "MK ACT",
                                     quarter=Quarter(2016, 4))
    cover = _cover(content)
    assert cover["Financial year"] == "2016/17" and cover["Quarter"] == "Q4"
    assert cover["Contract reference"] == CONTRACT
