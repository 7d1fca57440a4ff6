"""The catalogue of one contract type: every measure, check, indicator and page of its return.

A catalogue is data: it is loaded from the type's file in ``contract_types/``
(``models.contract_types``) and passed as an argument to the reader, the
checks, the template, the engine, the pages and the pack. Nothing in those
folders names a measure or an indicator; they read them from here.

What is the same for every contract type (the Cover sheet, the Commentary
sheet, the two bases, days in a month) is a module constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# --- the same for every contract type -----------------------------------------------

COVER = "Cover"
COMMENTARY = "Commentary"

#: Days in an average month, for showing a stay in months.
DAYS_PER_MONTH = 30.44

BASES: tuple[str, ...] = ("quarter", "ytd")

#: The denominator that is the contract's annual value × quarters / 4.
CONTRACT_VALUE = "contract_value"


@dataclass(frozen=True)
class CoverField:
    key: str
    label: str
    help: str


COVER_FIELDS: tuple[CoverField, ...] = (
    CoverField("contract_reference", "Contract reference", "For example ASC0013"),
    CoverField("provider", "Provider", "Your organisation's name"),
    CoverField("financial_year", "Financial year", "For example 2016/17"),
    CoverField("quarter", "Quarter", "Q1 (Apr-Jun), Q2 (Jul-Sep), Q3 (Oct-Dec) or Q4 (Jan-Mar)"),
    CoverField("completed_by", "Completed by", "Name of the person completing the return"),
    CoverField("date_completed", "Date completed", "dd/mm/yyyy"),
    CoverField("template_version", "Template version", "Leave as it is"),
)

# --- measures -------------------------------------------------------------------

MeasureType = Literal["count", "money"]
Aggregation = Literal["flow", "stock", "ytd", "quarter"]


@dataclass(frozen=True)
class Measure:
    code: str
    sheet: str
    label: str
    type: MeasureType = "count"
    #: How quarters combine into a year to date: ``flow`` sums, ``stock`` and
    #: ``ytd`` take the latest quarter, ``quarter`` means nothing beyond its quarter.
    aggregation: Aggregation = "flow"
    #: A count of people (small numbers of it are hidden in shared reports).
    counts_people: bool = True
    #: Template versions that hold the measure: from ``from_version`` to ``until_version``.
    from_version: int = 1
    until_version: int | None = None

    def in_version(self, version: int) -> bool:
        return self.from_version <= version and (self.until_version is None or version <= self.until_version)


# --- checks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of a check's right-hand side: ``sign × code [× days] [of previous quarter]``."""

    code: str
    sign: int = 1
    #: Multiply by the number of days in the quarter (unit-nights).
    times_days: bool = False
    #: Take the value of the previous quarter of the same contract.
    previous: bool = False


CheckRule = Literal["each_at_most", "sum_at_most", "sum_equals", "funnel", "never_falls",
                    "equals_parameter"]
#: Rules whose breach is an error (the workbook is refused); the others warn.
ERROR_RULES: frozenset[str] = frozenset({"each_at_most", "sum_at_most", "sum_equals"})


@dataclass(frozen=True)
class Check:
    """A rule over a return's figures.

    Arithmetic rules compare ``left`` with the sum of ``right``: ``each_at_most``
    each code of ``left`` on its own, ``sum_at_most`` and ``sum_equals`` their sum.
    ``funnel``: each code of ``left`` at most the one before it. ``never_falls``:
    not below the previous quarter of the same financial year.
    ``equals_parameter``: equal to the contract's ``parameter``.
    """

    code: str
    left: tuple[str, ...]
    right: tuple[Term, ...] = ()
    rule: CheckRule = "sum_at_most"
    #: What the provider should do, in plain words.
    advice: str = "Check the figures and correct them."
    parameter: str | None = None

    @property
    def op(self) -> Literal["le", "eq"]:
        return "eq" if self.rule == "sum_equals" else "le"

    @property
    def each(self) -> bool:
        return self.rule == "each_at_most"

    @property
    def is_error(self) -> bool:
        return self.rule in ERROR_RULES

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.left + tuple(t.code for t in self.right)))


# --- indicators -----------------------------------------------------------------

