"""Loading the sample: contract ASC0013, its targets and quality visits, and its workbooks.

``load_sample`` can be run any number of times: what is already held is left as
it is (a target or a visit a user has since changed is not put back), and a
workbook already stored is recognised by its hash and changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import settings
from data_ingest.reader import read_workbook
from data_ingest.store import IngestResult, ingest_file
from models.catalogue import INDICATORS
from models.periods import Quarter
from models.schema import Contract, Provider, QualityVisit, Service, Target
from sample_data.contract import CONTRACT, QUALITY_VISITS, SERVICES, WORKBOOKS_DIR

TARGET_NOTE = "Sample target from the catalogue."


def load_sample(engine: Engine, uploaded_by: str = "sample",
                today: date | None = None) -> list[IngestResult]:
    """Create the sample contract and its records, then ingest every sample workbook in quarter order.

    Returns one result per workbook; on a second run each is ``unchanged``.
    """
    with Session(engine) as session, session.begin():
        contract = _contract(session, uploaded_by)
        services = _services(session, contract, uploaded_by)
        _targets(session, contract, uploaded_by)
        _quality_visits(session, services, uploaded_by)
    return [ingest_file(engine, path.read_bytes(), path.name, uploaded_by=uploaded_by, today=today)
            for path in sample_workbooks()]


def sample_workbooks(directory: Path | None = None) -> list[Path]:
    """The workbooks loaded with the sample, in quarter order (by the quarter on their Cover)."""
    folder = directory or settings.SAMPLE_DIR / WORKBOOKS_DIR
    paths = sorted(folder.glob("*.xlsx"))

    def order(path: Path) -> tuple[int, str]:
        quarter = read_workbook(path.read_bytes(), path.name).quarter
        # A workbook whose quarter cannot be read goes last, where ingesting it says why.
        return (quarter.index if quarter else 1 << 30, path.name)

    return sorted(paths, key=order)


def start_quarter() -> Quarter:
    """The quarter the contract started in: sample targets apply from it."""
    return Quarter.containing(CONTRACT["start_date"])


# --- each record, created once -------------------------------------------------------------


def _contract(session: Session, created_by: str) -> Contract:
    fields = {k: v for k, v in CONTRACT.items() if k != "provider"}
    contract = session.scalars(
        select(Contract).where(Contract.reference == fields["reference"])).first()
    if contract is not None:
        return contract
    provider = session.scalars(
        select(Provider).where(Provider.name == CONTRACT["provider"])).first()
    if provider is None:
        provider = Provider(name=CONTRACT["provider"], created_by=created_by)
        session.add(provider)
    contract = Contract(**fields, provider=provider, created_by=created_by)
    session.add(contract)
    session.flush()
    return contract


def _services(session: Session, contract: Contract, created_by: str) -> dict[str, Service]:
    held = {s.name: s for s in session.scalars(
        select(Service).where(Service.contract_id == contract.id))}
    for name, description in SERVICES.items():
        if name not in held:
            held[name] = Service(contract_id=contract.id, name=name, description=description,
                                 created_by=created_by)
            session.add(held[name])
    session.flush()
    return held


def _targets(session: Session, contract: Contract, created_by: str) -> None:
    start = start_quarter()
    held = set(session.scalars(
        select(Target.indicator).where(Target.contract_id == contract.id,
                                       Target.effective_year == start.year,
                                       Target.effective_quarter == start.quarter)))
    for indicator in INDICATORS:
        if indicator.target is None or indicator.code in held:
            continue
        session.add(Target(
            contract_id=contract.id, indicator=indicator.code, value=float(indicator.target),
            tolerance=float(indicator.tolerance or 0.0), direction=indicator.better,
            effective_year=start.year, effective_quarter=start.quarter,
            note=TARGET_NOTE, created_by=created_by))


def _quality_visits(session: Session, services: dict[str, Service], created_by: str) -> None:
    for visit in QUALITY_VISITS:
        service = services[visit["service"]]
        exists = session.scalars(
            select(QualityVisit.id).where(QualityVisit.service_id == service.id,
                                          QualityVisit.visit_date == visit["visit_date"])).first()
        if exists is None:
            session.add(QualityVisit(
                service_id=service.id, visit_date=visit["visit_date"], score=visit["score"],
                score_after=visit["score_after"], summary=visit["summary"],
                created_by=created_by))
