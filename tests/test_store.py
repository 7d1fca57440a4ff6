"""Storing checked workbooks: versions, identical files, rejections, all or nothing."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_ingest import store
from data_ingest.store import (
    check_file,
    current_submission,
    ingest_file,
    original_workbook,
    submission_values,
)
from models.periods import Quarter
from models.schema import Base, Contract, MeasureValue, Provider, Submission
from sample_data.contract import CONTRACT
from tests.actors import ADMIN, admin
from tests.workbooks import (
    COMMENTARY_TEXT,
    DA,
    QUARTER,
    TODAY,
    VALID_VALUES,
    VERSION,
    filled,
    read,
)

MEASURES = DA.measures_in(VERSION)
MEASURES_BY_CODE = DA.measures_by_code

Q3 = QUARTER        # 2016/17 Q3; TODAY is after every quarter used here


def add_contract(engine, reference: str = "ASC0013", provider: str = "MK ACT") -> None:
    """The sample contract (under another reference when asked)."""
    with Session(engine) as session, session.begin():
        owner = session.scalars(select(Provider).where(Provider.name == provider)).first()
        owner = owner or Provider(name=provider)
        fields = {k: v for k, v in CONTRACT.items() if k != "provider"}
        session.add(Contract(**{**fields, "reference": reference}, provider=owner))


def workbook_bytes(quarter: Quarter = Q3, reference: str = "ASC0013", **changes) -> bytes:
    """The valid return with ``changes`` (code=value, None for blank)."""
    return filled({**VALID_VALUES, **changes}, quarter=quarter, reference=reference)


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, to show that nothing changed."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}


@pytest.fixture
def contract_engine(engine):
    add_contract(engine)
    return engine


def test_store_keeps_every_value_and_a_blank_stays_null(contract_engine):
    content = workbook_bytes(OS16=None, FN03=None)
    result = ingest_file(contract_engine, content, "q3.xlsx", actor=admin("jo"), today=TODAY)

    assert result.status == "stored", result.errors
    assert (result.contract, result.quarter, result.version) == ("ASC0013", Q3, 1)
    parsed = read(content, "q3.xlsx")
    with Session(contract_engine) as session:
        rows = {v.code: v for v in session.scalars(
            select(MeasureValue).where(MeasureValue.submission_id == result.submission_id))}
        submission = session.get(Submission, result.submission_id)
        commentary = {c.topic: c.text for c in submission.commentary}
        assert set(rows) == {m.code for m in MEASURES}
        for code, row in rows.items():
            expected = None if code in ("OS16", "FN03") else VALID_VALUES[code]
            assert row.value == expected, code
            assert row.cell == parsed.values[code].location
        assert rows["FN02"].value == pytest.approx(55000.50)
        assert rows["OS16"].cell.startswith("One Stop!")
        # Blank is NULL in the database itself, not zero.
        nulls = session.scalars(select(MeasureValue.code).where(
            MeasureValue.submission_id == result.submission_id, MeasureValue.value.is_(None)))
        assert sorted(nulls) == ["FN03", "OS16"]
        assert commentary == COMMENTARY_TEXT
        assert submission.is_current and submission.version == 1
        assert submission.uploaded_by == "jo"
        assert submission.file_name == "q3.xlsx"
        assert submission.sha256 == hashlib.sha256(content).hexdigest()
        assert submission.completed_by == "Jo Bloggs"
        assert submission.template_version == "1"
        assert submission.date_completed == "20/01/2017"
    assert submission_values(contract_engine, result.submission_id)["OS16"] is None


def test_original_bytes_equal_the_uploaded_file(contract_engine, tmp_path):
    path = tmp_path / "ASC0013 Q3.xlsx"
    path.write_bytes(workbook_bytes())
    result = ingest_file(contract_engine, path.read_bytes(), path.name, today=TODAY, actor=ADMIN)
    assert original_workbook(contract_engine, result.submission_id, ADMIN) == (path.name,
                                                                      path.read_bytes())


def test_warnings_are_stored_with_the_submission(contract_engine):
    # RF01 different from the contract's refuge capacity is a warning, not an error.
    result = ingest_file(contract_engine, workbook_bytes(RF01=30), "q3.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "stored" and result.warnings
    with Session(contract_engine) as session:
        stored = session.get(Submission, result.submission_id).warnings
    assert stored == [w.as_dict() for w in result.warnings]
    assert any("Refuge!" in w["location"] for w in stored)


def test_resubmission_supersedes_and_keeps_version_1(contract_engine):
    first = workbook_bytes()
    second = workbook_bytes(OS04=90, OS16=None, FN01=60100.75)
    ingest_file(contract_engine, first, "q3.xlsx", today=TODAY, actor=ADMIN)
    result = ingest_file(contract_engine, second, "q3 corrected.xlsx", today=TODAY, actor=ADMIN)

    assert result.status == "stored", result.errors
    assert (result.version, result.superseded_version) == (2, 1)
    assert [(d.code, d.label, d.old, d.new) for d in result.differences] == [
        ("OS04", MEASURES_BY_CODE["OS04"].label, 80, 90),
        ("OS16", MEASURES_BY_CODE["OS16"].label, 10, None),
        ("FN01", MEASURES_BY_CODE["FN01"].label, 60000, 60100.75),
    ]
    with Session(contract_engine) as session:
        versions = session.scalars(select(Submission).order_by(Submission.version)).all()
        assert [(s.version, s.is_current) for s in versions] == [(1, False), (2, True)]
        assert versions[0].original == first and versions[1].original == second
    current = current_submission(contract_engine, "ASC0013", Q3)
    assert current.version == 2 and current.file_name == "q3 corrected.xlsx"
    assert submission_values(contract_engine, versions[0].id)["OS04"] == 80


def test_other_quarters_are_not_superseded(contract_engine):
    ingest_file(contract_engine, workbook_bytes(Quarter(2016, 2), OS02=200), "q2.xlsx",
                today=TODAY, actor=ADMIN)
    result = ingest_file(contract_engine, workbook_bytes(), "q3.xlsx", today=TODAY, actor=ADMIN)
    assert (result.status, result.version, result.differences) == ("stored", 1, [])
    assert current_submission(contract_engine, "ASC0013", Quarter(2016, 2)).version == 1


def test_an_identical_file_changes_nothing_and_says_so(contract_engine):
    content = workbook_bytes()
    first = ingest_file(contract_engine, content, "q3.xlsx", today=TODAY, actor=ADMIN)
    before = dump(contract_engine)
    again = ingest_file(contract_engine, content, "q3 again.xlsx", actor=admin("sam"), today=TODAY)
    assert again.status == "unchanged"
    assert (again.version, again.submission_id, again.matched_quarter) == (1, first.submission_id,
                                                                         Q3)
    assert dump(contract_engine) == before


def test_sending_an_old_version_again_brings_it_back_as_a_new_version(contract_engine):
    """Identical to a superseded version (issue 12, item 11): stored as version 3, which
    restores version 1's figures; version 2 is kept in the history."""
    first = workbook_bytes()
    ingest_file(contract_engine, first, "v1.xlsx", today=TODAY, actor=ADMIN)
    ingest_file(contract_engine, workbook_bytes(OS04=90), "v2.xlsx", today=TODAY, actor=ADMIN)
    again = ingest_file(contract_engine, first, "v1 again.xlsx", today=TODAY, actor=ADMIN)
    assert (again.status, again.version, again.superseded_version, again.restores_version) == (
        "stored", 3, 2, 1)
    assert [d.code for d in again.differences] == ["OS04"]
    assert current_submission(contract_engine, "ASC0013", Q3).version == 3


