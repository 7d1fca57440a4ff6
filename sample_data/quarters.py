"""The sample returns of ASC0013: every measure for every quarter, as the provider reported it.

One row per measure, one column per quarter, so that a trend reads along a
line. The quarters run from 2014/15 Q2 (the contract began on 1 September
2014; the first return covers the whole quarter, the services having carried
on from the previous arrangement) to 2016/17 Q3, plus 2016/17 Q4, which is
kept apart for a user to upload by hand.

The 2016/17 figures reproduce the contract-extension report (the "published
figures" of ``shared/spec/monitoring-workbook.md``):

- One Stop: OS02 at Q3 = 310 people so far this year; OS03 over Q1–Q3 = 44 + 47 + 46 = 137;
  Q3 referrals 60, of which 60 responded within 24 hours (100%), 40 safety-planned
  within 48 hours (66.7% → 67%), 39 fully assessed (65%), each higher than in Q2
  (96.8%, 62.9%, 59.7%); Q3 closed cases: risk down 62, same 5, up 0.
- Refuge Q3: 2,544 unit-nights occupied of 28 × 92 − 6 = 2,570 (98.99% → 99%);
  28 women, 36 children (15 aged 0–3); leavers Q1–Q3: 24 women, 7,323 nights,
  305.1 days = 10.0 months.
- Fresh Start Q1–Q3: 26 + 28 + 30 = 84 referrals, 12 + 14 + 16 = 42 assessed,
  8 + 9 + 12 = 29 accepted; Q3: 17 actively engaged, 21 using partner support.

The rest is made to hang together: women resident at the end of a quarter are
those at the end of the one before plus admissions less leavers (26 before the
first quarter); people active in Fresh Start likewise (6 before the first
quarter); One Stop's year-to-date count grows by at least the people new each
quarter. Fresh Start engagement is low until a development worker joins in
2016/17 Q2 and the programme is split into modules; waits then fall.
"""

from __future__ import annotations

from datetime import date

from models.contract_types import get_type
from models.periods import Quarter

#: Every quarter of the sample, in order.
QUARTERS: tuple[Quarter, ...] = (
    Quarter(2014, 2), Quarter(2014, 3), Quarter(2014, 4),
    Quarter(2015, 1), Quarter(2015, 2), Quarter(2015, 3), Quarter(2015, 4),
    Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3), Quarter(2016, 4),
)
#: Quarters whose workbook is not loaded with the sample but left for a user to upload.
UPLOAD_QUARTERS: tuple[Quarter, ...] = (Quarter(2016, 4),)

