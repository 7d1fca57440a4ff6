"""Issue 12, item 8: every text a provider or user typed is shown as text on every page.

Hostile text (Markdown bold, a link, an image fetched from any address, a script tag, a
bare address) is stored through the ingest (the Cover's "Completed by" and "Date completed",
every commentary topic) and the records functions (an action, a meeting's notes, a quality
visit's summary). Every page is then run in AppTest, every meeting-mode slide included, and
each element that Streamlit renders as Markdown or HTML is scanned: the text must be there
escaped, never as formatting.
"""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from data_ingest.store import ingest_file
from data_ingest.template import write_template
from models.contract_types import get_type
from models.periods import Quarter
from records.actions import add_action
from records.meetings import add_meeting
from records.visits import add_visit
from sample_data import quarters
from sample_data.contract import CONTRACT
from users import local_actor

from .test_pages_dashboard import open_page
from .test_pages_entry import runs_through_app_py  # noqa: F401

HOSTILE = ("**bold** [link](http://evil.example) ![img](http://evil.example/x.png) <script>alert(1)</script> "
           "www.evil.example &lt;b&gt;entity&lt;/b&gt;")
Q4 = Quarter(2016, 4)
ACTOR = local_actor("tester")

#: Streamlit renders these elements' text as Markdown (alerts, captions, headings, labels).
MARKDOWN_KINDS = {"markdown", "caption", "title", "header", "subheader", "alert", "success", "info",
                  "warning", "error", "expander", "toast"}
#: What formatting of the hostile text looks like in a Markdown source (unescaped).
MARKDOWN_FORMATTING = [
    (re.compile(r"(?<!\\)\*(?<!\\)\*bold"), "bold"),
    (re.compile(r"(?<!\\)\[link(?<!\\)\]\("), "a link"),
    (re.compile(r"(?<!\\)!(?<!\\)\[img"), "an image"),
    (re.compile(r"http://evil"), "a bare address (auto-linked)"),
    (re.compile(r"www\.evil"), "a bare www address (auto-linked)"),
    (re.compile(r"(?<!\\)<script"), "a script tag"),
    (re.compile(r"(?<!\\)&lt;b"), "an HTML entity (decoded)"),
]
HTML_FORMATTING = [
    (re.compile(r"<script"), "a script tag"),
    (re.compile(r"<img|<a "), "an image or a link"),
]


def _hostile_workbook() -> bytes:
    out = io.BytesIO()
    catalogue = get_type(CONTRACT["contract_type"])
    write_template(out, catalogue, reference=CONTRACT["reference"], provider=CONTRACT["provider"],
                   quarter=Q4, values=quarters.VALUES[Q4],
                   commentary={topic: f"{topic}: {HOSTILE}" for topic in catalogue.commentary_topics},
                   completed_by=HOSTILE, date_completed=date(2017, 4, 20))
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    cover = book["Cover"]
    for row in cover.iter_rows(min_row=4):
        if row[0].value == "Date completed":
            row[1].value = f"20/04/2017 {HOSTILE}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hostile_db(_sample_sqlite, tmp_path_factory):
    import shutil

    from sqlalchemy import create_engine

    path = tmp_path_factory.mktemp("hostile") / "sample.sqlite"
    shutil.copyfile(_sample_sqlite, path)
    engine = create_engine(f"sqlite:///{path}")
    result = ingest_file(engine, _hostile_workbook(), "hostile.xlsx", ACTOR)
    if result.status != "stored":   # "Date completed" with text after it may be refused: store it without
        book = openpyxl.load_workbook(io.BytesIO(_hostile_workbook()))
        for row in book["Cover"].iter_rows(min_row=4):
            if row[0].value == "Date completed":
                row[1].value = date(2017, 4, 20)
        buffer = io.BytesIO()
        book.save(buffer)
        result = ingest_file(engine, buffer.getvalue(), "hostile.xlsx", ACTOR)
    assert result.status == "stored", result
    meeting = add_meeting(engine, CONTRACT["reference"], date(2017, 5, 2), Q4, notes=HOSTILE, actor=ACTOR)
    add_action(engine, CONTRACT["reference"], HOSTILE, owner=HOSTILE, due_date=date(2017, 6, 1),
               meeting_id=meeting, actor=ACTOR)
    add_visit(engine, CONTRACT["reference"], "Refuge", date(2017, 3, 1), 0.8, summary=HOSTILE, actor=ACTOR)
    engine.dispose()
    return f"sqlite:///{path}"


def _elements(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _elements(child)
    else:
        yield node


def _formatting(at: AppTest) -> list[str]:
    """Each element showing the hostile text as formatting, described."""
    found = []
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None:
            continue
        text = str(proto)
        if "evil" not in text and "bold" not in text:
            continue
        kind = element.type
        if kind in ("markdown", "caption", "title", "header", "subheader") or kind in MARKDOWN_KINDS:
            rules = MARKDOWN_FORMATTING
            body = getattr(proto, "body", "") or getattr(proto, "label", "")
        elif kind == "html":
            rules, body = HTML_FORMATTING, proto.body
        else:
            continue
        for pattern, what in rules:
            if pattern.search(body):
                found.append(f"{kind} shows {what}: {body[:160]!r}")
        if rules is MARKDOWN_FORMATTING:
            # Streamlit links a bare address found in the text after its escapes are read.
            read = re.sub(r"\\(.)", r"\1", body)
            if re.search(r"(?i)https?://evil|www\.evil", read):
                found.append(f"{kind} shows an address Streamlit links: {body[:160]!r}")
    return found


PAGES = ["portfolio", "overview", "one_stop", "refuge", "fresh_start", "finance", "upload", "history",
         "returns", "contracts", "targets", "quality_visits", "actions", "notifications", "people"]


@pytest.fixture
def app(hostile_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", hostile_db)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["contract"] = CONTRACT["reference"]
    at.query_params["quarter"] = "2016-17-Q4"
    return at


def test_typed_text_is_never_formatted_on_any_page(app):
    at = app
    problems = []
    seen = 0
    for page in PAGES:
        open_page(at, page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        problems += [f"/{page}: {p}" for p in _formatting(at)]
        seen += sum("evil" in str(getattr(e, "proto", "")) for e in _elements(at._tree))
    assert seen, "the hostile text is shown nowhere: the test would prove nothing"
    assert not problems, "\n".join(problems)


def test_typed_text_is_never_formatted_in_meeting_mode(app):
    at = app
    open_page(at, "meeting").run()
    problems, seen = [], 0
    for slide in range(9):
        at.session_state["meeting:slide"] = slide
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        problems += [f"slide {slide + 1}: {p}" for p in _formatting(at)]
        seen += sum("evil" in str(getattr(e, "proto", "")) for e in _elements(at._tree))
    assert seen
    assert not problems, "\n".join(problems)


def test_the_overview_caption_shows_completed_by_as_typed(app):
    at = app
    open_page(at, "overview").run()
    captions = [c.value for c in at.caption if "completed by" in c.value]
    assert captions
    shown = re.sub(r"\\(.)", r"\1", captions[0]).replace("\u2060", "")   # as a reader sees it
    assert "**bold** [link](http://evil.example)" in shown
