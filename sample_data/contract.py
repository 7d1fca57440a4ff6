"""The sample contract, ASC0013, as the council's contract-extension report describes it."""

from __future__ import annotations

from datetime import date
from typing import TypedDict


class SampleContract(TypedDict):
    """A sample contract as the register holds it (``records.contracts.add_contract``'s fields)."""

    reference: str
    title: str
    commissioner: str
    provider: str
    start_date: date
    initial_end_date: date
    extended_end_date: date | None
    annual_value: float
    contract_type: str
    parameters: dict[str, float]


CONTRACT: SampleContract = {
    "reference": "ASC0013",
    "title": "Comprehensive support services for victims of domestic abuse",
    "commissioner": "Milton Keynes Council (Joint Commissioning)",
    "provider": "MK ACT",
    "start_date": date(2014, 9, 1),
    "initial_end_date": date(2017, 8, 31),
    "extended_end_date": date(2019, 8, 31),
    "annual_value": 524_994.00,
    "contract_type": "domestic-abuse",
    "parameters": {"refuge_capacity": 28},
}

# The services of the domestic-abuse type, described as this contract has them.
SERVICES = {
    "One Stop": "Information, advice and crisis intervention for victims of domestic abuse",
    "Refuge": "Confidential refuge for 28 women and any accompanying children",
    "Fresh Start": "Perpetrator programme with a Partner Support Service",
}

#: The 2016 quality visits (year 2 of the contract): scores before and after the action plan.
QUALITY_VISITS = (
    {"service": "Refuge", "visit_date": date(2016, 6, 15), "score": 0.83, "score_after": 0.90,
     "summary": "Actions on staff training, supervision and appraisals; responded to in full."},
    {"service": "One Stop", "visit_date": date(2016, 6, 22), "score": 0.87, "score_after": 0.94,
     "summary": "Actions on staff training and supervision; new training plan introduced."},
    {"service": "Fresh Start", "visit_date": date(2016, 6, 29), "score": 0.83, "score_after": 0.94,
     "summary": "Actions on staff training and appraisals; increased training for staff."},
)

#: Where the sample workbooks are written; the Q4 one is kept apart for a user to upload.
WORKBOOKS_DIR = "workbooks"
UPLOAD_DIR = "upload"