Unit = Literal["people", "%", "days"]
Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class Capacity:
    """A denominator of ``units`` × days in the period − the sum of ``less`` (unit-nights)."""

    units: str
    less: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    code: str
    service: str
    label: str
    #: Measures summed for the numerator.
    numerator: tuple[str, ...]
    #: Measures summed for the denominator, ``CONTRACT_VALUE``, a :class:`Capacity`,
    #: or ``None`` for a plain count.
    denominator: tuple[str, ...] | str | Capacity | None
    unit: Unit
    better: Direction
    #: The default target and its tolerance (percentages as fractions of 1).
    target: float | None = None
    tolerance: float | None = None
    #: The numerator on the year-to-date basis when it differs.
    ytd_numerator: tuple[str, ...] | None = None
    #: Short words for charts and tables.
    short: str = ""
    #: Show a number of days in months too.
    show_months: bool = False

    def numerator_for(self, basis: str) -> tuple[str, ...]:
        if basis == "ytd" and self.ytd_numerator is not None:
            return self.ytd_numerator
        return self.numerator

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the indicator reads."""
        codes = list(self.numerator) + list(self.ytd_numerator or ())
        if isinstance(self.denominator, tuple):
            codes += self.denominator
        elif isinstance(self.denominator, Capacity):
            codes += [self.denominator.units, *self.denominator.less]
        return tuple(dict.fromkeys(codes))


# --- the rest of a type ------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Parameter:
    """A fact about each contract of the type, kept on the contract (a refuge's capacity)."""

    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class Block:
    """One block of a service page; which fields matter depends on ``kind``."""

    kind: str
    text: str = ""
    title: str | None = None
    indicator: str | None = None
    indicators: tuple[str, ...] = ()
    service: str | None = None
    measures: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    total: str | None = None
    total_name: str = ""
    beside: str | None = None
    beside_name: str = ""
    y_title: str = "People"
    side_by_side: bool = False
    colours: str | None = None
    basis: str | None = None
    in_months: bool = False
    #: A header whose section (down to the next header) is drawn only when opened.
    collapsed: bool = False

    def named(self) -> dict[str, str]:
        """Each measure of the block with the name it is drawn under."""
        return dict(zip(self.measures, self.names, strict=True))

    def needs(self, setting: str) -> str:
        """A text setting this kind of block cannot be drawn without (``indicator`` of a trend,
        ``title`` of a funnel…): the type file's validation refuses a block without it."""
        value = getattr(self, setting)
        if not isinstance(value, str) or not value:
            raise ValueError(f"a {self.kind} block needs {setting}")
        return value


@dataclass(frozen=True)
class Page:
    title: str
    slug: str
    icon: str
    blocks: tuple[Block, ...]

    @property
    def uses_basis(self) -> bool:
        """Whether the page offers the quarter / year-to-date choice."""
        return any(b.kind in {"trend", "trends_together", "service_trends", "stacked_bars", "outcomes",
                              "spend"} and b.basis is None for b in self.blocks)


@dataclass(frozen=True)
class Catalogue:
    """Everything particular to one kind of contract, as its type file says."""

    name: str
    title: str
    description: str
    versions: tuple[int, ...]
    sheets: tuple[str, ...]
    services: tuple[Service, ...]
    commentary_topics: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    measures: tuple[Measure, ...]
    checks: tuple[Check, ...]
    indicators: tuple[Indicator, ...]
    key_figures: tuple[tuple[str, tuple[str, ...]], ...]
    pages: tuple[Page, ...]
    outlier_factor: float = 3.0
    outlier_quarters: int = 4
    outlier_floor: float = 10
    path: Path | None = None
    measures_by_code: dict[str, Measure] = field(init=False, repr=False, compare=False)
    indicators_by_code: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "measures_by_code", {m.code: m for m in self.measures})
        object.__setattr__(self, "indicators_by_code", {i.code: i for i in self.indicators})

    @property
    def latest_version(self) -> int:
        return max(self.versions)

    @property
    def required_sheets(self) -> tuple[str, ...]:
        return (COVER, *self.sheets, COMMENTARY)

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)

    @property
    def indicator_groups(self) -> tuple[str, ...]:
        """The services of the indicators in the order a meeting takes them (services, then others)."""
        groups = [s for s in self.service_names if any(i.service == s for i in self.indicators)]
        return tuple(dict.fromkeys(groups + [i.service for i in self.indicators]))

    def measures_in(self, version: int) -> tuple[Measure, ...]:
        """The measures of one template version, in catalogue order."""
        return tuple(m for m in self.measures if m.in_version(version))

    def measures_on(self, sheet: str, version: int | None = None) -> tuple[Measure, ...]:
        """The measures of one sheet (of one template version), in catalogue order."""
        return tuple(m for m in self.measures
                     if m.sheet == sheet and (version is None or m.in_version(version)))

    def checks_in(self, version: int) -> tuple[Check, ...]:
        """The checks whose every measure the template version holds."""
        held = {m.code for m in self.measures_in(version)}
        return tuple(c for c in self.checks if set(c.measures) <= held)

    def indicators_for(self, service: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.service == service)

    def counts_people(self, code: str) -> bool:
        """True for a measure that is a count of people (so small numbers of it are sensitive)."""
        measure = self.measures_by_code[code]
        return measure.type == "count" and measure.counts_people

    def label(self, code: str) -> str:
        """A measure's or an indicator's label."""
        if code in self.indicators_by_code:
            return self.indicators_by_code[code].label
        return self.measures_by_code[code].label

    def page(self, slug: str) -> Page | None:
        return next((p for p in self.pages if p.slug == slug), None)

