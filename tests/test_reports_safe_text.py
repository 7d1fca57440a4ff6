"""A provider's text is written as text in every export, never as a formula."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from models.safe_text import csv_safe_frame, csv_text, looks_like_formula, write_text

FORMULA_LIKE = ["=HYPERLINK(\"http://example.invalid\",\"click\")", "=1+1", "+44 1908 000000",
                "-3 on last quarter", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", [t for t in FORMULA_LIKE if not t.startswith("\r")])  # XML makes \r \n
def test_formula_like_text_is_stored_as_the_same_text_in_xlsx(text, tmp_path):
    wb = Workbook()
    write_text(wb.active["A1"], text)
    path = tmp_path / "out.xlsx"
    wb.save(path)
    cell = load_workbook(path).active["A1"]
    assert cell.value == text
    assert cell.data_type == "s"
    assert cell.quotePrefix          # stays text when someone edits it in Excel


def test_ordinary_text_and_numbers_are_left_as_they_are(tmp_path):
    wb = Workbook()
    write_text(wb.active["A1"], "Full all quarter.")
    write_text(wb.active["A2"], -3)
    write_text(wb.active["A3"], 0.67)
    path = tmp_path / "out.xlsx"
    wb.save(path)
    ws = load_workbook(path).active
    assert (ws["A1"].value, ws["A1"].quotePrefix) == ("Full all quarter.", False)
    assert ws["A2"].value == -3 and ws["A2"].data_type == "n"
    assert ws["A3"].value == 0.67


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_gets_a_leading_quote_in_csv(text):
    assert looks_like_formula(text)
    assert csv_text(text) == "'" + text
    assert csv_text("Full all quarter.") == "Full all quarter."
    assert csv_text(-3) == -3 and csv_text(None) is None


def test_a_frame_written_to_csv_has_no_cell_starting_like_a_formula():
    frame = pd.DataFrame({"topic": ["General", "Refuge"], "text": ["=== Staffing update ===", "Full."],
                          "value": [-3.0, 0.5]})
    out = io.StringIO()
    csv_safe_frame(frame).to_csv(out, index=False)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1][1] == "'=== Staffing update ==="
    assert rows[2][1] == "Full."
    assert rows[1][2] == "-3.0"        # a number is a number, not text
    assert frame.loc[0, "text"] == "=== Staffing update ==="   # the original is untouched
