"""Meeting mode: the pack's sections one at a time, driven as a chair would (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "meeting.py")
SLIDES = ["Cover", "Summary", "The quarter in brief", "One Stop", "Refuge", "Fresh Start", "Finance",
          "Quality visits", "Actions"]


@pytest.fixture
def meeting(sample_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sample_engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["contract"] = "ASC0013"
    at.query_params["quarter"] = "2016-17-Q3"
    return at.run()


def heading(at) -> str:
    return at.markdown[0].value


def html(at) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def test_the_chair_steps_through_every_section_of_the_pack(meeting):
    at = meeting
    assert not at.exception
    assert "1 of 9: Cover" in heading(at)
    assert "Contract monitoring meeting: 2016/17 Q3" in html(at)
    assert at.button(key="meeting:previous").disabled
    for number, name in enumerate(SLIDES[1:], start=2):
        at.button(key="meeting:next").click().run()
        assert not at.exception
        assert f"{number} of 9: {name}" in heading(at)
    assert at.button(key="meeting:next").disabled
    at.button(key="meeting:previous").click().run()
    assert "8 of 9: Quality visits" in heading(at)


def test_a_service_shows_its_figures_commentary_and_charts_in_large_type(meeting):
    at = meeting
    for _ in range(3):
        at.button(key="meeting:next").click().run()
    assert "4 of 9: One Stop" in heading(at)
    page = html(at)
    assert 'class="meeting"' in page            # the large-type styles apply to it
    assert "310" in page and "100%" in page and "67%" in page
    assert "The provider&#x27;s commentary" in page or "The provider's commentary" in page
    assert len(at.get("plotly_chart")) == 7            # one per One Stop indicator


def test_small_numbers_are_suppressed_unless_the_chair_turns_it_off(meeting):
    at = meeting
    for _ in range(5):
        at.button(key="meeting:next").click().run()
    assert "6 of 9: Fresh Start" in heading(at)
    completion = next(line for line in html(at).split("<tr>") if "Programme completion rate" in line)
    assert "[c]" in completion
    at.toggle(key="meeting:suppress").set_value(False).run()
    completion = next(line for line in html(at).split("<tr>") if "Programme completion rate" in line)
    assert "[c]" not in completion and "%" in completion
