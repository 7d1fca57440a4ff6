"""People and roles: granting, changing and withdrawing, the command line, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.database import sessions
from models.schema import Contract, RecordChange
from records.contracts import add_contract
from users import NotAllowed, Role, UserError, access, actor_for, grant, local_actor, people, record_sign_in, withdraw
from users.__main__ import main

ADMIN = local_actor("setup", via="command line")


def _contract(engine, reference: str, provider: str) -> None:
    add_contract(engine, reference=reference, title=f"{reference} services", provider=provider,
                 start_date=date(2020, 4, 1), initial_end_date=date(2025, 3, 31), annual_value=100_000,
                 actor=ADMIN)


@pytest.fixture
def two_providers(engine):
    _contract(engine, "AAA001", "Provider A")
    _contract(engine, "BBB002", "Provider B")
    return engine


def _row(engine, reference: str) -> Contract:
    with sessions(engine)() as session:
        return session.scalar(select(Contract).where(Contract.reference == reference))


def test_an_email_is_matched_whatever_its_case(two_providers):
    grant(two_providers, "Jo.Smith@Council.gov.uk", "officer", ADMIN)
    actor = actor_for(two_providers, "jo.smith@council.GOV.uk")
    assert actor.role == Role.OFFICER
    assert actor.email == "jo.smith@council.gov.uk"


def test_a_person_without_a_role_has_none(two_providers):
    assert actor_for(two_providers, "stranger@example.org").role is None


def test_grants_changes_and_withdrawals_are_recorded_with_who(two_providers):
    grant(two_providers, "pat@provider-a.org", "provider", ADMIN, provider="Provider A")
    grant(two_providers, "pat@provider-a.org", "viewer", ADMIN)
    assert withdraw(two_providers, "pat@provider-a.org", ADMIN)
    with sessions(two_providers)() as session:
        log = session.scalars(select(RecordChange).where(RecordChange.table_name == "app_user")
                              .order_by(RecordChange.id)).all()
    roles = [(c.old_value, c.new_value) for c in log if c.field == "role"]
    assert roles == [(None, "provider"), ("provider", "viewer"), ("viewer", None)]
    assert {c.changed_by for c in log} == {"setup (command line)"}
    assert people(two_providers).empty


def test_only_an_admin_may_grant(two_providers):
    grant(two_providers, "viewer@council.gov.uk", "viewer", ADMIN)
    viewer = actor_for(two_providers, "viewer@council.gov.uk")
    with pytest.raises(NotAllowed, match="only an administrator"):
        grant(two_providers, "viewer@council.gov.uk", "admin", viewer)
    assert actor_for(two_providers, "viewer@council.gov.uk").role == Role.VIEWER


@pytest.mark.parametrize("email, role, provider, message", [
    ("not-an-email", "viewer", None, "not an e-mail address"),
    ("a@b.org", "superuser", None, "not a role"),
    ("a@b.org", "provider", None, "needs --provider"),
    ("a@b.org", "provider", "Nobody Ltd", "no provider called"),
    ("a@b.org", "officer", "Provider A", "Only a provider user belongs to a provider"),
])
def test_a_grant_that_cannot_be_made_says_why(two_providers, email, role, provider, message):
    with pytest.raises(UserError, match=message):
        grant(two_providers, email, role, ADMIN, provider=provider)
    assert people(two_providers).empty


def test_the_last_admin_cannot_withdraw_themselves(two_providers):
    grant(two_providers, "boss@council.gov.uk", "admin", ADMIN)
    boss = actor_for(two_providers, "boss@council.gov.uk")
    with pytest.raises(UserError, match="only administrator"):
        withdraw(two_providers, "boss@council.gov.uk", boss)


def test_a_sign_in_is_recorded_and_shown(two_providers):
    grant(two_providers, "jo@council.gov.uk", "viewer", ADMIN)
    record_sign_in(two_providers, "JO@council.gov.uk")
    assert people(two_providers).loc[0, "last_signed_in_at"] is not None


def test_who_may_do_what_to_which_contract(two_providers):
    a, b = _row(two_providers, "AAA001"), _row(two_providers, "BBB002")
    grant(two_providers, "pat@provider-a.org", "provider", ADMIN, provider="Provider A")
    grant(two_providers, "kim@council.gov.uk", "officer", ADMIN, contracts=["AAA001"])
    grant(two_providers, "val@council.gov.uk", "viewer", ADMIN)
    provider = actor_for(two_providers, "pat@provider-a.org")
    officer = actor_for(two_providers, "kim@council.gov.uk")
    viewer = actor_for(two_providers, "val@council.gov.uk")
    nobody = actor_for(two_providers, "nobody@example.org")

    assert access.can_read(provider, a) and not access.can_read(provider, b)
    assert access.can_upload(provider, a) and not access.can_upload(provider, b)
    assert not access.can_edit(provider, a) and not access.can_read_internal(provider)
    assert access.can_edit(officer, a) and not access.can_edit(officer, b)
    assert access.can_read(officer, b)          # council staff read every contract
    assert access.can_read(viewer, b) and not access.can_edit(viewer, a) and not access.can_upload(viewer, a)
    assert not any(f(nobody, a) for f in (access.can_read, access.can_upload, access.can_edit))
    assert access.sees_all_figures(viewer) and not access.sees_all_figures(provider)
    with pytest.raises(NotAllowed, match="not one of your organisation's contracts"):
        access.require_upload(provider, b)


def test_the_command_line_adds_lists_and_removes(two_providers, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(two_providers.url.render_as_string(hide_password=False)))
    assert main(["add", "First.Admin@Council.gov.uk", "--role", "admin"]) == 0
    assert main(["add", "pat@provider-a.org", "--role", "provider", "--provider", "Provider A"]) == 0
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "first.admin@council.gov.uk\tadmin" in listed
    assert "pat@provider-a.org\tprovider\tProvider A" in listed
    assert main(["add", "x@y.org", "--role", "provider"]) == 1
    assert "needs --provider" in capsys.readouterr().err
    assert main(["remove", "pat@provider-a.org"]) == 0
    assert main(["remove", "pat@provider-a.org"]) == 1
    assert main(["add", "x@y.org", "--role", "emperor"]) == 2
    with sessions(two_providers)() as session:
        granted_by = session.scalars(select(RecordChange.changed_by)
                                     .where(RecordChange.table_name == "app_user")).all()
    assert granted_by and all(name.endswith("(command line)") for name in granted_by)