def test_a_rejected_workbook_leaves_the_database_unchanged(contract_engine):
    ingest_file(contract_engine, workbook_bytes(), "q3.xlsx", today=TODAY, actor=ADMIN)
    before = dump(contract_engine)
    # More referrals responded to within 24 hours than received (80): impossible arithmetic.
    result = ingest_file(contract_engine, workbook_bytes(OS05=100), "bad.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "rejected"
    assert result.version is None and result.submission_id is None
    assert any(e.sheet == "One Stop" and e.cell for e in result.errors)
    assert dump(contract_engine) == before


def test_a_value_too_large_to_store_is_rejected_the_same_on_every_database(contract_engine):
    before = dump(contract_engine)
    result = ingest_file(contract_engine, workbook_bytes(FN01=store.VALUE_LIMIT), "x.xlsx",
                         today=TODAY, actor=ADMIN)
    assert result.status == "rejected"
    assert [(e.rule, e.sheet) for e in result.errors] == [("VALUE-TOO-LARGE", "Finance")]
    assert dump(contract_engine) == before
    # The largest value that fits is stored as it is.
    largest = store.VALUE_LIMIT - 0.01
    stored = ingest_file(contract_engine, workbook_bytes(FN01=largest), "x.xlsx", today=TODAY, actor=ADMIN)
    assert submission_values(contract_engine, stored.submission_id)["FN01"] == largest


@pytest.mark.parametrize("content, expected", [
    (b"this is not a workbook", None),
    ("unknown contract", "ASC9999"),
])
def test_unreadable_file_or_unknown_contract_is_rejected(contract_engine, content, expected):
    before = dump(contract_engine)
    if expected:
        content = workbook_bytes(reference=expected)
    result = ingest_file(contract_engine, content, "x.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "rejected" and result.errors
    assert result.contract == expected
    assert all(str(e) for e in result.errors)
    assert dump(contract_engine) == before


def test_check_file_writes_nothing_and_previews_the_changes(contract_engine):
    ingest_file(contract_engine, workbook_bytes(), "q3.xlsx", today=TODAY, actor=ADMIN)
    before = dump(contract_engine)
    result = check_file(contract_engine, workbook_bytes(OS04=90), "q3.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "passed"
    assert result.values["OS04"] == 90 and result.superseded_version == 1
    assert [d.code for d in result.differences] == ["OS04"]
    assert check_file(contract_engine, workbook_bytes(OS05=100), "bad.xlsx",
                      today=TODAY, actor=ADMIN).status == "rejected"
    assert dump(contract_engine) == before


def test_an_error_while_storing_rolls_everything_back(contract_engine, monkeypatch):
    ingest_file(contract_engine, workbook_bytes(), "q3.xlsx", today=TODAY, actor=ADMIN)
    before = dump(contract_engine)

    def broken(value):
        raise RuntimeError("disk full")

    # Fails after the previous version was marked superseded, before the new one is complete.
    monkeypatch.setattr(store, "_fit", lambda text, column: broken(text))
    with pytest.raises(RuntimeError):
        ingest_file(contract_engine, workbook_bytes(OS04=90), "q3 v2.xlsx", today=TODAY, actor=ADMIN)
    assert dump(contract_engine) == before


@pytest.mark.parametrize("held", [0, 1])
def test_two_uploads_of_one_quarter_at_once_get_different_versions(contract_engine, held):
    if held:
        ingest_file(contract_engine, workbook_bytes(), "q3.xlsx", today=TODAY, actor=ADMIN)
    files = [workbook_bytes(OS04=90), workbook_bytes(OS04=95)]
    start = threading.Barrier(2)
    results = [None, None]

    def upload(i):
        start.wait()
        results[i] = ingest_file(contract_engine, files[i], f"q3 {i}.xlsx", today=TODAY, actor=ADMIN)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status for r in results] == ["stored", "stored"], results
    assert sorted(r.version for r in results) == [held + 1, held + 2]
    with Session(contract_engine) as session:
        versions = session.execute(select(Submission.version, Submission.is_current)
                                   .order_by(Submission.version)).all()
    assert versions == [(v, v == held + 2) for v in range(1, held + 3)]
    # The later version lists its changes against the earlier one.
    later = max(results, key=lambda r: r.version)
    assert later.superseded_version == held + 1 and [d.code for d in later.differences] == ["OS04"]


def test_a_lost_race_is_retried_and_stored_after_the_winner(contract_engine, monkeypatch):
    """A version number taken by another upload in between: tried again from the start, and
    then compared with the winner (processes at the same moment: tests/test_trust_store.py)."""
    from sqlalchemy.exc import IntegrityError

    real = store._ingest_once
    calls = []

    def version_taken(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(*args, **kwargs)

    def the_winner_lands_meanwhile(seconds):
        monkeypatch.setattr(store.time, "sleep", lambda seconds: None)
        assert ingest_file(contract_engine, workbook_bytes(OS04=85), "other.xlsx",
                           today=TODAY, actor=ADMIN).status == "stored"

    monkeypatch.setattr(store, "_ingest_once", version_taken)
    monkeypatch.setattr(store.time, "sleep", the_winner_lands_meanwhile)
    result = ingest_file(contract_engine, workbook_bytes(OS04=95), "mine.xlsx", today=TODAY, actor=ADMIN)
    assert (result.status, result.version, result.superseded_version) == ("stored", 2, 1)
    assert [(d.code, d.old, d.new) for d in result.differences] == [("OS04", 85, 95)]
    assert current_submission(contract_engine, "ASC0013", Q3).file_name == "mine.xlsx"


def test_waiting_too_long_for_the_quarter_is_a_clear_rejection(contract_engine, monkeypatch):
    """Uploads of the same quarter are retried with back-off (tests/test_trust_store.py has
    them at the same moment); one that cannot get its turn in the bounded time is refused."""
    from sqlalchemy.exc import IntegrityError

    monkeypatch.setattr(store, "STORE_WAIT_SECONDS", 0.3)
    tries = []

    def always_taken(*args, **kwargs):
        tries.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(store, "_ingest_once", always_taken)
    result = ingest_file(contract_engine, workbook_bytes(OS04=95), "mine.xlsx", today=TODAY, actor=ADMIN)
    assert result.status == "rejected"
    assert [e.rule for e in result.errors] == ["STORE-CONFLICT"]
    assert "again" in result.errors[0].advice
    assert len(tries) > 2
    with Session(contract_engine) as session:
        assert session.scalars(select(Submission.file_name)).all() == []


# --- what checking reads of the contract and its history ----------------------------------------


@pytest.mark.parametrize("ends", [{}, {"extended_end_date": "2020-08-31"},
                                  {"extended_end_date": "2020-08-31", "ended_on": "2018-03-31"}],
                         ids=["initial", "extended", "ended-early"])
def test_the_contract_is_read_with_its_term_as_the_model_says(contract_engine, ends):
    from datetime import date

    changes = {key: date.fromisoformat(day) for key, day in ends.items()}
    with Session(contract_engine) as session, session.begin():
        contract = session.scalars(select(Contract)).one()
        for key, day in changes.items():
            setattr(contract, key, day)
    with Session(contract_engine) as session:
        model = session.scalars(select(Contract)).one()
        with contract_engine.connect() as connection:
            held = store._contract(connection, " asc0013 ")
        assert held is not None
        assert (held.id, held.reference, held.provider_id, held.contract_type, held.start_date,
                held.end_date, held.parameters) == (model.id, model.reference, model.provider_id,
                                                    model.contract_type, model.start_date,
                                                    model.end_date, model.parameters)


def test_the_checks_read_only_the_quarters_they_compare_with(contract_engine):
    # Six quarters held; a return for the seventh is compared with the four before it (outliers)
    # and, sent again, with its own current version (the differences).
    from tests.workbooks import sample_return

    quarters = [Quarter(2014, 2)]
    for _ in range(6):
        quarters.append(quarters[-1].next())
    for quarter in quarters:
        result = ingest_file(contract_engine, sample_return(quarter), "q.xlsx", ADMIN, today=TODAY)
        assert result.status == "stored", result.errors
    last = quarters[-1]
    with contract_engine.connect() as connection:
        contract = store._contract(connection, "ASC0013")
        assert contract is not None
        held = store._history(connection, contract.id, last, DA.outlier_quarters)
        assert sorted(held) == quarters[-5:]
        assert held[last].values == submission_values(contract_engine, held[last].submission_id)
        assert store._history(connection, contract.id, quarters[2], 1) == {
            quarter: held_quarter for quarter, held_quarter in store._history(
                connection, contract.id, quarters[2], 6).items() if quarter >= quarters[1]}


def test_sqlite_stores_through_its_driver_exactly_what_sqlalchemy_stores(_migrated_sqlite, tmp_path,
                                                                         monkeypatch):
    # On SQLite the statements of an upload run through the driver; each stored byte (and each
    # storage type: SQLite keeps a whole number in a NUMERIC column as an integer) is the same,
    # and so is what is read back (a float, a boolean, a date, JSON).
    from datetime import datetime

    from tests.conftest import _sqlite_copy
    from tests.workbooks import sample_return

    monkeypatch.setattr(store, "utcnow", lambda: datetime(2017, 2, 1, 9, 30, 15, 123456))
    # Made once: a workbook written a second later records another creation time.
    contents = (workbook_bytes(Q3, OS16=None), workbook_bytes(Q3, OS01=151), sample_return(Q3.previous()))
    stored = []
    for way, folder in (("driver", tmp_path / "driver"), ("sqlalchemy", tmp_path / "sqlalchemy")):
        folder.mkdir()
        engine = _sqlite_copy(_migrated_sqlite, folder)
        add_contract(engine)
        with monkeypatch.context() as patched:
            if way == "sqlalchemy":
                patched.setattr(store, "_compiled_for_sqlite", lambda *args, **kwargs: None)
            for content in contents:
                result = ingest_file(engine, content, "q.xlsx", ADMIN, today=TODAY)
                assert result.status == "stored", result.errors
        with engine.connect() as connection, monkeypatch.context() as patched:
            if way == "sqlalchemy":
                patched.setattr(store, "_compiled_for_sqlite", lambda *args, **kwargs: None)
            contract = store._contract(connection, "ASC0013")
            assert contract is not None
            history = store._history(connection, contract.id, Q3, 4)
            read_back = repr((contract, {q: (h.submission_id, h.values) for q, h in history.items()},
                              store._versions(connection, contract.id, Q3)))
            raw = connection.connection.driver_connection
            stored.append({table: raw.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                           + raw.execute(f"SELECT {', '.join(f'typeof({c})' for c in columns)} "
                                         f"FROM {table} ORDER BY id").fetchall()
                           for table, columns in (
                               ("submission", ("is_current", "uploaded_at", "original", "warnings")),
                               ("measure_value", ("value", "cell")), ("commentary", ("text",)))}
                          | {"read back": read_back})
        engine.dispose()
    driver, sqlalchemy = stored
    assert driver == sqlalchemy
    assert len(driver["measure_value"]) > 100 and len(driver["submission"]) == 6    # rows, then types
