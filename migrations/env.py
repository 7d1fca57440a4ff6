"""Alembic environment: runs against the engine it is handed, else DATABASE_URL."""

from alembic import context

from models.database import make_engine
from models.schema import Base

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one; with foreign keys on,
            # SQLite refuses to drop a table other rows refer to (a contract with returns).
            # The pragma cannot change inside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")   # pooled: leave it as found
            if problems:
                raise RuntimeError(f"The migration left rows referring to nothing: {problems[:5]}")


run_migrations()
