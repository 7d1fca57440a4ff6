"""The council's checks of a read workbook: its contract and period, its arithmetic, and queries.

Errors reject the workbook; warnings are stored with it. Every rule comes from
the contract type's catalogue (``Catalogue.checks_in`` the workbook's template
version) and is evaluated here generically; a finding's rule is the check's code.
A rule is only evaluated when every figure it needs was reported: a blank is
"not reported", never zero, and it is not itself a fault.

Periods: a return may be sent once its quarter is over, that is from the day
after the quarter's last day. A quarter whose last day is today or later is in
the future. A quarter is outside the contract's term when it ends before the
contract starts or starts after it ends (a quarter the term only partly covers
is accepted).

``check_workbook`` returns only the findings of these checks; the findings met
while reading are in ``ParsedWorkbook.findings``: a caller reports both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import cast

from data_ingest.findings import Finding, error, warning
from data_ingest.layout import checks_in, measures_in
from data_ingest.reader import CellValue, ParsedWorkbook
from models.catalogue import COMMENTARY, COVER, Catalogue, Check, Term
from models.periods import Quarter

#: Figures are whole numbers or pence: this absorbs floating-point noise only.
_TOLERANCE = 1e-9
#: A parameter's label may end with its unit in brackets: "Refuge capacity (units)".
_UNIT_IN_LABEL = re.compile(r"\(([^()]+)\)\s*$")

History = dict[Quarter, dict[str, float | None]]


@dataclass(frozen=True)
class ContractTerms:
    """What the checks need to know of the contract."""

    reference: str
    start_date: date
    end_date: date                 # the end of the term in force (the extended end when extended)
    #: The contract's parameters by key, as its type declares them (``{"refuge_capacity": 28}``).
    parameters: dict

    @classmethod
    def from_contract(cls, contract) -> ContractTerms:
        """From a ``models.schema.Contract`` (or anything with the same attributes)."""
        return cls(contract.reference, contract.start_date, contract.end_date, dict(contract.parameters or {}))


def check_workbook(parsed: ParsedWorkbook, contract: ContractTerms | None, history: History,
                   today: date, catalogue: Catalogue | None) -> list[Finding]:
    """The checks' findings for one read workbook.

    ``contract`` is None when the reference on the Cover is not a contract held.
    ``history`` holds the current values of the contract's other quarters.
    ``catalogue`` is the contract's type; with None (or a workbook whose template
    version was not understood) only the contract and the period are checked.
    """
    findings = _contract_and_period(parsed, contract, today)
    version = parsed.template_version
    if catalogue is None or version is None:
        return findings
    # The reader holds each measure's value as a float, or None when blank.
    values = cast(dict[str, float | None], {code: cell.value for code, cell in parsed.values.items()})
    figures = _Figures(catalogue, parsed.values, values, parsed.quarter, history)
    for check in checks_in(catalogue, version):
        if check.rule == "funnel":
            findings += _funnel(check, figures)
        elif check.rule == "never_falls":
            findings += _never_falls(check, figures)
        elif check.rule == "equals_parameter":
            findings += _equals_parameter(check, figures, contract)
        else:
            findings += _arithmetic(check, figures)
    findings += _outliers(figures, version)
    return findings


@dataclass
class _Figures:
    """One return's figures with what is needed to judge and word them."""

    catalogue: Catalogue
    cells: dict[str, CellValue]
    values: dict[str, float | None]
    quarter: Quarter | None
    history: History

    def describe(self, code: str) -> str:
        return f"{self.catalogue.measures_by_code[code].label} ({code})"

    def number(self, code: str, value: float, average: bool = False) -> str:
        """A figure as the provider typed it: £1,234.50 for money, 1,234 for counts (an average to 0.1)."""
        if self.catalogue.measures_by_code[code].type == "money":
            return f"£{value:,.2f}"
        return _plain(value, 1 if average else 0)


