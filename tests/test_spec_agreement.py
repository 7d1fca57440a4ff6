"""The domestic-abuse type file agrees with the data contract, ``shared/spec/monitoring-workbook.md``.

The spec's measures table (code, measure, type, aggregation) and its
indicators table (code, indicator, definition, unit, better, sample target)
must say exactly what version 1 of ``contract_types/domestic-abuse.toml`` says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.catalogue import CONTRACT_VALUE, Capacity
from models.contract_types import get_type

SPEC = Path(__file__).parents[2] / "shared" / "spec" / "monitoring-workbook.md"


def _table(text: str, heading: str) -> list[dict[str, str]]:
    """The first Markdown table under ``### heading``, as rows keyed by its header cells."""
    section = text.split(f"\n### {heading}\n", 1)[1].split("\n#", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:       # after the header and its |---| line
        # A cell may hold an escaped pipe (csv\|json); none of these tables does.
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


@pytest.fixture(scope="module")
def spec() -> str:
    if not SPEC.is_file():
        pytest.skip(f"the data contract is not beside the repository ({SPEC} is absent)")
    return SPEC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def domestic_abuse():
    return get_type("domestic-abuse")


def test_the_measures_table_is_version_1_of_the_type(spec, domestic_abuse):
    rows = _table(spec, "Measures")
    assert len(rows) > 50
    in_spec = [(r["code"], r["measure"], r["type"], r["aggregation"]) for r in rows]
    in_type = [(m.code, m.label, m.type, m.aggregation) for m in domestic_abuse.measures_in(1)]
    assert in_type == in_spec


def _target(text: str, unit: str) -> tuple[float | None, float | None]:
    """``100% (5 points)`` -> (1.0, 0.05); ``42 days (14)`` -> (42, 14); ``none`` -> (None, None)."""
    if text == "none":
        return None, None
    match = re.fullmatch(r"([\d.]+)(%| people| days) \(([\d.]+)(?: points)?\)", text)
    assert match, f"cannot read the sample target {text!r}"
    scale = 100 if unit == "%" else 1
    return float(match[1]) / scale, float(match[3]) / scale


_CODE = re.compile(r"\b[A-Z]{2}\d{2}\b")


def _definition(text: str) -> tuple[tuple[str, ...], tuple[str, ...] | None, object]:
    """The numerator, the year-to-date numerator and the denominator a definition names."""
    if text.startswith("quarter:"):
        quarter, ytd = (part.split(":", 1)[1] for part in text.split(";"))
        return tuple(_CODE.findall(quarter)), tuple(_CODE.findall(ytd)), None
    if " / " not in text:
        return tuple(_CODE.findall(text)), None, None
    top, bottom = text.split(" / ", 1)
    if "annual value" in bottom:
        denominator = CONTRACT_VALUE
    elif "days in the period" in bottom:
        units, *less = _CODE.findall(bottom)
        denominator = Capacity(units, tuple(less))
    else:
        denominator = tuple(_CODE.findall(bottom))
    return tuple(_CODE.findall(top)), None, denominator


def test_the_indicators_table_is_the_type_s_indicators(spec, domestic_abuse):
    rows = _table(spec, "Indicators")
    assert [r["code"] for r in rows] == [i.code for i in domestic_abuse.indicators]
    for row in rows:
        indicator = domestic_abuse.indicators_by_code[row["code"]]
        unit = row["unit"].split(" ", 1)[0]
        assert (indicator.label, indicator.unit, indicator.better) == (row["indicator"], unit, row["better"]), \
            row["code"]
        assert indicator.show_months == ("show months" in row["unit"]), row["code"]
        target, tolerance = _target(row["sample target (amber within)"], unit)
        assert (indicator.target, indicator.tolerance) == (pytest.approx(target), pytest.approx(tolerance)), \
            row["code"]


def test_the_indicators_definitions_are_the_type_s(spec, domestic_abuse):
    for row in _table(spec, "Indicators"):
        indicator = domestic_abuse.indicators_by_code[row["code"]]
        numerator, ytd_numerator, denominator = _definition(row["definition"])
        assert (indicator.numerator, indicator.ytd_numerator, indicator.denominator) == \
            (numerator, ytd_numerator, denominator), row["code"]
