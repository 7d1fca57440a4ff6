"""Uploads at the same moment (issue 12, items 9 to 11): processes released together by a
barrier, on SQLite and PostgreSQL; and what checking an identical file says.

Each upload runs in its own process with its own engine, as two browser sessions or two
command lines would. To make the race certain rather than 1 in 96, each upload waits
between checking for an identical file and reading the quarter's versions (the window in
which the others land): upload ``n`` for ``n × STAGGER`` seconds, or all of them for
``STAGGER`` so that they take the same version number.
"""

from __future__ import annotations

import multiprocessing
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_ingest import store
from data_ingest.cli import format_result
from data_ingest.store import check_file, ingest_file
from models.schema import Submission
from records.uploads import result_headline
from tests.actors import ADMIN
from tests.test_store import Q3, add_contract, workbook_bytes
from tests.workbooks import TODAY

STAGGER = 0.25
_FORK = multiprocessing.get_context("fork")


def _upload(url: str, content: bytes, name: str, number: int, wait: float, barrier,
            answers) -> None:
    from models.database import make_engine

    engine = make_engine(url)
    real = store._versions

    def late(connection, contract_id, quarter):
        time.sleep(wait)
        return real(connection, contract_id, quarter)

    store._versions = late
    try:
        barrier.wait(timeout=60)
        result = ingest_file(engine, content, name, ADMIN, today=TODAY)
        answers.put((number, result.status, result.version, result.superseded_version,
                     [e.rule for e in result.errors]))
    except BaseException as exc:  # pragma: no cover - reported to the test
        answers.put((number, "crashed", None, None, [repr(exc)]))
    finally:
        engine.dispose()


def _together(engine, files: list[tuple[str, bytes]], staggered: bool = True) -> list[tuple]:
    """Upload every file at once, one process each; their answers in upload order.

    ``staggered``: upload ``n`` waits ``n × STAGGER`` in the window; else every upload waits
    ``STAGGER`` there, so that they all read the versions at the same moment."""
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    barrier = _FORK.Barrier(len(files))
    answers = _FORK.Queue()
    processes = [_FORK.Process(target=_upload, args=(url, content, name, n, n * STAGGER if staggered else STAGGER,
                                       barrier, answers))
                 for n, (name, content) in enumerate(files)]
    for process in processes:
        process.start()
    found = sorted(answers.get(timeout=180) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    return found


def _versions(engine) -> list[tuple[int, bool, str]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(Submission.version, Submission.is_current, Submission.file_name)
            .order_by(Submission.version))]


@pytest.fixture
def contract_engine(engine):
    add_contract(engine)
    return engine


def test_an_identical_file_sent_twice_at_once_makes_one_version(contract_engine):
    """Item 9: never 'superseding version 1 (0 measures changed)'."""
    content = workbook_bytes()
    answers = _together(contract_engine, [("first.xlsx", content), ("second.xlsx", content),
                                          ("third.xlsx", content)])
    assert sorted(a[1] for a in answers) == ["stored", "unchanged", "unchanged"], answers
    assert [a[2] for a in answers] == [1, 1, 1]
    winner = next(n for n, status, *_ in answers if status == "stored")
    assert _versions(contract_engine) == [(1, True, ["first.xlsx", "second.xlsx", "third.xlsx"][winner])]


def test_an_identical_file_sent_twice_at_once_over_a_held_version(contract_engine):
    ingest_file(contract_engine, workbook_bytes(OS04=90), "v1.xlsx", ADMIN, today=TODAY)
    content = workbook_bytes()
    answers = _together(contract_engine, [("first.xlsx", content), ("second.xlsx", content)])
    assert sorted(a[1:4] for a in answers) == [("stored", 2, 1), ("unchanged", 2, None)], answers
    assert [(v, current) for v, current, _ in _versions(contract_engine)] == [(1, False), (2, True)]


