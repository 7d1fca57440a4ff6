"""The catalogue: every measure, check and indicator of the monitoring return.

This is the single source of truth for the data contract in
``shared/spec/monitoring-workbook.md``. The template, the parser, the checks,
the indicator engine and the pages all read these tuples; adding a measure is
one entry in ``MEASURES``. Codes are stable: never rename or reuse one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# --- sheets -----------------------------------------------------------------

COVER = "Cover"
ONE_STOP = "One Stop"
REFUGE = "Refuge"
FRESH_START = "Fresh Start"
FINANCE = "Finance"
COMMENTARY = "Commentary"

#: Sheets holding a Code / Measure / Value table, in workbook order.
MEASURE_SHEETS: tuple[str, ...] = (ONE_STOP, REFUGE, FRESH_START, FINANCE)
#: Every sheet a workbook must have.
REQUIRED_SHEETS: tuple[str, ...] = (COVER, *MEASURE_SHEETS, COMMENTARY)

#: Services of the contract, as the users name them (Finance is not a service
#: but has its own page and indicators).
SERVICES: tuple[str, ...] = (ONE_STOP, REFUGE, FRESH_START)
#: Rows of the Commentary sheet.
COMMENTARY_TOPICS: tuple[str, ...] = (ONE_STOP, REFUGE, FRESH_START, "General")

#: Layout version of the workbook described here (Cover "Template version").
TEMPLATE_VERSION = 1

# --- cover fields ---------------------------------------------------------------


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


def _m(code: str, sheet: str, label: str, aggregation: Aggregation = "flow",
       type: MeasureType = "count") -> Measure:
    return Measure(code, sheet, label, type, aggregation)


MEASURES: tuple[Measure, ...] = (
    _m("OS01", ONE_STOP, "People receiving a service during the quarter", "quarter"),
    _m("OS02", ONE_STOP, "People receiving a service so far this financial year (each person once)", "ytd"),
    _m("OS03", ONE_STOP, "People new to the service during the quarter"),
    _m("OS04", ONE_STOP, "New referrals received"),
    _m("OS05", ONE_STOP, "New referrals responded to within 24 hours"),
    _m("OS06", ONE_STOP, "New referrals given support and safety planning within 48 hours"),
    _m("OS07", ONE_STOP, "New referrals that went on to a full needs and risk assessment"),
    _m("OS08", ONE_STOP, "Cases closed"),
    _m("OS09", ONE_STOP, "Closed cases whose risk score decreased"),
    _m("OS10", ONE_STOP, "Closed cases whose risk score stayed the same"),
    _m("OS11", ONE_STOP, "Closed cases whose risk score increased"),
    _m("OS12", ONE_STOP, "Closed cases: ended the relationship with the abuser"),
    _m("OS13", ONE_STOP, "Closed cases: better understanding of domestic abuse"),
    _m("OS14", ONE_STOP, "Closed cases: learned strategies to keep themselves and their children safe"),
    _m("OS15", ONE_STOP, "Closed cases: increased confidence"),
    _m("OS16", ONE_STOP, "Closed cases: took steps to move on (training, volunteering, employment)"),
    _m("RF01", REFUGE, "Refuge units for women under the contract", "stock"),
    _m("RF02", REFUGE, "Unit-nights occupied"),
    _m("RF03", REFUGE, "Unit-nights lost to units out of use (repairs, redecoration)"),
    _m("RF04", REFUGE, "Women resident at the end of the quarter", "stock"),
    _m("RF05", REFUGE, "Children resident at the end of the quarter", "stock"),
    _m("RF06", REFUGE, "of whom aged 0–3", "stock"),
    _m("RF07", REFUGE, "of whom aged 4–10", "stock"),
    _m("RF08", REFUGE, "of whom aged 11–15", "stock"),
    _m("RF09", REFUGE, "of whom aged 16–17", "stock"),
    _m("RF10", REFUGE, "Referrals to the refuge received"),
    _m("RF11", REFUGE, "Referrals declined: no vacancy"),
    _m("RF12", REFUGE, "Referrals declined: needs could not be met safely"),
    _m("RF13", REFUGE, "Women admitted"),
    _m("RF14", REFUGE, "Women who left"),
    _m("RF15", REFUGE, "Total nights in refuge of the women who left"),
    _m("RF16", REFUGE, "Women who left to settled accommodation"),
    _m("RF17", REFUGE, "Leavers reporting a positive health outcome"),
    _m("RF18", REFUGE, "Leavers reporting a positive financial outcome"),
    _m("RF19", REFUGE, "Leavers reporting a positive parenting outcome"),
    _m("RF20", REFUGE, "Leavers reporting a positive immigration outcome"),
    _m("RF21", REFUGE, "Leavers reporting a positive criminal justice outcome"),
    _m("FS01", FRESH_START, "Referrals received"),
    _m("FS02", FRESH_START, "Attended for assessment"),
    _m("FS03", FRESH_START, "Accepted onto the programme"),
    _m("FS04", FRESH_START, "Started the programme"),
    _m("FS05", FRESH_START, "Total days from referral to start, for those who started"),
    _m("FS06", FRESH_START, "Actively engaged with the programme at the end of the quarter", "stock"),
    _m("FS07", FRESH_START, "Completed the programme"),
    _m("FS08", FRESH_START, "Left the programme before completing"),
    _m("FS09", FRESH_START, "Partners and ex-partners referred to the Partner Support Service"),
    _m("FS10", FRESH_START, "People using the Partner Support Service at the end of the quarter", "stock"),
    _m("FS11", FRESH_START, "Partner risk assessments completed"),
    _m("FS12", FRESH_START, "Partner safety plans completed"),
    _m("FN01", FINANCE, "Expenditure: One Stop", type="money"),
    _m("FN02", FINANCE, "Expenditure: Refuge", type="money"),
    _m("FN03", FINANCE, "Expenditure: Fresh Start", type="money"),
)

MEASURES_BY_CODE: dict[str, Measure] = {m.code: m for m in MEASURES}

#: Count measures that do not count people (refuge units, unit-nights, nights, days).
#: Every other count measure counts people, and small numbers of people are
#: suppressed in reports shared outside the council (reports.suppression).
NON_PEOPLE_COUNTS: frozenset[str] = frozenset({"RF01", "RF02", "RF03", "RF15", "FS05"})
assert NON_PEOPLE_COUNTS <= MEASURES_BY_CODE.keys(), "NON_PEOPLE_COUNTS names an unknown measure"


def counts_people(code: str) -> bool:
    """True for a measure that is a count of people (so small numbers of it are sensitive)."""
    measure = MEASURES_BY_CODE[code]
    return measure.type == "count" and code not in NON_PEOPLE_COUNTS


def measures_on(sheet: str) -> tuple[Measure, ...]:
    """The measures of one sheet, in catalogue order."""
    return tuple(m for m in MEASURES if m.sheet == sheet)


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


@dataclass(frozen=True)
class Check:
    """``sum(left) <op> sum(right)``; ``op`` is ``le`` (at most) or ``eq`` (equal to).

    Each code on the left is compared on its own when ``each`` is true
    (``OS05, OS06, OS07 each at most OS04``), otherwise their sum is.
    """

    code: str
    left: tuple[str, ...]
    right: tuple[Term, ...]
    op: Literal["le", "eq"] = "le"
    each: bool = False
    #: What the provider should do, in plain words.
    advice: str = "Check the figures and correct them."


def _t(*codes: str) -> tuple[Term, ...]:
    return tuple(Term(c) for c in codes)


#: Impossible arithmetic: each is an error that rejects the workbook.
CHECKS: tuple[Check, ...] = (
    Check("ARITH-OS-RESPONSES", ("OS05", "OS06", "OS07"), _t("OS04"), each=True,
          advice="A count of new referrals handled cannot exceed the new referrals received (OS04)."),
    Check("ARITH-OS-RISK", ("OS09", "OS10", "OS11"), _t("OS08"),
          advice="Risk scores decreased, the same and increased together cannot exceed the cases closed (OS08)."),
    Check("ARITH-OS-OUTCOMES", ("OS12", "OS13", "OS14", "OS15", "OS16"), _t("OS08"), each=True,
          advice="An outcome of closed cases cannot exceed the cases closed (OS08)."),
    Check("ARITH-OS-NEW", ("OS03",), _t("OS01"),
          advice="People new to the service cannot exceed the people receiving a service (OS01)."),
    Check("ARITH-OS-YTD", ("OS01",), _t("OS02"),
          advice="People served this quarter cannot exceed the people served so far this year (OS02)."),
    Check("ARITH-RF-NIGHTS", ("RF02",), (Term("RF01", times_days=True), Term("RF03", sign=-1)),
          advice="Unit-nights occupied cannot exceed the units (RF01) times the days in the quarter, "
                 "less the unit-nights lost (RF03)."),
    Check("ARITH-RF-WOMEN", ("RF04",), _t("RF01"),
          advice="Women resident cannot exceed the refuge units (RF01)."),
    Check("ARITH-RF-CHILDREN", ("RF06", "RF07", "RF08", "RF09"), _t("RF05"), op="eq",
          advice="The children by age band (RF06 to RF09) must add up to the children resident (RF05)."),
    Check("ARITH-RF-DECLINED", ("RF11", "RF12"), _t("RF10"),
          advice="Referrals declined cannot exceed the referrals received (RF10)."),
    Check("ARITH-RF-LEAVERS", ("RF16", "RF17", "RF18", "RF19", "RF20", "RF21"), _t("RF14"), each=True,
          advice="An outcome of leavers cannot exceed the women who left (RF14)."),
    Check("ARITH-FS-LEAVERS", ("FS07", "FS08"), (Term("FS06", previous=True), Term("FS04")),
          advice="People completing or leaving the programme cannot exceed those active at the end of "
                 "the previous quarter (FS06) plus those who started this quarter (FS04)."),
)

#: Funnel stages: a later stage larger than the one before is a warning only,
#: since people move between quarters.
FUNNEL: tuple[str, ...] = ("FS01", "FS02", "FS03", "FS04")

#: A value this many times the mean of the previous quarters (or less than its
#: inverse) is a warning, unless both are below the floor.
OUTLIER_FACTOR = 3.0
OUTLIER_QUARTERS = 4
OUTLIER_FLOOR = 10

# --- indicators -----------------------------------------------------------------

Unit = Literal["people", "%", "days"]
Direction = Literal["higher", "lower"]
#: Denominators that are not a plain sum of measures.
CAPACITY_NIGHTS = "capacity_nights"    # RF01 × days in the period − RF03
CONTRACT_VALUE = "contract_value"      # annual value × quarters / 4


@dataclass(frozen=True)
class Indicator:
    code: str
    service: str
    label: str
    #: Measures summed for the numerator.
    numerator: tuple[str, ...]
    #: Measures summed for the denominator, a special denominator name, or
    #: ``None`` for a plain count.
    denominator: tuple[str, ...] | str | None
    unit: Unit
    better: Direction
    #: The sample target and its tolerance (percentages as fractions of 1).
    target: float | None = None
    tolerance: float | None = None
    #: The numerator on the year-to-date basis when it differs (OS-PEOPLE).
    ytd_numerator: tuple[str, ...] | None = None
    #: Short words for charts and tables.
    short: str = ""

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
        elif self.denominator == CAPACITY_NIGHTS:
            codes += ["RF01", "RF03"]
        return tuple(dict.fromkeys(codes))


def _i(code, service, label, numerator, denominator, unit, better, target=None, tolerance=None,
       ytd_numerator=None, short="") -> Indicator:
    return Indicator(code, service, label, numerator, denominator, unit, better, target,
                     tolerance, ytd_numerator, short or label)


INDICATORS: tuple[Indicator, ...] = (
    _i("OS-PEOPLE", ONE_STOP, "People receiving a service", ("OS01",), None, "people", "higher",
       ytd_numerator=("OS02",), short="People served"),
    _i("OS-NEW", ONE_STOP, "People new to the service", ("OS03",), None, "people", "higher",
       short="New people"),
    _i("OS-RESP24", ONE_STOP, "New referrals responded to within 24 hours", ("OS05",), ("OS04",),
       "%", "higher", 1.00, 0.05, short="Responded within 24 hours"),
    _i("OS-SAFE48", ONE_STOP, "New referrals with support and safety planning within 48 hours",
       ("OS06",), ("OS04",), "%", "higher", 0.75, 0.10, short="Safety planning within 48 hours"),
    _i("OS-ASSESS", ONE_STOP, "New referrals going on to a full needs and risk assessment",
       ("OS07",), ("OS04",), "%", "higher", 0.70, 0.10, short="Full needs and risk assessment"),
    _i("OS-RISKDOWN", ONE_STOP, "Closed cases whose risk decreased", ("OS09",),
       ("OS09", "OS10", "OS11"), "%", "higher", 0.80, 0.10, short="Risk decreased"),
    _i("OS-RISKUP", ONE_STOP, "Closed cases whose risk increased", ("OS11",),
       ("OS09", "OS10", "OS11"), "%", "lower", 0.05, 0.05, short="Risk increased"),
    _i("RF-OCC", REFUGE, "Refuge occupancy", ("RF02",), CAPACITY_NIGHTS, "%", "higher", 0.95, 0.05,
       short="Occupancy"),
    _i("RF-WOMEN", REFUGE, "Women resident at the end of the period", ("RF04",), None, "people",
       "higher", short="Women resident"),
    _i("RF-CHILD", REFUGE, "Children resident at the end of the period", ("RF05",), None, "people",
       "higher", short="Children resident"),
    _i("RF-DECLINED", REFUGE, "Refuge referrals declined for no vacancy", ("RF11",), ("RF10",), "%",
       "lower", short="Declined: no vacancy"),
    _i("RF-STAY", REFUGE, "Average length of stay of women who left", ("RF15",), ("RF14",), "days",
       "lower", short="Average stay"),
    _i("RF-SETTLED", REFUGE, "Leavers moving to settled accommodation", ("RF16",), ("RF14",), "%",
       "higher", 0.60, 0.10, short="Moved to settled accommodation"),
    _i("FS-REFS", FRESH_START, "Fresh Start referrals", ("FS01",), None, "people", "higher",
       short="Referrals"),
    _i("FS-ATTEND", FRESH_START, "Referrals attending assessment", ("FS02",), ("FS01",), "%",
       "higher", 0.60, 0.10, short="Attended assessment"),
    _i("FS-ACCEPT", FRESH_START, "Assessed people accepted onto the programme", ("FS03",), ("FS02",),
       "%", "higher", 0.70, 0.10, short="Accepted onto programme"),
    _i("FS-ACTIVE", FRESH_START, "Actively engaged at the end of the period", ("FS06",), None,
       "people", "higher", 20, 5, short="Actively engaged"),
    _i("FS-WAIT", FRESH_START, "Average days from referral to start", ("FS05",), ("FS04",), "days",
       "lower", 42, 14, short="Days from referral to start"),
    _i("FS-COMPLETE", FRESH_START, "Programme completion rate", ("FS07",), ("FS07", "FS08"), "%",
       "higher", 0.60, 0.10, short="Completion rate"),
    _i("FS-PARTNERS", FRESH_START, "People using the Partner Support Service", ("FS10",), None,
       "people", "higher", short="Partner support"),
    _i("FN-SPEND", FINANCE, "Spend against the contract value for the period",
       ("FN01", "FN02", "FN03"), CONTRACT_VALUE, "%", "lower", 1.00, 0.02, short="Spend"),
)

INDICATORS_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}

#: Days in an average month, for showing a stay in months.
DAYS_PER_MONTH = 30.44

BASES: tuple[str, ...] = ("quarter", "ytd")


def indicators_for(service: str) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if i.service == service)


def _validate() -> None:
    """Fail at import if the catalogue contradicts itself."""
    codes = [m.code for m in MEASURES]
    assert len(codes) == len(set(codes)), "duplicate measure code"
    for ind in INDICATORS:
        for code in ind.measures:
            assert code in MEASURES_BY_CODE, f"{ind.code} reads unknown measure {code}"
    for chk in CHECKS:
        for code in chk.left + tuple(t.code for t in chk.right):
            assert code in MEASURES_BY_CODE, f"{chk.code} reads unknown measure {code}"


_validate()
