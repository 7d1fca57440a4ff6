"""Finding a contract and its services by the names users know them by."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.database import sessions
from models.schema import Contract, Provider, Service


class NotFound(LookupError):
    """A contract, service or record that is not held; the message says which."""


def get_contract(session: Session, reference: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.reference == reference))
    if contract is None:
        raise NotFound(f"No contract {reference!r} is held.")
    return contract


def get_service(session: Session, contract: Contract, name: str) -> Service:
    service = session.scalar(select(Service).where(Service.contract_id == contract.id,
                                                   Service.name == name))
    if service is None:
        raise NotFound(f"Contract {contract.reference} has no service {name!r}.")
    return service


def contract_references(engine: Engine) -> list[str]:
    with sessions(engine)() as session:
        return list(session.scalars(select(Contract.reference).order_by(Contract.reference)))


def service_names(engine: Engine, reference: str) -> list[str]:
    """The contract's services in the order they were set up."""
    with sessions(engine)() as session:
        contract = get_contract(session, reference)
        return list(session.scalars(
            select(Service.name).where(Service.contract_id == contract.id).order_by(Service.id)))


def add_contract(engine: Engine, *, reference: str, title: str, provider: str, start_date,
                 initial_end_date, annual_value: float, commissioner: str = "",
                 extended_end_date=None, contract_type: str = "domestic-abuse",
                 parameters: dict | None = None,
                 services: dict[str, str] | None = None, created_by: str = "") -> int:
    """Set up a contract (and its provider, if new) with its services ``{name: description}``."""
    with sessions(engine).begin() as session:
        provider_row = session.scalar(select(Provider).where(Provider.name == provider))
        if provider_row is None:
            provider_row = Provider(name=provider, created_by=created_by)
            session.add(provider_row)
        contract = Contract(reference=reference, title=title, commissioner=commissioner,
                            provider=provider_row, start_date=start_date,
                            initial_end_date=initial_end_date, extended_end_date=extended_end_date,
                            annual_value=annual_value, contract_type=contract_type,
                            parameters=dict(parameters or {}),
                            created_by=created_by)
        contract.services = [Service(name=name, description=description, created_by=created_by)
                             for name, description in (services or {}).items()]
        session.add(contract)
        session.flush()
        return contract.id


def contract_quarters(engine: Engine, reference: str) -> list:
    """Every quarter of the contract's term (the extended end when there is one), oldest first."""
    from models.periods import Quarter

    with sessions(engine)() as session:
        contract = get_contract(session, reference)
        first, last = Quarter.containing(contract.start_date), Quarter.containing(contract.end_date)
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]


def catalogue_for(db, reference: str):
    """The catalogue of a contract's type (``models.catalogue.Catalogue``); ``db`` is an engine or session.

    Raises :class:`NotFound` for a contract not held and
    ``models.contract_types.ContractTypeError`` for a type whose file is missing or faulty.
    """
    from models.contract_types import get_type

    if isinstance(db, Session):
        contract = get_contract(db, reference)
        return get_type(contract.contract_type)
    with sessions(db)() as session:
        return get_type(get_contract(session, reference).contract_type)