def test_eight_different_returns_of_one_quarter_at_once_are_all_stored(contract_engine):
    """Item 10: a valid return is not refused because others arrived at the same moment."""
    files = [(f"return {n}.xlsx", workbook_bytes(OS04=80 + n)) for n in range(8)]
    answers = _together(contract_engine, files, staggered=False)
    assert [a[1] for a in answers] == ["stored"] * 8, answers
    assert sorted(a[2] for a in answers) == list(range(1, 9))
    held = _versions(contract_engine)
    assert [v for v, _, _ in held] == list(range(1, 9))
    assert [current for _, current, _ in held].count(True) == 1


# --- item 11: what checking an identical file says --------------------------------------


def test_checking_the_current_file_again_says_it_is_identical_and_changes_nothing(contract_engine):
    content = workbook_bytes()
    ingest_file(contract_engine, content, "v1.xlsx", ADMIN, today=TODAY)
    checked = check_file(contract_engine, content, "v1 again.xlsx", ADMIN, today=TODAY)
    assert (checked.status, checked.version, checked.superseded_version) == ("unchanged", 1, None)
    headline = result_headline(checked)
    assert "identical" in headline and "would change nothing" in headline
    assert "supersede" not in headline and "replace" not in headline
    printed = " ".join(format_result(checked))
    assert "identical" in printed and "supersede" not in printed


def test_checking_a_superseded_file_says_it_would_bring_it_back(contract_engine):
    first = workbook_bytes()
    ingest_file(contract_engine, first, "v1.xlsx", ADMIN, today=TODAY)
    ingest_file(contract_engine, workbook_bytes(OS04=90), "v2.xlsx", ADMIN, today=TODAY)
    checked = check_file(contract_engine, first, "v1 again.xlsx", ADMIN, today=TODAY)
    assert (checked.status, checked.superseded_version, checked.restores_version) == ("passed", 2, 1)
    assert "version 1" in result_headline(checked) and "back" in result_headline(checked)
    stored = ingest_file(contract_engine, first, "v1 again.xlsx", ADMIN, today=TODAY)
    assert (stored.status, stored.version, stored.restores_version) == ("stored", 3, 1)
    assert "back" in result_headline(stored)
    assert _versions(contract_engine)[-1] == (3, True, "v1 again.xlsx")
    assert Q3.label in result_headline(stored)


# --- item 11 on the upload page (Streamlit AppTest, no browser) ----------------------------

from sample_data.make_sample import sample_workbook, workbook_name  # noqa: E402
from tests.test_pages_entry import (  # noqa: E402  (the page tests' helpers and fixtures)
    Q4,
    confirm,
    db,  # noqa: F401  (a fixture)
    open_page,
    runs_through_app_py,  # noqa: F401  (an autouse fixture)
    texts,
    upload,
    workbook,
)


@pytest.mark.usefixtures("db")
def test_the_page_says_an_identical_file_changes_nothing_and_offers_no_store():
    at = open_page("pages/upload.py")
    upload(at, (workbook_name(Q4), sample_workbook(Q4)))
    confirm(at)
    at = open_page("pages/upload.py")
    upload(at, ("same again.xlsx", sample_workbook(Q4)))
    said = texts(at)
    assert "storing it would change nothing" in said
    assert "will replace version" not in said and "No figure differs" not in said
    assert not [b for b in at.button if b.key == "upload:confirm"]


@pytest.mark.usefixtures("db")
def test_after_storing_rejected_files_keep_their_errors_and_banners_go_with_the_next_file():
    at = open_page("pages/upload.py")
    upload(at, (workbook_name(Q4), sample_workbook(Q4)),
           ("broken.xlsx", workbook(Q4, OS05=70.0, OS04=60.0)))
    confirm(at)
    said = texts(at)
    assert "stored ASC0013 2016/17 Q4 as version 1" in said
    assert "broken.xlsx: not stored — 1 error to correct." in said
    assert "New referrals responded to within 24 hours (OS05) is 70" in said   # its error list
    # The next file's preview is not under the last file's success banner.
    upload(at, ("next.xlsx", workbook(Q4, RF04=quarters_rf04() - 1)))
    said = texts(at)
    assert "will replace version 1" in said
    assert "as version 1" not in said and "broken.xlsx" not in said


def quarters_rf04() -> float:
    from sample_data import quarters

    return quarters.VALUES[Q4]["RF04"]