# --- contract and period --------------------------------------------------------


def _contract_and_period(parsed: ParsedWorkbook, contract: ContractTerms | None,
                         today: date) -> list[Finding]:
    findings = []
    reference_cell = parsed.cover.get("contract_reference")
    # No reference at all was already reported by the reader.
    if contract is None and parsed.contract_reference:
        findings.append(error(
            "UNKNOWN-CONTRACT",
            f"Contract reference {parsed.contract_reference} is not one of the council's contracts.",
            "Check the reference on your contract (for example on the council's purchase order), or use "
            "the template the council sent you, which has it filled in.",
            sheet=COVER, cell=reference_cell.cell if reference_cell else None))
    quarter = parsed.quarter
    if quarter is None:
        return findings   # a missing or unreadable year or quarter was reported by the reader
    where = parsed.cover.get("quarter")
    cell = where.cell if where else None
    end = quarter.end
    if contract is not None and (end < contract.start_date or quarter.start > contract.end_date):
        findings.append(error(
            "OUTSIDE-TERM",
            f"{_period(quarter)} is outside contract {contract.reference}, which runs from "
            f"{_day(contract.start_date)} to {_day(contract.end_date)}.",
            "Check the financial year and quarter on the Cover sheet.", sheet=COVER, cell=cell))
    if end >= today:
        findings.append(error(
            "FUTURE-PERIOD",
            f"{_period(quarter)} has not ended yet, so its return cannot be complete.",
            f"Check the financial year and quarter on the Cover sheet; a return for {quarter.label} can be "
            f"sent from {_day(quarter.next().start)}.", sheet=COVER, cell=cell))
    return findings


def _period(quarter: Quarter) -> str:
    return f"{quarter.label} ({quarter.start:%B} to {quarter.end:%B %Y})"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- impossible arithmetic --------------------------------------------------------


def _arithmetic(check: Check, figures: _Figures) -> list[Finding]:
    values, cells, quarter = figures.values, figures.cells, figures.quarter
    right_total = _right_total(check.right, figures)
    if right_total is None:
        return []
    groups: list[tuple[str, ...]] = [(code,) for code in check.left] if check.each else [check.left]
    findings = []
    for group in groups:
        left = [v for v in (values.get(code) for code in group) if v is not None]
        if len(left) < len(group):
            continue
        total = sum(left)
        broken = total > right_total + _TOLERANCE if check.op == "le" else abs(total - right_total) > _TOLERANCE
        if not broken:
            continue
        right = _right_side(check.right, figures)
        if right is None:
            continue    # cannot be: _right_total found every figure it needs
        first = cells[group[0]]
        if len(group) == 1:
            left_text = f"{figures.describe(group[0])} is {figures.number(group[0], total)}"
        else:
            left_text = (f"{' + '.join(group)} add up to {figures.number(group[0], total)} "
                         f"({' + '.join(figures.number(c, v) for c, v in zip(group, left, strict=True))})")
        findings.append(error(check.code, f"{left_text}, {right.compared(check.op)}.",
                              f"{check.advice} {_what_to_do(check, group, cells, quarter)}",
                              sheet=first.sheet, cell=first.cell))
    return findings


def _what_to_do(check: Check, group: tuple[str, ...], cells: dict[str, CellValue],
                quarter: Quarter | None) -> str:
    """Which cells to correct: the catalogue's advice says the rule, this says where to act."""
    codes = list(dict.fromkeys([*group, *(t.code for t in check.right if not t.previous)]))
    named = [f"{code} ({cells[code].location})" for code in codes if code in cells]
    where = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
    text = f"Correct whichever of {where} is wrong, then send the workbook again."
    earlier = [t.code for t in check.right if t.previous]
    if earlier and quarter is not None:
        text += (f" If it is {' or '.join(earlier)} of {quarter.previous().label} that was wrong, "
                 "send that quarter's return again, corrected.")
    return text


