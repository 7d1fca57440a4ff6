"""The meeting pack stays small and quick whatever text is stored (issue 12, item 7).

Returns sent since the upload limit (``data_ingest.layout``: 5,000 characters a commentary
cell) are never cut; older returns stored with a megabyte of commentary, visits with
long summaries and long warnings are cut, in the PDF and in the workbook, with a note
saying so.
"""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from models.schema import Commentary, QualityVisit, Submission
from reports import build_pack
from reports.content import PACK_CELL_LIMIT, PACK_TEXT_LIMIT, capped, gather
from reports.xlsx import EXCEL_CELL_LIMIT, _put
from tests.actors import ADMIN
from tests.test_reports_pack import Q3, REFERENCE, pdf_text, poppler  # noqa: F401 (a fixture)

MEGABYTE = 1_000_000


def _huge(word: str, length: int = MEGABYTE) -> str:
    return (f"{word} " * (length // (len(word) + 1) + 1))[:length]


def _store_huge_texts(engine) -> None:
    """Every topic's commentary of every quarter, and every visit's summary: 1 MB each."""
    with engine.begin() as connection:
        connection.execute(update(Commentary).values(text=_huge("commentary")))
        connection.execute(update(QualityVisit).values(summary=_huge("visit")))
        connection.execute(update(Submission).values(warnings=[{
            "location": "Refuge!C14", "message": _huge("warning", 100_000), "advice": "",
            "rule": "TEST"}]))


def test_a_text_at_the_upload_limit_is_printed_whole():
    text = _huge("word", PACK_TEXT_LIMIT)
    assert capped(text) == text


def test_a_longer_text_is_cut_and_says_so():
    cut = capped(_huge("word"))
    assert len(cut) < PACK_TEXT_LIMIT + 300
    assert "Cut here: the pack shows the first 5,000 of 1,000,000 characters" in cut


@pytest.mark.usefixtures("poppler")
def test_megabytes_of_stored_text_make_a_short_pack_that_says_what_it_cut(sample_copy, tmp_path):
    _store_huge_texts(sample_copy)
    content = gather(sample_copy, REFERENCE, Q3, actor=ADMIN, suppress=False)
    texts = [s.commentary for s in content.sections] + [content.general_commentary]
    assert all(len(t) < PACK_TEXT_LIMIT + 300 and "Cut here" in t for t in texts if t)
    assert all(len(v["summary"]) < PACK_CELL_LIMIT + 300 for v in content.visits)
    assert all(len(e.text) < PACK_CELL_LIMIT + 400 for e in content.exceptions)

    pack = build_pack(sample_copy, REFERENCE, Q3, suppress=False, charts=False, actor=ADMIN)
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages <= 30, pages                      # a megabyte once made 239 pages
    said = re.sub(r"\s+", " ", pdf_text(pack.pdf, tmp_path))
    assert "Cut here: the pack shows the first 5,000 of 1,000,000 characters" in said

    workbook = load_workbook(io.BytesIO(pack.xlsx))
    cells = [c.value for ws in workbook for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert max(len(v) for v in cells) <= EXCEL_CELL_LIMIT
    assert any("Cut here" in v for v in cells)


def test_the_workbook_says_when_excel_would_cut_a_cell():
    from openpyxl import Workbook

    ws = Workbook().active
    cell = _put(ws, 1, 1, _huge("word", 40_000))
    assert len(cell.value) <= EXCEL_CELL_LIMIT
    assert "Cut here: the pack shows the first 32,767 of 40,000 characters" in cell.value
