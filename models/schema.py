"""The database schema: typed SQLAlchemy 2 models.

Every change a user makes is recorded with who made it and when
(:class:`Recorded`). Nothing is ever overwritten: a resubmitted quarter is a
new :class:`Submission` version, a changed target a new :class:`Target` row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.states import ActionStatus, Direction, EscalationStage, sql_list

# Stable constraint names so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Recorded:
    """Who made a change and when."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class Provider(Base, Recorded):
    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    contracts: Mapped[list[Contract]] = relationship(back_populates="provider")


class Contract(Base, Recorded):
    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    commissioner: Mapped[str] = mapped_column(String(200), default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    start_date: Mapped[date] = mapped_column(Date)
    initial_end_date: Mapped[date] = mapped_column(Date)
    extended_end_date: Mapped[date | None] = mapped_column(Date)
    annual_value: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    #: The contract type's name (its file in ``contract_types/``), which says how its returns read.
    contract_type: Mapped[str] = mapped_column(String(50), server_default="domestic-abuse")
    #: The type's contract parameters, by key (``{"refuge_capacity": 28}``).
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Set when the contract was ended early; its term then ends that day.
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: The quarterly return is due this many working days after the quarter ends.
    return_due_working_days: Mapped[int] = mapped_column(Integer, server_default="20", default=20)

    provider: Mapped[Provider] = relationship(back_populates="contracts")
    services: Mapped[list[Service]] = relationship(back_populates="contract", order_by="Service.id")

    @property
    def end_date(self) -> date:
        """The end of the term in force: the day it was ended, else the extended end, else the initial end."""
        return self.ended_on or self.extended_end_date or self.initial_end_date


class Service(Base, Recorded):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("contract_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(back_populates="services")


class Submission(Base):
    """One version of one quarter's workbook for one contract."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("contract_id", "year", "quarter", "version"),
        Index("ix_submission_current", "contract_id", "is_current"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    #: Calendar year the financial year starts in (2016 for 2016/17).
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    #: False once a later version of the same quarter supersedes it.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The original workbook, byte for byte; loaded only when asked for.
    original: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The warnings raised when it was checked: a list of {"cell", "code", "message"}.
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    completed_by: Mapped[str] = mapped_column(String(200), default="")
    date_completed: Mapped[str] = mapped_column(String(50), default="")
    template_version: Mapped[str] = mapped_column(String(20), default="")

    contract: Mapped[Contract] = relationship()
    values: Mapped[list[MeasureValue]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="MeasureValue.id")
    commentary: Mapped[list[Commentary]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Commentary.id")


class MeasureValue(Base):
    __tablename__ = "measure_value"
    __table_args__ = (UniqueConstraint("submission_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    #: NULL when the provider left it blank: not reported, never zero.
    value: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    #: Where it came from, for example ``Refuge!C14``.
    cell: Mapped[str] = mapped_column(String(60), default="")

    submission: Mapped[Submission] = relationship(back_populates="values")


class Commentary(Base):
    __tablename__ = "commentary"
    __table_args__ = (UniqueConstraint("submission_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    #: ``One Stop``, ``Refuge``, ``Fresh Start`` or ``General``.
    topic: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text, default="")
    cell: Mapped[str] = mapped_column(String(60), default="")

    submission: Mapped[Submission] = relationship(back_populates="commentary")


class Target(Base, Recorded):
    """A target for one indicator of one contract, in force from a quarter on.

    A change is a new row; the newest row for a quarter wins, older rows stay as history.
    """

    __tablename__ = "target"
    __table_args__ = (
        Index("ix_target_contract_indicator", "contract_id", "indicator"),
        CheckConstraint(f"direction IN {sql_list(Direction)}", name="direction"),
        CheckConstraint("effective_quarter BETWEEN 1 AND 4", name="effective_quarter"),
        CheckConstraint("tolerance >= 0", name="tolerance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    indicator: Mapped[str] = mapped_column(String(20))
    #: Percentages as fractions of 1, like the indicators.
    value: Mapped[float] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    #: ``higher`` or ``lower`` is better.
    direction: Mapped[str] = mapped_column(String(10))
    effective_year: Mapped[int] = mapped_column(Integer)
    effective_quarter: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class QualityVisit(Base, Recorded):
    __tablename__ = "quality_visit"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score"),
        CheckConstraint("score_after IS NULL OR (score_after >= 0 AND score_after <= 1)", name="score_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    #: Scores as fractions of 1: before and after the action plan.
    score: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text, default="")

    service: Mapped[Service] = relationship()


class Meeting(Base, Recorded):
    """A quarterly contract monitoring meeting and its notes."""

    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    meeting_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Council-internal unless marked as shared with the provider.
    shared_with_provider: Mapped[bool] = mapped_column(Boolean, server_default=sa_false(), default=False)


class Action(Base, Recorded):
    __tablename__ = "action"
    __table_args__ = (CheckConstraint(f"status IN {sql_list(ActionStatus)}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    #: ``open``, ``in progress``, ``done`` or ``dropped``.
    status: Mapped[str] = mapped_column(String(20), default="open")
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    indicator: Mapped[str | None] = mapped_column(String(20))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    quality_visit_id: Mapped[int | None] = mapped_column(ForeignKey("quality_visit.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    #: Council-internal unless marked as shared with the provider.
    shared_with_provider: Mapped[bool] = mapped_column(Boolean, server_default=sa_false(), default=False)

    service: Mapped[Service | None] = relationship()


class EscalationChange(Base, Recorded):
    """A change of the contract's escalation stage, with its dated note."""

    __tablename__ = "escalation_change"
    __table_args__ = (CheckConstraint(f"stage IN {sql_list(EscalationStage)}", name="stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    stage: Mapped[str] = mapped_column(String(50))
    changed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Council-internal unless marked as shared with the provider.
    shared_with_provider: Mapped[bool] = mapped_column(Boolean, server_default=sa_false(), default=False)


class RecordChange(Base):
    """One field of a stored record changed by a user: what it was, what it became, who, when.

    Records that are edited in place (an action's status, a meeting's notes, a
    quality visit's scores) keep their history here, so nothing typed is lost.
    """

    __tablename__ = "record_change"
    __table_args__ = (Index("ix_record_change_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The table of the changed record, for example ``action``.
    table_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(50))
    #: Both values as text (ISO dates, plain numbers); NULL for an empty value.
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200), default="")


class User(Base, Recorded):
    """A person who may sign in, known by the e-mail claim of the identity token (lower case).

    Roles live here, not in the token: ``admin``, ``officer``, ``viewer`` or
    ``provider`` (staff of one provider organisation, ``provider_id``). An
    officer covers every contract when ``all_contracts`` is set, else the
    contracts assigned (:class:`OfficerAssignment`).
    """

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('admin', 'officer', 'viewer', 'provider')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    all_contracts: Mapped[bool] = mapped_column(Boolean, default=True)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    provider: Mapped[Provider | None] = relationship()


class OfficerAssignment(Base, Recorded):
    """A contract an officer who does not cover every contract monitors."""

    __tablename__ = "officer_assignment"
    __table_args__ = (UniqueConstraint("user_id", "contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))


class SignIn(Base):
    """One sign-in, for the record of who used the product when."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    signed_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Alert(Base):
    """One alert for one person: recorded before it is sent (an outbox), marked when sent and read.

    ``key`` names the occasion (kind, contract, quarter or record, and the week for a
    repeated reminder) so that the same alert is never raised twice for one person.
    """

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("key", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(320), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertPreference(Base):
    """A kind of alert a person has turned off for themselves."""

    __tablename__ = "alert_preference"
    __table_args__ = (UniqueConstraint("email", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(30))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
