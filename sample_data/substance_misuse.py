"""The second sample contract, ASC0042: an ILLUSTRATIVE community substance-misuse service.

Everything here is made up: the contract, the provider ("Compass Recovery
(illustrative)"), and every figure. It exists so that the product visibly works
for more than one kind of contract; its type is ``contract_types/substance-misuse.toml``.

The returns run from 2014/15 Q3 (the contract began on 1 October 2014) to
2016/17 Q3, nine quarters, one row per measure and one column per quarter. The
story they tell: waits to start treatment fall after a triage clinic opens in
2015/16 Q3; planned exits and successful completions rise slowly; take-home
naloxone grows. The figures hang together: people in treatment at the end of
a quarter are those at the end of the one before plus new presentations less
exits (446 before the first quarter); people in treatment so far this year are
those in treatment on 1 April (or when the contract began) plus the new
presentations since.
"""

from __future__ import annotations

from datetime import date

from models.periods import Quarter
from sample_data.contract import SampleContract

CONTRACT: SampleContract = {
    "reference": "ASC0042",
    "title": "Community substance-misuse treatment service (illustrative sample, made-up figures)",
    "commissioner": "Milton Keynes Council (Public Health)",
    "provider": "Compass Recovery (illustrative)",
    "start_date": date(2014, 10, 1),
    "initial_end_date": date(2017, 9, 30),
    "extended_end_date": None,
    "annual_value": 1_450_000.00,
    "contract_type": "substance-misuse",
    "parameters": {"treatment_places": 450},
}

#: People in treatment when the contract began (carried over from the previous service).
IN_TREATMENT_AT_START = 446

QUARTERS: tuple[Quarter, ...] = (
    Quarter(2014, 3), Quarter(2014, 4),
    Quarter(2015, 1), Quarter(2015, 2), Quarter(2015, 3), Quarter(2015, 4),
    Quarter(2016, 1), Quarter(2016, 2), Quarter(2016, 3),
)
#: This contract's returns are all loaded; none is kept apart for uploading by hand.
UPLOAD_QUARTERS: tuple[Quarter, ...] = ()

# fmt: off
#             2014/15        2015/16                    2016/17
#             Q3     Q4      Q1     Q2     Q3     Q4      Q1     Q2     Q3
_TABLE: dict[str, tuple[float, ...]] = {
    # Treatment: 450 places; waits fall after the triage clinic opens in 2015/16 Q3.
    "TR01": (  450,   450,    450,   450,   450,   450,    450,   450,   450),
    "TR02": (  168,   172,    158,   165,   174,   170,    162,   171,   176),
    "TR03": (  146,   151,    139,   147,   155,   150,    144,   153,   158),
    "TR04": (  118,   124,    112,   121,   128,   123,    117,   126,   131),
    "TR05": (   37,    37,     32,    35,    36,    34,     32,    34,    34),
    "TR06": (   18,    20,     18,    21,    22,    21,     21,    23,    24),
    "TR07": (   52,    55,     50,    53,    58,    55,     53,    58,    60),
    "TR08": (   11,    12,     12,    12,    12,    13,     11,    11,    13),
    "TR09": (   14,    12,     11,    10,     6,     5,      4,     4,     3),
    "TR10": ( 1794,  1748,   1512,  1549,  1293,  1156,   1018,  1033,  1035),
    "TR11": (  452,   457,    448,   455,   463,   459,    457,   465,   472),
    "TR12": (  564,   688,    569,   690,   818,   941,    576,   702,   833),
    # Recovery: planned exits and completions rise slowly; naloxone kits grow.
    "RC01": (  112,   119,    121,   114,   120,   127,    119,   118,   124),
    "RC02": (   65,    70,     73,    71,    76,    81,     79,    79,    84),
    "RC03": (   52,    57,     58,    58,    63,    67,     66,    67,    71),
    "RC04": (   38,    41,     38,    35,    35,    35,     32,    30,    31),
    "RC05": (    9,     8,     10,     8,     9,    11,      8,     9,     9),
    "RC06": (   41,    44,     45,    45,    49,    52,     51,    52,    55),
    "RC07": (   18,    19,     20,    20,    21,    23,     22,    23,    24),
    "RC08": (   29,    31,     32,    32,    35,    37,     36,    37,    39),
    "RC09": (    7,     6,      8,     6,     6,     5,      6,     5,     5),
    "RC10": (   62,    71,     80,    88,    97,   104,    112,   121,   128),
    # Finance (£): close to a quarter of £1,450,000 (£362,500) each quarter.
    "EX01": (224448.56, 219339.23,  221418.33, 220987.41, 225255.56, 224758.51,
             226550.39, 219854.21, 222639.85),
    "EX02": ( 90503.45,  88443.24,   89281.58,  89107.83,  90828.86,  90628.43,
              91350.96,  88650.89,  89774.13),
    "EX03": ( 47061.80,  45990.49,   46426.42,  46336.07,  47231.00,  47126.79,
              47502.51,  46098.47,  46682.55),
}
# fmt: on

