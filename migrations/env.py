"""Alembic environment: runs against the engine it is handed, else DATABASE_URL."""

from alembic import context

from models.database import make_engine
from models.schema import Base

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