# fmt: off
#             2014/15             2015/16                    2016/17
#             Q2    Q3    Q4      Q1    Q2    Q3    Q4       Q1    Q2    Q3    Q4
_TABLE: dict[str, tuple[float, ...]] = {
    # One Stop: steady demand, a little higher over the winter.
    "OS01": (  138,  152,  149,    141,  147,  158,  153,     150,  156,  162,  155),
    "OS02": (  138,  221,  293,    141,  226,  306,  374,     150,  235,  310,  380),
    "OS03": (   52,   47,   44,     41,   45,   48,   46,      44,   47,   46,   45),
    "OS04": (   64,   66,   61,     57,   60,   64,   62,      58,   62,   60,   59),
    "OS05": (   58,   62,   58,     54,   57,   61,   59,      56,   60,   60,   58),
    "OS06": (   30,   33,   33,     30,   33,   37,   35,      34,   39,   40,   39),
    "OS07": (   33,   35,   32,     31,   35,   36,   36,      33,   37,   39,   38),
    "OS08": (   58,   63,   66,     60,   62,   68,   65,      61,   66,   70,   67),
    "OS09": (   45,   50,   54,     49,   52,   57,   55,      52,   57,   62,   59),
    "OS10": (    8,    8,    7,      6,    6,    7,    6,       5,    6,    5,    5),
    "OS11": (    3,    2,    3,      2,    1,    2,    1,       2,    1,    0,    1),
    "OS12": (   22,   25,   27,     23,   25,   27,   26,      24,   27,   29,   27),
    "OS13": (   48,   53,   56,     51,   53,   58,   55,      52,   57,   61,   58),
    "OS14": (   46,   50,   53,     48,   50,   55,   52,      50,   54,   58,   55),
    "OS15": (   40,   44,   46,     42,   44,   48,   46,      43,   47,   51,   48),
    "OS16": (    9,   11,   12,     10,   11,   13,   12,      11,   12,   14,   13),
    # Refuge: 28 units, nearly always full; a few unit-nights lost to repairs.
    "RF01": (   28,   28,   28,     28,   28,   28,   28,      28,   28,   28,   28),
    "RF02": ( 2420, 2463, 2416,   2377, 2494, 2501, 2418,    2472, 2520, 2544, 2458),
    "RF03": (    4,    0,    9,      3,    0,    8,    5,       0,    7,    6,    2),
    "RF04": (   27,   26,   27,     26,   27,   27,   26,      27,   27,   28,   27),
    "RF05": (   31,   29,   33,     30,   34,   32,   31,      33,   34,   36,   35),
    "RF06": (   12,   11,   13,     12,   14,   13,   12,      13,   14,   15,   14),
    "RF07": (   11,   10,   12,     10,   11,   11,   11,      12,   12,   12,   12),
    "RF08": (    6,    6,    6,      7,    7,    5,    6,       6,    6,    7,    7),
    "RF09": (    2,    2,    2,      1,    2,    3,    2,       2,    2,    2,    2),
    "RF10": (   52,   58,   55,     49,   54,   61,   57,      53,   59,   64,   58),
    "RF11": (   31,   36,   33,     29,   34,   39,   35,      33,   38,   42,   37),
    "RF12": (    5,    6,    4,      5,    4,    6,    5,       4,    5,    6,    5),
    "RF13": (    9,    6,   10,      7,    9,    8,    6,       8,    9,    9,    7),
    "RF14": (    8,    7,    9,      8,    8,    8,    7,       7,    9,    8,    8),
    "RF15": ( 2410, 2035, 2790,   2395, 2290, 2580, 2160,    2198, 2655, 2470, 2390),
    "RF16": (    4,    4,    5,      5,    5,    5,    4,       4,    6,    5,    5),
    "RF17": (    5,    5,    6,      5,    6,    6,    5,       5,    7,    6,    6),
    "RF18": (    6,    5,    7,      6,    6,    7,    5,       6,    8,    7,    6),
    "RF19": (    4,    4,    5,      4,    5,    5,    4,       4,    6,    5,    5),
    "RF20": (    1,    0,    1,      1,    0,    2,    1,       1,    1,    1,    0),
    "RF21": (    3,    2,    3,      3,    2,    3,    2,       2,    4,    3,    3),
    # Fresh Start: few engaged until the development worker joins in 2016/17 Q2.
    "FS01": (   18,   22,   20,     19,   23,   25,   24,      26,   28,   30,   31),
    "FS02": (    8,    9,    8,      8,   10,   11,   10,      12,   14,   16,   17),
    "FS03": (    5,    6,    5,      5,    7,    7,    6,       8,    9,   12,   12),
    "FS04": (    3,    4,    4,      3,    5,    4,    4,       5,    9,   11,   11),
    "FS05": (  252,  362,  381,    305,  458,  394,  417,     476,  551,  428,  371),
    "FS06": (    7,    8,    8,      8,    9,    8,    9,       9,   15,   17,   21),
    "FS07": (    1,    2,    2,      2,    2,    3,    2,       3,    2,    6,    5),
    "FS08": (    1,    1,    2,      1,    2,    2,    1,       2,    1,    3,    2),
    "FS09": (    5,    6,    5,      5,    7,    7,    6,       8,   10,   13,   12),
    "FS10": (    9,   10,    9,     10,   11,   11,   10,      12,   16,   21,   23),
    "FS11": (    5,    6,    5,      4,    7,    6,    6,       8,   10,   12,   12),
    "FS12": (    4,    5,    5,      4,    6,    6,    5,       7,    9,   12,   11),
    # Finance (£): about a quarter of £524,994 (£131,248.50) each quarter, a little over
    # at the end of 2015/16; Fresh Start's share rises with the development worker.
    "FN01": (53492.22, 53472.22, 53491.56,  52789.51, 53370.55, 53647.85, 54120.80,
             52806.67, 51512.08, 51253.80, 51114.22),
    "FN02": (58415.74, 58070.24, 58612.73,  58236.93, 58045.05, 58290.60, 58951.65,
             57940.74, 57618.62, 57777.65, 57244.23),
    "FN03": (18533.77, 18290.25, 18722.24,  18355.00, 18766.48, 18662.48, 19197.77,
             18950.59, 21235.01, 21720.05, 21713.94),
}
# fmt: on

#: The returns are template version 1 of the domestic-abuse type: they are history, and
#: the published figures depend on them.
TEMPLATE_VERSION = 1
_MEASURES = get_type("domestic-abuse").measures_in(TEMPLATE_VERSION)

#: Measure values by quarter: ``VALUES[Quarter(2016, 3)]["OS02"] == 310``.
VALUES: dict[Quarter, dict[str, float]] = {
    quarter: {m.code: _TABLE[m.code][column] for m in _MEASURES}
    for column, quarter in enumerate(QUARTERS)
}

#: Who completed each return (the services manager changed in spring 2016).
COMPLETED_BY: dict[Quarter, str] = {
    q: ("Sarah Whitfield" if q < Quarter(2016, 1) else "Priya Desai") for q in QUARTERS
}

#: When each return was completed: a few weeks after the quarter ended.
DATE_COMPLETED: dict[Quarter, date] = {
    Quarter(2014, 2): date(2014, 10, 17), Quarter(2014, 3): date(2015, 1, 21),
    Quarter(2014, 4): date(2015, 4, 20), Quarter(2015, 1): date(2015, 7, 16),
    Quarter(2015, 2): date(2015, 10, 19), Quarter(2015, 3): date(2016, 1, 22),
    Quarter(2015, 4): date(2016, 4, 18), Quarter(2016, 1): date(2016, 7, 15),
    Quarter(2016, 2): date(2016, 10, 20), Quarter(2016, 3): date(2017, 1, 19),
    Quarter(2016, 4): date(2017, 4, 21),
}

