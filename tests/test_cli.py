"""The command line: what a user types, what it prints, and its exit status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import settings
from data_ingest.cli import main
from models.database import make_engine
from models.schema import Submission
from tests.test_store import add_contract, dump, workbook_bytes
from tests.workbooks import DA, read

MEASURES_BY_CODE = DA.measures_by_code


@pytest.fixture
def db(sqlite_engine, monkeypatch):
    """DATABASE_URL points at a fresh database holding the sample contract."""
    add_contract(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    return sqlite_engine


@pytest.fixture
def q3(tmp_path):
    path = tmp_path / "q3.xlsx"
    path.write_bytes(workbook_bytes())
    return path


@pytest.fixture
def bad(tmp_path):
    # Women resident (RF04) more than the refuge units (RF01): impossible arithmetic.
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(RF04=40))
    return path


def run(capsys, *argv: str) -> tuple[int, list[str]]:
    status = main([str(a) for a in argv])
    return status, capsys.readouterr().out.splitlines()


def submissions(engine) -> list[tuple]:
    with Session(engine) as session:
        return session.execute(select(Submission.version, Submission.file_name,
                                      Submission.uploaded_by, Submission.is_current)
                               .order_by(Submission.id)).all()


def test_check_passes_a_good_file_and_writes_nothing(db, q3, capsys):
    before = dump(db)
    status, lines = run(capsys, "check", q3)
    assert status == 0
    assert lines == ["ASC0013 2016/17 Q3: passed (q3.xlsx)"]
    assert dump(db) == before


def test_check_rejects_a_bad_file_naming_the_cell(db, bad, capsys):
    status, lines = run(capsys, "check", bad)
    assert status == 1
    assert lines[0].startswith("ASC0013 2016/17 Q3: rejected: 1 error")
    assert lines[1].startswith("  error   Refuge!C")
    assert submissions(db) == []


def test_a_missing_file_is_a_rejection_not_a_traceback(db, tmp_path, capsys):
    status, lines = run(capsys, "check", tmp_path / "nowhere.xlsx")
    assert status == 1
    assert lines == ["nowhere.xlsx: rejected: 1 error",
                     (f"  error   workbook: There is no file {tmp_path / 'nowhere.xlsx'}. "
                      "Check the folder and the file name.")]


def test_ingest_stores_then_recognises_then_supersedes(db, q3, tmp_path, capsys):
    status, lines = run(capsys, "ingest", q3, "--user", "jo")
    assert (status, lines) == (0, ["ASC0013 2016/17 Q3: stored as version 1 (q3.xlsx)"])

    status, lines = run(capsys, "ingest", q3, "--user", "jo")
    assert (status, lines) == (0, [("ASC0013 2016/17 Q3: unchanged: identical to version 1 "
                                    "already stored (q3.xlsx)")])

    corrected = tmp_path / "q3 corrected.xlsx"
    corrected.write_bytes(workbook_bytes(OS04=90, FN03=None))
    status, lines = run(capsys, "ingest", corrected, "--user", "sam")
    assert status == 0
    assert lines == [
        ("ASC0013 2016/17 Q3: stored as version 2, superseding version 1 (2 measures changed) "
         "(q3 corrected.xlsx)"),
         f"  changed OS04 {MEASURES_BY_CODE['OS04'].label}: 80 -> 90",
         f"  changed FN03 {MEASURES_BY_CODE['FN03'].label}: 15123.45 -> blank",
    ]
    assert submissions(db) == [(1, "q3.xlsx", "jo (command line)", False),
                               (2, "q3 corrected.xlsx", "sam (command line)", True)]

    # The file of a superseded version, sent again, brings it back (issue 12, item 11).
    status, lines = run(capsys, "ingest", q3)
    assert (status, lines[0]) == (0, ("ASC0013 2016/17 Q3: stored as version 3, superseding "
                                      "version 2 (2 measures changed), bringing version 1 back "
                                      "(q3.xlsx)"))


def test_ingest_prints_warnings_and_stores(db, tmp_path, capsys):
    path = tmp_path / "q3.xlsx"
    path.write_bytes(workbook_bytes(RF01=30, RF04=30))   # capacity is 28: a warning only
    status, lines = run(capsys, "ingest", path)
    assert status == 0
    assert lines[0].startswith("ASC0013 2016/17 Q3: stored as version 1 with ")
    assert any(line.startswith("  warning Refuge!C") for line in lines[1:])


def test_ingest_stores_each_file_on_its_own(db, q3, bad, capsys):
    status, lines = run(capsys, "ingest", bad, q3)
    assert status == 1
    assert lines[0].startswith("ASC0013 2016/17 Q3: rejected: 1 error (bad.xlsx)")
    assert "ASC0013 2016/17 Q3: stored as version 1 (q3.xlsx)" in lines
    assert lines[-1] == "2 files: 1 passed, 1 rejected"
    assert [row.file_name for row in submissions(db)] == ["q3.xlsx"]


def test_ingest_records_the_login_name_by_default(db, q3, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    assert run(capsys, "ingest", q3)[0] == 0
    assert submissions(db)[0].uploaded_by == "login-name (command line)"


@pytest.mark.parametrize("argv", [[], ["ingest"], ["check"], ["frobnicate", "x.xlsx"],
                                  ["template", "out.xlsx", "--quarter", "Q5"]])
def test_usage_errors_exit_2(argv, db, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_template_is_prefilled_from_the_contract(db, tmp_path, capsys):
    out = tmp_path / "return.xlsx"
    status, lines = run(capsys, "template", out, "--contract", "ASC0013", "--quarter",
                        "2016/17 Q4")
    assert status == 0 and lines == [f"{out}: template 2016/17 Q4 for ASC0013 (MK ACT) written"]
    parsed = read(out.read_bytes(), out.name)
    assert parsed.contract_reference == "ASC0013"
    assert parsed.cover["provider"].value == "MK ACT"
    assert parsed.quarter.label == "2016/17 Q4"


def test_blank_template_needs_no_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never' / 'db.sqlite'}")
    out = tmp_path / "blank.xlsx"
    status, lines = run(capsys, "template", out, "--type", "domestic-abuse")
    assert (status, lines) == (0, [f"{out}: template blank written"])
    parsed = read(out.read_bytes(), out.name)
    assert parsed.contract_reference is None
    assert set(parsed.values) == set(MEASURES_BY_CODE)
    assert all(cell.value is None for cell in parsed.values.values())
    assert not (tmp_path / "never").exists()


def test_template_for_an_unknown_contract_says_so(db, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["template", str(out), "--contract", "ASC9999"]) == 1
    assert "ASC9999 is not in the database" in capsys.readouterr().err
    assert not out.exists()


def test_template_into_a_missing_folder_says_so(tmp_path, capsys):
    out = tmp_path / "no such folder" / "x.xlsx"
    assert main(["template", str(out), "--type", "domestic-abuse"]) == 1
    assert "cannot be written" in capsys.readouterr().err


def test_a_fresh_machine_gets_its_database_made(tmp_path, q3, capsys, monkeypatch):
    """No database at all: the command migrates it, and rejects the unknown contract clearly."""
    url = f"sqlite:///{tmp_path / 'fresh' / 'monitoring.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    status, lines = run(capsys, "ingest", q3)
    assert status == 1
    assert lines[0] == "ASC0013 2016/17 Q3: rejected: 1 error (q3.xlsx)"
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
    engine.dispose()


def test_python_m_data_ingest_runs(db, q3):
    """The real entry point, in its own process."""
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]}
    done = subprocess.run([sys.executable, "-m", "data_ingest", "ingest", str(q3), "--user", "ci"],
                          cwd=settings.ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ASC0013 2016/17 Q3: stored as version 1 (q3.xlsx)"]
    assert submissions(db) == [(1, "q3.xlsx", "ci (command line)", True)]
    done = subprocess.run([sys.executable, "-m", "data_ingest"], cwd=settings.ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2


def test_load_sample_loads_every_sample_workbook(sqlite_engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    status, lines = run(capsys, "load-sample")
    assert status == 0, "\n".join(lines)
    stored = [line for line in lines if ": stored as version 1 " in line]
    with Session(sqlite_engine) as session:
        count = session.scalar(select(func.count()).select_from(Submission))
    assert count == len(stored) > 0
