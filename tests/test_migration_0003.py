"""Migration 0003 carries a database made before contract types across without loss.

A database is built at revision 0002 (contracts with a ``refuge_capacity``
column), holding a contract and a stored return; after upgrading to the newest
revision the contract is a domestic-abuse contract whose parameters hold the
capacity, and the return reads back exactly as it was stored.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from itertools import count

import pytest
import sqlalchemy as sa
from alembic import command

from indicators.data import load_contracts, load_measures
from models.database import alembic_config, make_engine, sessions
from models.schema import Contract, Submission

_names = count()
STORED_AT = datetime(2017, 2, 14, 10, 32, tzinfo=UTC)
FIGURES = {"RF01": 28.0, "RF02": 2300.0, "OS01": None}   # a blank stays blank


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """A database with no tables at all, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    else:
        url = request.getfixturevalue("postgres_url")
        name = f"old_{os.getpid()}_{next(_names)}"
        admin = make_engine(url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(url.rsplit("/", 1)[0] + "/" + name)
    yield engine
    engine.dispose()


def _old_database(engine, refuge_capacity):
    """Revision 0002 with one contract (its capacity as given) and one stored return."""
    command.upgrade(alembic_config(engine), "0002")
    meta = sa.MetaData()
    meta.reflect(engine)
    assert "refuge_capacity" in meta.tables["contract"].c       # really the old schema
    provider, contract = meta.tables["provider"], meta.tables["contract"]
    submission, value = meta.tables["submission"], meta.tables["measure_value"]
    commentary = meta.tables["commentary"]
    with engine.begin() as connection:
        connection.execute(provider.insert().values(id=1, name="MK ACT", created_at=STORED_AT,
                                                    created_by="loader"))
        connection.execute(contract.insert().values(
            id=1, reference="ASC0013", title="Domestic abuse services", commissioner="MK Council",
            provider_id=1, start_date=date(2014, 9, 1), initial_end_date=date(2017, 8, 31),
            extended_end_date=date(2019, 8, 31), annual_value=524994.0,
            refuge_capacity=refuge_capacity, created_at=STORED_AT, created_by="loader"))
        connection.execute(submission.insert().values(
            id=1, contract_id=1, year=2016, quarter=3, version=1, is_current=True,
            uploaded_at=STORED_AT, uploaded_by="jo", file_name="q3.xlsx", sha256="a" * 64,
            original=b"the workbook's bytes", warnings=[{"cell": "Refuge!C5", "code": "W",
                                                       "message": "Check it"}],
            completed_by="Provider", date_completed="10/01/2017", template_version="1"))
        for code, figure in FIGURES.items():
            connection.execute(value.insert().values(submission_id=1, code=code, value=figure,
                                                     cell=f"Sheet!{code}"))
        connection.execute(commentary.insert().values(submission_id=1, topic="Refuge",
                                                      text="Full all quarter.", cell="Commentary!B3"))


def test_the_capacity_moves_into_the_parameters_and_the_return_is_intact(empty_engine):
    _old_database(empty_engine, refuge_capacity=28)
    command.upgrade(alembic_config(empty_engine), "head")

    with sessions(empty_engine)() as session:
        contract = session.scalar(sa.select(Contract))
        assert contract.parameters == {"refuge_capacity": 28}
        assert contract.contract_type == "domestic-abuse"
        assert contract.ended_on is None
        assert contract.end_date == date(2019, 8, 31)
        assert (contract.reference, contract.title, contract.provider.name, contract.annual_value) == \
            ("ASC0013", "Domestic abuse services", "MK ACT", 524994.0)
        stored = session.scalar(sa.select(Submission))
        assert (stored.year, stored.quarter, stored.version, stored.is_current) == (2016, 3, 1, True)
        assert stored.original == b"the workbook's bytes"
        assert stored.uploaded_by == "jo" and stored.file_name == "q3.xlsx"
        assert stored.warnings == [{"cell": "Refuge!C5", "code": "W", "message": "Check it"}]
        assert [(c.topic, c.text) for c in stored.commentary] == [("Refuge", "Full all quarter.")]

    figures = load_measures(empty_engine, "ASC0013").set_index("code")["value"]
    assert figures["RF01"] == 28 and figures["RF02"] == 2300
    assert figures["OS01"] != figures["OS01"]                      # still blank (NaN), not 0
    assert load_contracts(empty_engine).iloc[0]["parameters"] == {"refuge_capacity": 28}


def test_a_contract_without_a_capacity_gets_no_parameter_rather_than_a_zero(empty_engine):
    _old_database(empty_engine, refuge_capacity=None)
    command.upgrade(alembic_config(empty_engine), "head")
    with sessions(empty_engine)() as session:
        assert session.scalar(sa.select(Contract)).parameters == {}