_GENERAL = "General"

#: The provider's commentary per quarter and service. 2016/17 Q2's General text begins
#: with "=" on purpose: a workbook cell like that must be read as text, never as a formula.
COMMENTARY: dict[Quarter, dict[str, str]] = {
    Quarter(2014, 2): {
        "One Stop": "Caseload transferred from the previous arrangement without a break in service.",
        "Refuge": "Refuge full through the quarter; one unit closed for four nights for a boiler repair.",
        "Fresh Start": "Programme group continuing; referral pathway with probation being re-established.",
        _GENERAL: "First quarter of the new contract. Monitoring return agreed with commissioners.",
    },
    Quarter(2014, 3): {
        "One Stop": "Usual rise in calls over the Christmas period; responses within 24 hours improved.",
        "Refuge": "No units out of use. Demand remains high: most declined referrals were for no vacancy.",
        "Fresh Start": "Two completions. Waiting list for the next group is about three months.",
        _GENERAL: "",
    },
    Quarter(2014, 4): {
        "One Stop": "Closed cases up after a review of dormant cases.",
        "Refuge": "Two units redecorated in March (nine unit-nights lost).",
        "Fresh Start": "Attendance at assessment remains low; reminder calls introduced.",
        _GENERAL: "End of the first contract year.",
    },
    Quarter(2015, 1): {
        "One Stop": "Quieter quarter; two staff on training courses.",
        "Refuge": "Occupancy dipped in May while two families moved on to settled homes.",
        "Fresh Start": "Referrals steady; one new group started in June.",
        _GENERAL: "",
    },
    Quarter(2015, 2): {
        "One Stop": "More referrals from the police after the summer awareness campaign.",
        "Refuge": "Full all quarter.",
        "Fresh Start": "Five starts, the most in one quarter so far.",
        _GENERAL: "",
    },
    Quarter(2015, 3): {
        "One Stop": "Highest number of people served in a quarter so far.",
        "Refuge": "Kitchen repairs in one unit (eight unit-nights lost).",
        "Fresh Start": "Commissioners raised the low numbers actively engaged; a plan will follow.",
        _GENERAL: "",
    },
    Quarter(2015, 4): {
        "One Stop": "Safety planning within 48 hours below target; extra duty cover from April.",
        "Refuge": "Average stay of leavers about ten months, reflecting the shortage of move-on housing.",
        "Fresh Start": "Plan to split the programme into modules and recruit a development worker.",
        _GENERAL: "Spend slightly over a quarter of the annual value: year-end training costs.",
    },
    Quarter(2016, 1): {
        "One Stop": "New services manager in post.",
        "Refuge": "No units out of use. Quality visit in June: 83%, action plan agreed.",
        "Fresh Start": "Quality visit in June: 83%, action plan on training and appraisals agreed.",
        _GENERAL: "Quality visits to all three services in June; action plans in progress.",
    },
    Quarter(2016, 2): {
        "One Stop": "Action plan from the quality visit completed; new training plan in place.",
        "Refuge": "Action plan completed. One unit closed for a week for damp treatment.",
        "Fresh Start": "Development worker started in July; programme now delivered in modules.",
        _GENERAL: "=== Staffing update === Development worker for Fresh Start in post from July; "
                  "one One Stop vacancy filled in September.",
    },
    Quarter(2016, 3): {
        "One Stop": "All new referrals responded to within 24 hours. 62 closed cases with risk decreased.",
        "Refuge": "99% occupancy; 28 women and 36 children resident at the end of December.",
        "Fresh Start": "17 men actively engaged; 21 partners using the Partner Support Service.",
        _GENERAL: "",
    },
    Quarter(2016, 4): {
        "One Stop": "Demand steady; safety planning within 48 hours holding at two thirds.",
        "Refuge": "Full outcomes for leavers to follow in the annual report.",
        "Fresh Start": "21 actively engaged at the end of March. Full outcomes report due in April.",
        _GENERAL: "End of the third contract year; extension to August 2019 under consideration.",
    },
}


def _validate() -> None:
    """Fail at import if the table is malformed (a row of the wrong length, a code missing)."""
    codes = {m.code for m in _MEASURES}
    assert set(_TABLE) == codes, f"rows differ from the catalogue: {set(_TABLE) ^ codes}"
    for code, row in _TABLE.items():
        assert len(row) == len(QUARTERS), f"{code} has {len(row)} values for {len(QUARTERS)} quarters"
    assert set(COMMENTARY) == set(QUARTERS) == set(DATE_COMPLETED)
    for quarter, completed in DATE_COMPLETED.items():
        assert completed > quarter.end, f"{quarter} completed before it ended"


_validate()
