"""Suppression protects what it claims to (issue 12, item 4): a scanner over the pack.

The scanner takes every figure the suppressed pack shows, from ``reports.content.gather``'s
structure (the measures table, the indicators' people counts, every "x of y") and from
the PDF's text (every "x of y" printed), and tries every shown "x of y" and every pair
of shown people counts of which one is part of the other (and every whole minus any of
its shown parts: ``reports.suppression.relations``, read from the contract type), looking
for a count of 1 to 4 people that can be worked out. It runs on the default pack
(ASC0013 2016/17 Q3) and on every quarter of every sample contract, whatever its type.
"""

from __future__ import annotations

import re
from itertools import permutations

import pytest

from indicators.data import load_contracts
from models.contract_types import get_type
from models.periods import Quarter
from reports import build_pack
from reports.content import gather, quarters_held
from reports.suppression import is_small, relations
from tests.actors import ADMIN
from tests.test_reports_pack import pdf_text, poppler  # noqa: F401 (a fixture)

FRACTION = re.compile(r"(?<![\d,.])(\d[\d,]*) of (\d[\d,]*)(?![\d,]*%)")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def shown(content, catalogue) -> dict[str, dict[str, float]]:
    """Every people count the pack shows, by basis and measure code."""
    people = catalogue.counts_people
    figures = {"quarter": {}, "ytd": {}}
    for line in content.measures:
        if line.hidden is None and line.value is not None and people(line.code):
            figures["quarter"][line.code] = line.value
    for line in content.summary:
        indicator = catalogue.indicators_by_code[line.code]
        if indicator.is_ratio or indicator.unit != "people":
            continue
        for basis, figure in (("quarter", line.quarter), ("ytd", line.ytd)):
            reads = [c for c in indicator.numerator_for(basis) if people(c)]
            if len(reads) == 1 and figure.hidden is None and figure.value is not None:
                figures[basis][reads[0]] = figure.value
    return figures


def fractions(content) -> list[tuple[str, float, float]]:
    """Every "x of y" of the structure: (where, x, y)."""
    found = []
    for line in content.summary:
        for where, text in ((f"{line.code} quarter", line.fraction_text),
                            (f"{line.code} ytd", line.ytd_fraction_text)):
            match = FRACTION.search(text or "")
            if match:
                found.append((where, _number(match[1]), _number(match[2])))
    return found


def leaks(content, catalogue) -> list[str]:
    """Every 1-to-4 people count that can be worked out from what the pack shows."""
    found = [f"{where}: {x:g} of {y:g} gives {y - x:g}"
             for where, x, y in fractions(content) if is_small(y - x)]
    figures = shown(content, catalogue)
    part_of = {(r, s) for r in relations(catalogue) for s in r.subsets()}
    for basis, values in figures.items():
        # Every pair of shown people counts of which one is part of the other.
        for a, b in permutations(values, 2):
            is_part = any(subset == (a,) and r.whole == (b,) for r, subset in part_of)
            if is_part and is_small(values[b] - values[a]):
                found.append(f"{basis}: {b} {values[b]:g} - {a} {values[a]:g}")
        # Every whole minus any set of its shown parts.
        for relation, subset in part_of:
            if all(c in values for c in relation.whole + subset):
                difference = sum(values[c] for c in relation.whole) - sum(values[c] for c in subset)
                if is_small(difference):
                    found.append(f"{basis}: {'+'.join(relation.whole)} - {'+'.join(subset)} "
                                 f"= {difference:g}")
    return found


@pytest.mark.usefixtures("poppler")
def test_the_default_pack_gives_no_small_count_away(sample_engine, tmp_path):
    catalogue = get_type("domestic-abuse")
    quarter = Quarter(2016, 3)
    content = gather(sample_engine, "ASC0013", quarter, actor=ADMIN)
    assert content.suppressed
    assert leaks(content, catalogue) == []

    pack = build_pack(sample_engine, "ASC0013", quarter, charts=False, actor=ADMIN)
    text = re.sub(r"\s+", " ", pdf_text(pack.pdf, tmp_path))
    # Every "x of y" printed but the page numbers and the count of targets met, which count
    # pages and measures, not people.
    printed = [(m[0], _number(m[1]), _number(m[2])) for m in FRACTION.finditer(text)
               if not text[:m.start()].endswith("Page ")
               and not re.match(r" (measures|indicators)\b", text[m.end():])]
    assert printed, "the pack prints no 'x of y' at all"
    # The pack says which rule it applies.
    assert "leaves fewer than 5 people who are not x" in text
    assert [p for p in printed if is_small(p[2] - p[1])] == []


def test_the_examples_of_the_issue_are_hidden(sample_engine):
    """"5 of 8" settled, "176 of 180" within 24 hours, FS03 - FS04 = 1, OS08 - (OS09 +
    OS10 + OS11) = 3: at least one figure of each is hidden now."""
    content = gather(sample_engine, "ASC0013", Quarter(2016, 3), actor=ADMIN)
    texts = [t for line in content.summary for t in (line.fraction_text, line.ytd_fraction_text)]
    assert "5 of 8" not in texts and "176 of 180" not in texts
    hidden = {m.code for m in content.measures if m.hidden}
    assert hidden & {"FS03", "FS04"}
    assert hidden & {"OS08", "OS09", "OS10", "OS11"}


def _every_quarter(engine):
    contracts = load_contracts(engine)
    for row in contracts.itertuples(index=False):
        for quarter in quarters_held(engine, row.contract, ADMIN):
            yield row.contract, row.contract_type, quarter


def test_no_quarter_of_any_sample_contract_gives_a_small_count_away(sample_engine):
    seen_types = set()
    found = {}
    for reference, type_name, quarter in _every_quarter(sample_engine):
        seen_types.add(type_name)
        content = gather(sample_engine, reference, quarter, actor=ADMIN)
        leaked = leaks(content, get_type(type_name))
        if leaked:
            found[f"{reference} {quarter.label}"] = leaked
    assert len(seen_types) >= 2          # generic: every contract type of the sample
    assert found == {}


@pytest.mark.parametrize("type_name", ["domestic-abuse", "substance-misuse"])
def test_every_type_has_relations_between_its_people_counts(type_name):
    catalogue = get_type(type_name)
    assert relations(catalogue)
    for relation in relations(catalogue):
        assert all(catalogue.counts_people(c) for c in relation.parts + relation.whole)