@dataclass
class _Right:
    total: float
    text: str           # the measure in words, for one plain term; else the expression
    numbers: str        # its value; else the expression with its numbers
    plain: bool

    def compared(self, op: str) -> str:
        if self.plain:
            # "more than Cases closed (OS08), which is 67" / "but Children resident (RF05) is 36"
            return f"more than {self.text}, which is {self.numbers}" if op == "le" else \
                f"but {self.text} is {self.numbers}"
        if op == "le":
            return f"more than the {self.numbers_total} possible ({self.text} = {self.numbers})"
        return f"but {self.text} = {self.numbers} = {self.numbers_total}"

    @property
    def numbers_total(self) -> str:
        return _plain(self.total)


def _right_total(terms: tuple[Term, ...], figures: _Figures) -> float | None:
    """The right-hand side's value (as ``_right_side`` adds it up), or None when a figure it
    needs is not held; the wording is only made for a check that fails."""
    quarter, history = figures.quarter, figures.history
    total = 0.0
    for term in terms:
        if term.previous:
            if quarter is None or quarter.previous() not in history:
                return None
            value = history[quarter.previous()].get(term.code)
        else:
            value = figures.values.get(term.code)
        if value is None:
            return None
        amount = value
        if term.times_days:
            if quarter is None:
                return None
            amount = value * quarter.days
        total += term.sign * amount
    return total


def _right_side(terms: tuple[Term, ...], figures: _Figures) -> _Right | None:
    """The right-hand side's value and wording, or None when a figure it needs is not held."""
    quarter, history = figures.quarter, figures.history
    total = 0.0
    words, numbers = [], []
    for index, term in enumerate(terms):
        if term.previous:
            if quarter is None or quarter.previous() not in history:
                return None
            value = history[quarter.previous()].get(term.code)
            name = f"{term.code} at the end of {quarter.previous().label}"
        else:
            value = figures.values.get(term.code)
            name = term.code
        if value is None:
            return None
        amount = value
        word, number = name, figures.number(term.code, value)
        if term.times_days:
            if quarter is None:
                return None
            amount = value * quarter.days
            word += f" × {quarter.days} days"
            number += f" × {quarter.days}"
        sign = "−" if term.sign < 0 else "+"
        if index:
            word, number = f"{sign} {word}", f"{sign} {number}"
        elif term.sign < 0:
            word, number = f"−{word}", f"−{number}"
        total += term.sign * amount
        words.append(word)
        numbers.append(number)
    only = terms[0] if len(terms) == 1 else None
    if only is not None and only.sign > 0 and not only.times_days and not only.previous:
        return _Right(total, figures.describe(only.code), figures.number(only.code, total), True)
    return _Right(total, " ".join(words), " ".join(numbers), False)


# --- warnings ---------------------------------------------------------------------


def _funnel(check: Check, figures: _Figures) -> list[Finding]:
    """Each stage at most the stage before it, in the same quarter."""
    values, cells = figures.values, figures.cells
    findings = []
    for earlier, later in pairwise(check.left):
        before, after = values.get(earlier), values.get(later)
        if before is None or after is None or after <= before + _TOLERANCE:
            continue
        findings.append(warning(
            check.code,
            f"{figures.describe(later)} is {figures.number(later, after)}, more than "
            f"{figures.describe(earlier)}, which is {figures.number(earlier, before)}, in the same quarter.",
            check.advice, sheet=cells[later].sheet, cell=cells[later].cell))
    return findings


def _never_falls(check: Check, figures: _Figures) -> list[Finding]:
    """Not below the previous quarter's figure of the same financial year."""
    quarter = figures.quarter
    if quarter is None or quarter.quarter == 1 or quarter.previous() not in figures.history:
        return []   # a new financial year starts again from zero
    previous = quarter.previous()
    findings = []
    for code in check.left:
        now, before = figures.values.get(code), figures.history[previous].get(code)
        if now is None or before is None or now >= before - _TOLERANCE:
            continue
        findings.append(warning(
            check.code,
            f"{figures.describe(code)} is {figures.number(code, now)}, fewer than the "
            f"{figures.number(code, before)} reported for {previous.label}, earlier in the same "
            "financial year.", check.advice, sheet=figures.cells[code].sheet, cell=figures.cells[code].cell))
    return findings


