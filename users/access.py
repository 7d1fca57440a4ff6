"""Who may do what: the rules every reading and writing function applies to the acting person.

The pages only choose what to show; these rules are applied below them, in
``records/``, ``data_ingest/`` and ``reports/``, so that a page reached by URL,
a crafted request or the command line cannot get round them. A refusal raises
:class:`NotAllowed` with a message that says what was refused and whom to ask.

Roles (kept in the product's database, not in the identity token):

- ``admin``: people, contracts and contract types; and everything an officer does.
- ``officer``: a council contract monitor: uploads on a provider's behalf, targets,
  quality visits, actions, meetings and escalation, for the contracts assigned
  (or every contract when ``all_contracts``).
- ``viewer``: managers and members: reads everything the council holds, changes nothing.
- ``provider``: staff of one provider: the template, uploads, and the returns, figures
  and history of their own organisation's contracts; council-internal records only
  when marked as shared with the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    VIEWER = "viewer"
    PROVIDER = "provider"


COUNCIL_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.VIEWER})

#: Where a refused person is sent.
ASK = "Ask the council's contract monitoring administrator."


class NotAllowed(PermissionError):
    """The acting person's role does not allow this; the message says what and whom to ask."""


@dataclass(frozen=True)
class Actor:
    """The person acting, as the rules see them.

    ``email`` is what every change is recorded against: the signed-in e-mail, or for the
    command line and the local single-user mode the operating-system user marked as such.
    """

    email: str
    role: Role | None
    provider_id: int | None = None
    provider_name: str | None = None
    all_contracts: bool = True
    contract_ids: frozenset[int] = field(default_factory=frozenset)
    #: ``sign-in``, ``command line`` or ``local`` (sign-in not configured).
    via: str = "sign-in"

    @property
    def recorded_as(self) -> str:
        """The name stored with a change: the e-mail, or the OS user marked with how they acted."""
        return self.email if self.via == "sign-in" else f"{self.email} ({self.via})"

    @property
    def is_council(self) -> bool:
        return self.role in COUNCIL_ROLES

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER


def local_actor(name: str, via: str = "local") -> Actor:
    """The single user of an install without sign-in, or the command line: acts as an admin."""
    return Actor(email=name, role=Role.ADMIN, via=via)


def _describe(actor: Actor) -> str:
    return f"{actor.recorded_as} ({actor.role or 'no role'})"


def covers(actor: Actor, contract) -> bool:
    """Whether the contract (``id``, ``provider_id``) is one the person's role reaches at all."""
    if actor.role in (Role.ADMIN, Role.VIEWER):
        return True
    if actor.role == Role.OFFICER:
        return actor.all_contracts or contract.id in actor.contract_ids
    if actor.role == Role.PROVIDER:
        return actor.provider_id is not None and contract.provider_id == actor.provider_id
    return False


def can_read(actor: Actor, contract) -> bool:
    """Returns, figures and history of a contract. Council roles read every contract."""
    return actor.role in COUNCIL_ROLES or covers(actor, contract)


def require_read(actor: Actor, contract) -> None:
    if not can_read(actor, contract):
        raise NotAllowed(f"{_describe(actor)} may not see contract {contract.reference}. {ASK}")


def can_read_internal(actor: Actor) -> bool:
    """Council-internal records (escalation notes, action logs, meeting notes) not marked shared."""
    return actor.role in COUNCIL_ROLES


def can_upload(actor: Actor, contract) -> bool:
    return actor.role in (Role.ADMIN, Role.OFFICER, Role.PROVIDER) and covers(actor, contract)


def require_upload(actor: Actor, contract) -> None:
    if not can_upload(actor, contract):
        if actor.role == Role.PROVIDER:
            raise NotAllowed(f"Contract {contract.reference} is not one of your organisation's contracts, "
                             "so its return cannot be sent from your account. Check the contract reference "
                             "on the Cover sheet, or download your own contract's template.")
        raise NotAllowed(f"{_describe(actor)} may not send returns for contract {contract.reference}. {ASK}")


def can_edit(actor: Actor, contract) -> bool:
    """Targets, quality visits, actions, meetings and escalation of a contract."""
    return actor.role in (Role.ADMIN, Role.OFFICER) and covers(actor, contract)


def require_edit(actor: Actor, contract) -> None:
    if not can_edit(actor, contract):
        raise NotAllowed(f"{_describe(actor)} may not change the records of contract "
                         f"{contract.reference}. {ASK}")


def can_administer(actor: Actor) -> bool:
    """People, contracts and contract types."""
    return actor.role == Role.ADMIN


def require_admin(actor: Actor, what: str) -> None:
    if not can_administer(actor):
        raise NotAllowed(f"{_describe(actor)} may not {what}: only an administrator may. {ASK}")


def sees_all_figures(actor: Actor) -> bool:
    """Council roles may have the unsuppressed meeting pack; a provider always gets the suppressed one."""
    return actor.role in COUNCIL_ROLES
