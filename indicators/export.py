"""The export: every indicator for every period held, as CSV or JSON.

Columns exactly as the data contract lists them; ``value`` unrounded, a
percentage as a fraction of 1, empty where there is no value. In CSV, a text
field starting with ``= + - @`` (or a tab or carriage return) is prefixed with
a quote so that a spreadsheet does not run it as a formula; numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
import math
from typing import TextIO

import pandas as pd

from models.safe_text import csv_text

EXPORT_COLUMNS = ["contract", "service", "indicator", "label", "fiscal_year", "quarter", "basis",
                  "value", "numerator", "denominator", "unit", "target", "rag"]
_NUMBER_COLUMNS = {"quarter", "value", "numerator", "denominator", "target"}


def export_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    """The export's rows: one per contract, indicator, period and basis, in that order."""
    return indicators[EXPORT_COLUMNS].reset_index(drop=True)


def _number(value) -> int | float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _records(rows: pd.DataFrame):
    for record in rows.to_dict("records"):
        yield {column: (_number(record[column]) if column in _NUMBER_COLUMNS
                        else (None if record[column] is None or pd.isna(record[column])
                              else str(record[column])))
               for column in EXPORT_COLUMNS}


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in _NUMBER_COLUMNS:
        return repr(value) if isinstance(value, float) else str(value)
    return csv_text(value)


def write_csv(rows: pd.DataFrame, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in _records(rows):
        writer.writerow([_cell(column, record[column]) for column in EXPORT_COLUMNS])


def write_json(rows: pd.DataFrame, out: TextIO) -> None:
    json.dump(list(_records(rows)), out, indent=1, ensure_ascii=False)
    out.write("\n")
