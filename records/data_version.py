"""A cheap token that changes whenever anything the pages show is stored.

The dashboard keys its cached query and indicator results by this token, so a
new submission, target, quality visit, action, meeting or edit shows at once
without clearing anything by hand. One query: the largest id of every table,
which the primary-key index answers without reading the table, so the token
costs the same however much is stored. Inserts raise the largest id; edits made
in place are logged as ``record_change`` rows, which raise its id; records are
never deleted, except people's roles, whose small tables are counted as well.
Sign-ins and the alerts outbox change nothing the pages cache, so they are left out.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from models.schema import Alert, AlertPreference, Base, OfficerAssignment, SignIn, User

#: Tables whose changes no cached page result depends on.
_IGNORED = {SignIn.__tablename__, Alert.__tablename__, AlertPreference.__tablename__}
#: Tables rows are deleted from (small): counted too, since a deletion need not lower the largest id.
_COUNTED = {User.__tablename__, OfficerAssignment.__tablename__}


def _tables():
    return [table for table in Base.metadata.sorted_tables
            if "id" in table.c and table.name not in _IGNORED]


def data_version(engine: Engine) -> str:
    """``"submission:40;target:21;app_user:3/5;…"``: equal tokens mean nothing has been stored in between."""
    tables = _tables()
    columns = []
    for table in tables:
        columns.append(select(func.max(table.c.id)).scalar_subquery())
        if table.name in _COUNTED:
            columns.append(select(func.count()).select_from(table).scalar_subquery())
    with engine.connect() as connection:
        row = iter(connection.execute(select(*columns)).one())
    parts = []
    for table in tables:
        largest = next(row) or 0
        parts.append(f"{table.name}:{largest}/{next(row)}" if table.name in _COUNTED else f"{table.name}:{largest}")
    return ";".join(parts)