def _equals_parameter(check: Check, figures: _Figures, contract: ContractTerms | None) -> list[Finding]:
    """Equal to a parameter of the contract (a refuge's units and the units it pays for)."""
    expected = _parameter_value(contract, check.parameter)
    if contract is None or expected is None:
        return []
    parameter = next((p for p in figures.catalogue.parameters if p.key == check.parameter), None)
    label = parameter.label if parameter is not None else str(check.parameter)
    unit = _UNIT_IN_LABEL.search(label)
    findings = []
    for code in check.left:
        value = figures.values.get(code)
        if value is None or abs(value - expected) <= _TOLERANCE:
            continue
        agreed = figures.number(code, expected)
        if unit is not None:
            terms = f"contract {contract.reference} is for {agreed} {unit.group(1)}"
        else:
            terms = f"contract {contract.reference}'s {label[0].lower() + label[1:]} is {agreed}"
        findings.append(warning(
            check.code, f"{figures.describe(code)} is {figures.number(code, value)}, but {terms}.",
            check.advice, sheet=figures.cells[code].sheet, cell=figures.cells[code].cell))
    return findings


def _parameter_value(contract: ContractTerms | None, key: str | None) -> float | None:
    """The contract's parameter as a number; None when it is not set (never taken as zero)."""
    if contract is None or key is None:
        return None
    value = contract.parameters.get(key)
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _outliers(figures: _Figures, version: int) -> list[Finding]:
    catalogue, quarter, history, values = figures.catalogue, figures.quarter, figures.history, figures.values
    if quarter is None:
        return []
    factor = catalogue.outlier_factor
    held = sorted((q for q in history if q < quarter), reverse=True)[:catalogue.outlier_quarters]
    if not held:
        return []
    span = held[-1].label if len(held) == 1 else f"{held[-1].label} to {held[0].label}"
    held_values = [history[q] for q in held]
    findings = []
    for measure in measures_in(catalogue, version):
        value = values.get(measure.code)
        if value is None:
            continue
        code = measure.code
        earlier = [v for quarter_values in held_values if (v := quarter_values.get(code)) is not None]
        if not earlier:
            continue
        mean = sum(earlier) / len(earlier)
        if value < catalogue.outlier_floor and mean < catalogue.outlier_floor:
            continue
        if value > factor * mean:
            how = f"more than {factor:g} times"
        elif value < mean / factor:
            how = f"less than a {_fraction(factor)} of"
        else:
            continue
        quarters = f"{len(earlier)} previous quarter{'s' if len(earlier) > 1 else ''} held ({span})"
        cell = figures.cells[measure.code]
        findings.append(warning(
            "OUTLIER",
            f"{figures.describe(measure.code)} is {figures.number(measure.code, value)}, {how} its average "
            f"of {figures.number(measure.code, mean, average=True)} over the {quarters}.",
            f"Check the figure. If it is right, say why on the {COMMENTARY} sheet.",
            sheet=cell.sheet, cell=cell.cell))
    return findings


# --- wording ----------------------------------------------------------------------


def _plain(value: float, decimals: int = 0) -> str:
    if decimals and abs(value - round(value)) > _TOLERANCE:
        return f"{value:,.{decimals}f}"
    return f"{round(value):,}"


def _fraction(factor: float) -> str:
    words = {2: "half", 3: "third", 4: "quarter", 5: "fifth", 10: "tenth"}
    return words.get(int(factor), f"1/{factor:g}") if float(factor).is_integer() else f"1/{factor:g}"
