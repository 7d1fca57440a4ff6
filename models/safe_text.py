"""Text a provider typed, written into a spreadsheet or CSV as text, never as a formula.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets strip before reading the rest) is taken for a
formula by Excel and LibreOffice: a provider's "=HYPERLINK(...)" or "-3 on last
quarter" would run or break. Every export uses these two functions:

- xlsx (openpyxl): :func:`write_text` stores the text as a string cell with
  Excel's quote prefix, so the cell shows exactly what was typed and stays
  text when someone edits it.
- CSV: :func:`csv_text` puts a ``'`` in front (the OWASP advice), since a CSV
  has no cell types.

Numbers are never touched: only strings can be formulas.
"""

from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """True for a string a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """A value for a CSV cell: formula-like text gets a leading ``'``; anything else is unchanged."""
    if looks_like_formula(value):
        return "'" + value
    return value


def csv_safe_frame(frame):
    """A copy of a DataFrame with every text cell made safe by :func:`csv_text` (for ``to_csv``)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(csv_text)
    return out


def write_text(cell, value: Any):
    """Set an openpyxl cell to ``value``; a string is always stored as a string, never a formula.

    Returns the cell, so that a caller can go on to style it.
    """
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        # openpyxl took the leading "=" for a formula: keep the characters, store them as text.
        cell.data_type = "s"
    if looks_like_formula(value):
        # Excel's "quote prefix": the cell stays text if someone edits it in Excel.
        cell.quotePrefix = True
    return cell
