"""Who may check and send a return, enforced in ``data_ingest.store`` itself (SQLite and PostgreSQL).

A provider's staff send their own organisation's returns only: a workbook whose Cover names
another provider's contract is rejected with ``NOT-YOUR-CONTRACT`` on the Cover's reference
cell, compared with nothing of that contract, and nothing is stored. A viewer (or someone
with no role) cannot check or send at all. The submission names the person who sent it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

import settings
from data_ingest.store import check_file, ingest_file
from models.contract_types import get_type
from records.uploads import check_uploads, store_uploads
from sample_data import load as sample_loader
from sample_data.contract import WORKBOOKS_DIR
from sample_data.make_sample import SAMPLES
from users import NotAllowed, actor_for, grant, local_actor

SETUP = local_actor("setup", via="command line")
OWN = "ASC0013_2014-15_Q2.xlsx"      # MK ACT's first return
OTHER = "ASC0042_2014-15_Q3.xlsx"    # Compass Recovery's first return


def workbook(name: str) -> bytes:
    return (settings.SAMPLE_DIR / WORKBOOKS_DIR / name).read_bytes()


@pytest.fixture
def db(engine):
    """Both sample contracts, no return yet, and a person of each kind."""
    for sample in SAMPLES:
        sample_loader._contract(engine, sample, get_type(sample.contract["contract_type"]), SETUP)
    grant(engine, "staff@mkact.example", "provider", SETUP, provider="MK ACT")
    grant(engine, "staff@compass.example", "provider", SETUP, provider="Compass Recovery (illustrative)")
    grant(engine, "assigned@council.example", "officer", SETUP, contracts=["ASC0042"])
    grant(engine, "viewer@council.example", "viewer", SETUP)
    return engine


def stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT c.reference, s.version, s.uploaded_by FROM submission s "
            "JOIN contract c ON c.id = s.contract_id ORDER BY s.id"))]


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                     for t in ("submission", "measure_value", "commentary"))


def test_a_provider_sends_their_own_return_and_is_named(db):
    staff = actor_for(db, "Staff@MKACT.example")
    result = ingest_file(db, workbook(OWN), OWN, staff)
    assert result.status == "stored", result.errors
    assert stored(db) == [("ASC0013", 1, "staff@mkact.example")]


def test_another_providers_return_is_refused_and_nothing_stored(db):
    staff = actor_for(db, "staff@mkact.example")
    checked = check_file(db, workbook(OTHER), OTHER, staff)
    result = ingest_file(db, workbook(OTHER), OTHER, staff)
    for outcome in (checked, result):
        assert outcome.status == "rejected"
        assert [e.rule for e in outcome.errors] == ["NOT-YOUR-CONTRACT"]
        error = outcome.errors[0]
        assert error.location.startswith("Cover!B")
        assert "ASC0042" in error.message and "not one of your organisation's contracts" in error.message
        assert "template" in error.advice
        assert outcome.warnings == [] and outcome.differences == []
    assert counts(db) == (0, 0, 0)
    # The owner's staff send it.
    assert ingest_file(db, workbook(OTHER), OTHER, actor_for(db, "staff@compass.example")).status == "stored"
    assert stored(db) == [("ASC0042", 1, "staff@compass.example")]


def test_a_resent_quarter_of_another_provider_is_not_compared_with_theirs(db):
    owner = actor_for(db, "staff@compass.example")
    assert ingest_file(db, workbook(OTHER), OTHER, owner).status == "stored"
    before = counts(db)
    result = check_file(db, workbook(OTHER), OTHER, actor_for(db, "staff@mkact.example"))
    assert result.status == "rejected" and result.superseded_version is None and result.version is None
    assert ingest_file(db, workbook(OTHER), OTHER, actor_for(db, "staff@mkact.example")).status == "rejected"
    assert counts(db) == before


def test_an_officer_sends_only_the_contracts_assigned(db):
    officer = actor_for(db, "assigned@council.example")
    result = ingest_file(db, workbook(OWN), OWN, officer)
    assert [e.rule for e in result.errors] == ["NOT-YOUR-CONTRACT"]
    assert "not one of the contracts you monitor" in result.errors[0].message
    assert counts(db) == (0, 0, 0)
    assert ingest_file(db, workbook(OTHER), OTHER, officer).status == "stored"
    assert stored(db) == [("ASC0042", 1, "assigned@council.example")]


@pytest.mark.parametrize("email", ["viewer@council.example", "stranger@example.org"])
def test_a_viewer_or_someone_without_a_role_cannot_check_or_send(db, email):
    person = actor_for(db, email)
    with pytest.raises(NotAllowed, match="may not check or send returns"):
        check_file(db, workbook(OWN), OWN, person)
    with pytest.raises(NotAllowed):
        ingest_file(db, workbook(OWN), OWN, person)
    with pytest.raises(NotAllowed):
        store_uploads(db, [(OWN, workbook(OWN))], person)
    assert counts(db) == (0, 0, 0)


def test_the_upload_page_functions_apply_the_same_rule(db):
    staff = actor_for(db, "staff@mkact.example")
    files = [(OWN, workbook(OWN)), (OTHER, workbook(OTHER))]
    checked = check_uploads(db, files, staff)
    assert [r.status for r in checked] == ["passed", "rejected"]
    results = store_uploads(db, files, staff)
    assert [r.status for r in results] == ["stored", "rejected"]
    assert stored(db) == [("ASC0013", 1, "staff@mkact.example")]


def test_the_command_line_acts_as_the_named_user_marked_as_such(db, monkeypatch, tmp_path, capsys):
    from data_ingest.cli import main

    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    path = tmp_path / OWN
    path.write_bytes(workbook(OWN))
    assert main(["ingest", str(path), "--user", "root"]) == 0
    assert stored(db) == [("ASC0013", 1, "root (command line)")]
