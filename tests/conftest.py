"""Shared fixtures: fresh databases on SQLite and PostgreSQL, and the sample loaded once."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from models.database import make_engine, migrate

from . import postgres_server

_counter = itertools.count()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite database at the newest migration, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    _checkpoint(engine)
    return path


def _checkpoint(engine) -> None:
    """Fold the WAL into the main file so that copying the file copies the database."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _sqlite_copy(source: Path, tmp_path: Path):
    target = tmp_path / f"db{next(_counter)}.sqlite"
    shutil.copyfile(source, target)
    return make_engine(f"sqlite:///{target}")


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server with a migrated template database.

    Skipped only when no server can be started; in CI that is a failure.
    """
    try:
        server = postgres_server.start()
    except postgres_server.NoServer as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot be skipped in CI: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    admin = make_engine(server.url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE DATABASE migrated"))
    template = make_engine(server.url.rsplit("/", 1)[0] + "/migrated")
    migrate(template)
    template.dispose()
    yield server.url
    admin.dispose()
    server.stop()


def _postgres_copy(url: str):
    name = f"test_{os.getpid()}_{next(_counter)}"
    admin = make_engine(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE migrated'))
    admin.dispose()
    return make_engine(url.rsplit("/", 1)[0] + "/" + name)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh, empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        engine = _sqlite_copy(request.getfixturevalue("_migrated_sqlite"), tmp_path)
    else:
        engine = _postgres_copy(request.getfixturevalue("postgres_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(_migrated_sqlite, tmp_path):
    """A fresh, empty, migrated SQLite database."""
    engine = _sqlite_copy(_migrated_sqlite, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _sample_sqlite(tmp_path_factory) -> Path:
    """The sample contract, targets, visits and workbooks loaded once into SQLite."""
    from sample_data.load import load_sample

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    results = load_sample(engine)
    rejected = [r for r in results if r.status == "rejected"]
    assert not rejected, f"sample workbooks rejected: {[(r.file_name, r.errors) for r in rejected]}"
    _checkpoint(engine)
    return path


@pytest.fixture(scope="session")
def sample_postgres(postgres_url):
    """The sample loaded once into a PostgreSQL database: read it, never write to it."""
    from sample_data.load import load_sample

    engine = _postgres_copy(postgres_url)
    assert all(r.status != "rejected" for r in load_sample(engine))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sample_engine(_sample_sqlite):
    """The loaded sample, shared by the whole session: read it, never write to it."""
    engine = make_engine(f"sqlite:///{_sample_sqlite}")
    yield engine
    engine.dispose()


@pytest.fixture
def sample_copy(_sample_sqlite, tmp_path):
    """A private copy of the loaded sample, for tests that store or change things."""
    engine = _sqlite_copy(_sample_sqlite, tmp_path)
    yield engine
    engine.dispose()


# --- the browser tests' shared fixtures (tests/browser.py starts the programs) ----------------


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium, one per test file."""
    from .browser import chromium_browser

    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def dashboard(_sample_sqlite, tmp_path_factory):
    """The dashboard served over a copy of the loaded sample, one per test file: its URL."""
    from .browser import served_dashboard

    folder = tmp_path_factory.mktemp("dashboard")
    database = folder / "sample.sqlite"
    shutil.copyfile(_sample_sqlite, database)
    with served_dashboard(f"sqlite:///{database}", folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where browser tests save screenshots for a person to look at (``DASHBOARD_SCREENSHOTS``)."""
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