#: Measure values by quarter: ``VALUES[Quarter(2016, 3)]["TR11"] == 472``.
VALUES: dict[Quarter, dict[str, float]] = {
    quarter: {code: row[column] for code, row in _TABLE.items()} for column, quarter in enumerate(QUARTERS)
}

COMPLETED_BY: dict[Quarter, str] = {q: "Sam Okafor (illustrative)" for q in QUARTERS}

DATE_COMPLETED: dict[Quarter, date] = {
    Quarter(2014, 3): date(2015, 1, 23), Quarter(2014, 4): date(2015, 4, 22),
    Quarter(2015, 1): date(2015, 7, 21), Quarter(2015, 2): date(2015, 10, 21),
    Quarter(2015, 3): date(2016, 1, 20), Quarter(2015, 4): date(2016, 4, 20),
    Quarter(2016, 1): date(2016, 7, 20), Quarter(2016, 2): date(2016, 10, 19),
    Quarter(2016, 3): date(2017, 1, 18),
}

_NOTE = "Illustrative sample: the figures are made up."

COMMENTARY: dict[Quarter, dict[str, str]] = {
    Quarter(2014, 3): {
        "Treatment": "Caseload of 446 transferred from the previous service on 1 October.",
        "Recovery": "Recovery café opened two evenings a week.",
        "General": f"First quarter of the contract. {_NOTE}",
    },
    Quarter(2014, 4): {
        "Treatment": "Waits remain long while two vacant key worker posts are recruited to.",
        "Recovery": "Take-home naloxone offered to everyone starting opiate treatment.",
        "General": _NOTE,
    },
    Quarter(2015, 1): {
        "Treatment": "Key worker posts filled; caseloads rebalanced.",
        "Recovery": "More planned exits as the first cohort completes treatment.",
        "General": _NOTE,
    },
    Quarter(2015, 2): {
        "Treatment": "Plan agreed with commissioners to open a triage clinic in the autumn.",
        "Recovery": "Peer mentors trained to issue naloxone.",
        "General": _NOTE,
    },
    Quarter(2015, 3): {
        "Treatment": "Triage clinic open from October: most people now start treatment within two weeks.",
        "Recovery": "Mutual aid groups linked to every successful completion where the person agrees.",
        "General": _NOTE,
    },
    Quarter(2015, 4): {
        "Treatment": "Waits held under 10 days on average.",
        "Recovery": "Naloxone kits issued through the needle exchange too.",
        "General": f"Spend at the quarter's share of the annual value. {_NOTE}",
    },
    Quarter(2016, 1): {
        "Treatment": "Alcohol-only presentations steady at about 45% of new presentations.",
        "Recovery": "Re-presentations after completion kept under review with the recovery team.",
        "General": _NOTE,
    },
    Quarter(2016, 2): {
        "Treatment": "Highest caseload since the contract began.",
        "Recovery": "Planned exits two thirds of all exits.",
        "General": _NOTE,
    },
    Quarter(2016, 3): {
        "Treatment": "Three people waited more than three weeks, all by their own choice.",
        "Recovery": "128 naloxone kits issued, the most in a quarter.",
        "General": _NOTE,
    },
}


def _validate() -> None:
    """Fail at import if the table is malformed or the figures do not hang together."""
    for code, row in _TABLE.items():
        assert len(row) == len(QUARTERS), f"{code} has {len(row)} values for {len(QUARTERS)} quarters"
    assert set(COMMENTARY) == set(QUARTERS) == set(DATE_COMPLETED) == set(COMPLETED_BY)
    in_treatment: float = IN_TREATMENT_AT_START
    carried: float = IN_TREATMENT_AT_START
    so_far: float = 0
    for index, quarter in enumerate(QUARTERS):
        v = VALUES[quarter]
        assert DATE_COMPLETED[quarter] > quarter.end, f"{quarter} completed before it ended"
        if index == 0 or quarter.quarter == 1:
            carried, so_far = in_treatment, 0
        so_far += v["TR04"]
        in_treatment += v["TR04"] - v["RC01"]
        assert v["TR11"] == in_treatment, quarter
        assert v["TR12"] == carried + so_far, quarter


_validate()
