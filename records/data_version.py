"""A cheap token that changes whenever anything is stored.

The dashboard keys its cached query and indicator results by this token, so a
new submission, target, quality visit, action, meeting or edit shows at once
without clearing anything by hand. One query: the row count and the largest id
of every table. Inserts raise the largest id, deletions lower the count, and
edits made in place are logged as ``record_change`` rows, which raise its id.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from models.schema import Base


def _tables():
    return [table for table in Base.metadata.sorted_tables if "id" in table.c]


def data_version(engine: Engine) -> str:
    """``"submission:12/40;target:3/21;…"``: equal tokens mean nothing has been stored in between."""
    tables = _tables()
    columns = []
    for table in tables:
        columns.append(select(func.count()).select_from(table).scalar_subquery())
        columns.append(select(func.max(table.c.id)).scalar_subquery())
    with engine.connect() as connection:
        row = connection.execute(select(*columns)).one()
    parts = []
    for index, table in enumerate(tables):
        count, largest = row[2 * index], row[2 * index + 1]
        parts.append(f"{table.name}:{count}/{largest or 0}")
    return ";".join(parts)
