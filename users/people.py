"""People who may sign in: grant, change and withdraw roles; record sign-ins.

A person is known by the e-mail claim of the identity token, matched without
regard to case (stored in lower case). Every grant, change and withdrawal is
recorded with who made it and when (``record_change``); only an administrator
may make them (``users.access.require_admin``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from models.database import sessions
from models.schema import Contract, OfficerAssignment, Provider, RecordChange, SignIn, User, utcnow

from .access import Actor, Role, require_admin

USER_COLUMNS = ["email", "name", "role", "provider", "contracts", "last_signed_in_at", "created_at",
                "created_by"]


class UserError(ValueError):
    """A grant that cannot be made as asked; the message says why and what to do."""


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email or len(email) > 320:
        raise UserError(f"{email!r} is not an e-mail address. Give the address the person signs in with.")
    return email


def _role(role: str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise UserError(f"{role!r} is not a role; the roles are {', '.join(r.value for r in Role)}.") from None


def _log(session: Session, user: User, field: str, old, new, by: Actor) -> None:
    session.add(RecordChange(table_name=User.__tablename__, record_id=user.id, field=field,
                             old_value=None if old is None else str(old),
                             new_value=None if new is None else str(new), changed_at=utcnow(),
                             changed_by=by.recorded_as))


def _provider(session: Session, name: str | None, role: Role) -> Provider | None:
    if role != Role.PROVIDER:
        if name:
            raise UserError("Only a provider user belongs to a provider; leave the provider out for "
                            f"the {role.value} role.")
        return None
    if not name:
        raise UserError("A provider user needs --provider: the organisation whose contracts they may see.")
    provider = session.scalar(select(Provider).where(Provider.name == name))
    if provider is None:
        known = ", ".join(session.scalars(select(Provider.name).order_by(Provider.name))) or "none yet"
        raise UserError(f"There is no provider called {name!r}; the providers are: {known}.")
    return provider


def _contracts(session: Session, references: Iterable[str]) -> list[Contract]:
    found = []
    for reference in references:
        contract = session.scalar(select(Contract).where(Contract.reference == reference))
        if contract is None:
            raise UserError(f"There is no contract {reference!r}.")
        found.append(contract)
    return found


def grant(engine: Engine, email: str, role: str, by: Actor, *, provider: str | None = None,
          contracts: Iterable[str] | None = None, name: str = "") -> None:
    """Give a person a role (adding them, or changing the role they have).

    ``contracts``: for an officer, the contracts they monitor; None or empty means every contract.
    """
    require_admin(by, "grant or change roles")
    email, role_ = normalise_email(email), _role(role)
    references = list(contracts or [])
    if references and role_ != Role.OFFICER:
        raise UserError("Only an officer is assigned contracts; the other roles reach contracts by role.")
    with sessions(engine).begin() as session:
        provider_row = _provider(session, provider, role_)
        assigned = _contracts(session, references)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role_.value, created_by=by.recorded_as)
            session.add(user)
            session.flush()
            _log(session, user, "role", None, role_.value, by)
        elif user.role != role_.value:
            _log(session, user, "role", user.role, role_.value, by)
            user.role = role_.value
        old_provider = user.provider.name if user.provider else None
        if old_provider != (provider_row.name if provider_row else None):
            _log(session, user, "provider", old_provider, provider_row.name if provider_row else None, by)
        user.provider = provider_row
        user.all_contracts = not assigned
        old = {a.contract_id for a in session.scalars(
            select(OfficerAssignment).where(OfficerAssignment.user_id == user.id))}
        new = {c.id for c in assigned}
        if old != new:
            _log(session, user, "contracts", _references(session, old), _references(session, new), by)
            session.execute(delete(OfficerAssignment).where(OfficerAssignment.user_id == user.id))
            for contract in assigned:
                session.add(OfficerAssignment(user_id=user.id, contract_id=contract.id,
                                              created_by=by.recorded_as))
        if name and user.name != name:
            user.name = name


def _references(session: Session, ids: set[int]) -> str | None:
    if not ids:
        return "all"
    return ", ".join(session.scalars(select(Contract.reference).where(Contract.id.in_(ids))
                                     .order_by(Contract.reference)))


def withdraw(engine: Engine, email: str, by: Actor) -> bool:
    """Take a person's role away (they can no longer sign in to anything); False if not held."""
    require_admin(by, "withdraw roles")
    email = normalise_email(email)
    with sessions(engine).begin() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            return False
        if user.role == Role.ADMIN and by.email.lower() == email:
            others = session.scalar(select(User.id).where(User.role == Role.ADMIN.value, User.id != user.id))
            if others is None:
                raise UserError("You are the only administrator: grant the role to someone else first.")
        _log(session, user, "role", user.role, None, by)
        session.execute(delete(OfficerAssignment).where(OfficerAssignment.user_id == user.id))
        session.delete(user)
    return True


def people(engine: Engine) -> pd.DataFrame:
    """Everyone with a role, their organisation and contracts and when they last signed in."""
    with sessions(engine)() as session:
        rows = []
        for user in session.scalars(select(User).order_by(User.role, User.email)):
            assigned = session.scalars(
                select(Contract.reference).join(OfficerAssignment, OfficerAssignment.contract_id == Contract.id)
                .where(OfficerAssignment.user_id == user.id).order_by(Contract.reference)).all()
            contracts = ", ".join(assigned) if assigned else (
                "all" if user.role in (Role.ADMIN, Role.OFFICER, Role.VIEWER) else "their organisation's")
            rows.append({"email": user.email, "name": user.name, "role": user.role,
                         "provider": user.provider.name if user.provider else "",
                         "contracts": contracts, "last_signed_in_at": user.last_signed_in_at,
                         "created_at": user.created_at, "created_by": user.created_by})
    return pd.DataFrame(rows, columns=USER_COLUMNS)


def actor_for(engine: Engine, email: str | None) -> Actor:
    """The person signed in with this e-mail as the rules see them; no role when not granted one."""
    try:
        email = normalise_email(email or "")
    except UserError:
        return Actor(email=str(email or ""), role=None)
    with sessions(engine)() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            return Actor(email=email, role=None)
        assigned = frozenset(session.scalars(
            select(OfficerAssignment.contract_id).where(OfficerAssignment.user_id == user.id)))
        return Actor(email=email, role=Role(user.role), provider_id=user.provider_id,
                     provider_name=user.provider.name if user.provider else None,
                     all_contracts=user.all_contracts or not assigned, contract_ids=assigned)


def record_sign_in(engine: Engine, email: str, when: datetime | None = None) -> None:
    """Note that a person signed in (kept whether or not they have a role)."""
    email = (email or "").strip().lower()
    when = when or utcnow()
    with sessions(engine).begin() as session:
        session.add(SignIn(email=email, signed_in_at=when))
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            user.last_signed_in_at = when


def administrators(engine: Engine) -> list[str]:
    """The administrators' e-mail addresses: whom a person without a role should ask."""
    with sessions(engine)() as session:
        return list(session.scalars(select(User.email).where(User.role == Role.ADMIN.value)
                                    .order_by(User.email)))
