"""Connecting to the database and bringing its schema up to date."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import settings

MIGRATIONS = settings.ROOT / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: ``DATABASE_URL``); SQLite gets WAL and foreign keys."""
    url = url or settings.database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL cannot corrupt the database; it only skips a sync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config(str(settings.ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database).

    A database already at the newest migration is left as it is without starting Alembic:
    importing Alembic's machinery takes longer than most commands that begin by calling this.
    """
    if at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


_ASSIGNMENT = r"^{name}\s*(?::[^=\n]*)?=\s*(.+)$"


def head_revisions() -> set[str] | None:
    """The revision ids of the newest migrations in ``migrations/versions``, read from the
    files' ``revision`` and ``down_revision`` lines; None when a file says something this
    reading does not follow (a dependency on another branch, a computed id): Alembic decides."""
    revisions: set[str] = set()
    earlier: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = {}
        for name in ("revision", "down_revision", "depends_on"):
            line = re.search(_ASSIGNMENT.format(name=name), text, re.MULTILINE)
            if line is None:
                return None
            found[name] = line.group(1).strip()
        if found["depends_on"] != "None":
            return None
        revision = re.fullmatch(r"""(['"])([^'"]+)\1""", found["revision"])
        if revision is None:
            return None
        revisions.add(revision.group(2))
        if found["down_revision"] != "None":
            # One revision, or a tuple of them where branches were merged.
            ids = re.findall(r"""['"]([^'"]+)['"]""", found["down_revision"])
            if not ids:
                return None
            earlier.update(ids)
    return (revisions - earlier) or None


def at_head(engine: Engine) -> bool:
    """True when the database records exactly the newest migrations as applied."""
    heads = head_revisions()
    if not heads:
        return False
    try:
        with engine.connect() as connection:
            applied: list[str] = list(
                connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except SQLAlchemyError:
        return False    # no table yet, or an unreadable database: Alembic says what is wrong
    return set(applied) == heads


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def unusable(exc: Exception) -> str:
    """What a command says when the database cannot be used (its password hidden)."""
    url = make_url(settings.database_url()).render_as_string(hide_password=True)
    return f"Could not use the database {url}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
