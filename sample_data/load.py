"""Loading the sample: its contracts, their default targets and quality visits, and their workbooks.

``python -m data_ingest load-sample`` runs :func:`load_sample`. It lives here, above the
workbook reader and store it uses (``data_ingest``), beside the sample it loads.

Two contracts of two types (``sample_data.make_sample.SAMPLES``): ASC0013, the
domestic-abuse contract whose figures the published report gives, and ASC0042,
an illustrative substance-misuse service whose figures are made up.

``load_sample`` can be run any number of times: what is already held is left as
it is (a target or a visit a user has since changed is not put back), and a
workbook already stored is recognised by its hash and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import Engine, select

import settings
from data_ingest.reader import read_workbook
from data_ingest.store import IngestResult, ingest_file
from models.catalogue import Catalogue
from models.contract_types import get_type
from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, QualityVisit, Submission
from records.contracts import add_contract, get_contract, get_service
from records.targets import set_default_targets
from sample_data.contract import CONTRACT, WORKBOOKS_DIR, SampleContract
from sample_data.make_sample import SAMPLES, SampleReturns
from users.access import Actor, Role

TARGET_NOTE = "Sample target: the contract type's default."


def load_sample(engine: Engine, uploaded_by: str = "sample",
                today: date | None = None) -> list[IngestResult]:
    """Create the sample contracts and their records, then ingest every sample workbook in quarter order.

    Returns one result per workbook; on a second run each is ``unchanged``. Everything is
    recorded as made by ``uploaded_by`` (as given), acting as an administrator.
    """
    actor = Actor(email=uploaded_by, role=Role.ADMIN)
    for sample in SAMPLES:
        catalogue = get_type(sample.contract["contract_type"])
        _contract(engine, sample, catalogue, actor)
        # The type's default targets, in force from the quarter the contract started in.
        set_default_targets(engine, sample.reference, catalogue, start_quarter(sample.contract),
                            actor, note=TARGET_NOTE)
        _quality_visits(engine, sample, actor.recorded_as)
    results = [ingest_file(engine, path.read_bytes(), path.name, actor, today=today)
               for path in sample_workbooks()]
    _dated_as_sent(engine, results)
    return results


def _dated_as_sent(engine: Engine, results: list[IngestResult]) -> None:
    """Date each sample return as received on the day its Cover says it was completed.

    Loading stamps them all with the moment of loading, which would make every sample
    return years late on the Returns calendar; the provider sent each one when it was done.
    """
    completed = {(s.reference, q): day for s in SAMPLES for q, day in s.date_completed.items()}
    with sessions(engine).begin() as session:
        for result in results:
            if result.status != "stored" or result.contract is None or result.quarter is None:
                continue
            day = completed.get((result.contract, result.quarter))
            if day is not None:
                submission = session.get(Submission, result.submission_id)
                if submission is None:
                    raise ValueError(f"submission {result.submission_id} was stored but is not held")
                submission.uploaded_at = datetime.combine(day, time(9, 0), tzinfo=UTC)


def sample_workbooks(directory: Path | None = None) -> list[Path]:
    """The workbooks loaded with the sample, in quarter order (by the quarter on their Cover).

    A contract's quarters must go in order: its checks compare a quarter with the one before.
    """
    folder = directory or settings.SAMPLE_DIR / WORKBOOKS_DIR
    paths = sorted(folder.glob("*.xlsx"))

    def order(path: Path) -> tuple[int, str]:
        # Without a catalogue only the Cover is read: enough for the quarter.
        quarter = read_workbook(path.read_bytes(), path.name).quarter
        # A workbook whose quarter cannot be read goes last, where ingesting it says why.
        return (quarter.index if quarter else 1 << 30, path.name)

    return sorted(paths, key=order)


def start_quarter(contract: SampleContract = CONTRACT) -> Quarter:
    """The quarter a sample contract started in (ASC0013 unless told): its targets apply from it."""
    return Quarter.containing(contract["start_date"])


# --- each record, created once -------------------------------------------------------------


def _contract(engine: Engine, sample: SampleReturns, catalogue: Catalogue, actor) -> None:
    with sessions(engine)() as session:
        held = session.scalar(select(Contract.id).where(Contract.reference == sample.reference))
    if held is not None:
        return
    services = sample.services or {s.name: s.description for s in catalogue.services}
    add_contract(engine, **sample.contract, services=services, actor=actor)


def _quality_visits(engine: Engine, sample: SampleReturns, created_by: str) -> None:
    with sessions(engine).begin() as session:
        contract = get_contract(session, sample.reference)
        for visit in sample.quality_visits:
            service = get_service(session, contract, visit["service"])
            exists = session.scalars(
                select(QualityVisit.id).where(QualityVisit.service_id == service.id,
                                              QualityVisit.visit_date == visit["visit_date"])).first()
            if exists is None:
                session.add(QualityVisit(
                    service_id=service.id, visit_date=visit["visit_date"], score=visit["score"],
                    score_after=visit["score_after"], summary=visit["summary"],
                    created_by=created_by))
