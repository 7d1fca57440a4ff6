"""What the provider said about a quarter: the commentary and the warnings of its current submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Commentary, Contract, Submission
from records.contracts import NotFound, catalogue_for, contract_for
from users.access import Actor


@dataclass
class QuarterReturn:
    """The current submission of one contract's quarter, as the pages show it."""

    version: int
    file_name: str
    uploaded_at: datetime | None
    uploaded_by: str
    completed_by: str
    date_completed: str
    #: Topic (a service, or ``General``: the type's commentary topics) -> text, in the
    #: Commentary sheet's order; topics left blank are left out.
    commentary: dict[str, str] = field(default_factory=dict)
    #: Warnings raised when it was checked: dicts with ``cell``, ``code``/``rule``, ``message``.
    warnings: list[dict] = field(default_factory=list)


def quarter_return(engine: Engine, contract: str, quarter: Quarter, actor: Actor) -> QuarterReturn | None:
    """The current submission of ``contract`` for ``quarter``; None when the quarter is not held.

    ``users.NotAllowed`` unless the person may read the contract (None for a contract not held)."""
    with sessions(engine)() as session:
        try:
            contract_for(session, contract, actor)
        except NotFound:
            return None
        submission = session.scalar(
            select(Submission).join(Contract, Submission.contract_id == Contract.id)
            .where(Contract.reference == contract, Submission.year == quarter.year,
                   Submission.quarter == quarter.quarter, Submission.is_current.is_(True)))
        if submission is None:
            return None
        texts = session.execute(
            select(Commentary.topic, Commentary.text).where(Commentary.submission_id == submission.id)
        ).all()
        order = {topic: i for i, topic in enumerate(catalogue_for(session, contract).commentary_topics)}
        commentary = {topic: text.strip() for topic, text in
                      sorted(texts, key=lambda row: order.get(row[0], len(order)))
                      if text and text.strip()}
        return QuarterReturn(
            version=submission.version, file_name=submission.file_name,
            uploaded_at=submission.uploaded_at, uploaded_by=submission.uploaded_by or "",
            completed_by=submission.completed_by or "", date_completed=submission.date_completed or "",
            commentary=commentary, warnings=list(submission.warnings or []))


def provider_commentary(engine: Engine, contract: str, quarter: Quarter, actor: Actor) -> dict[str, str]:
    """Topic -> the provider's commentary for the quarter (empty when none or not held)."""
    held = quarter_return(engine, contract, quarter, actor)
    return held.commentary if held else {}
