"""Large databases for the benchmarks, built one way: contracts of the domestic-abuse type, each
with a current return for every quarter up to 2016/17 Q4 (the sample's 2016/17 Q3 values varied
at random), and the type's default targets from its first quarter.

Rows are written with bulk inserts, a contract at a time (hundreds of thousands of figures,
without holding them all at once), on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from models.contract_types import get_type
from models.database import make_engine, migrate
from models.periods import Quarter
from models.schema import Commentary, Contract, EscalationChange, MeasureValue, Provider, Submission, Target
from sample_data import quarters as sample

#: The contract type of every benchmark contract.
TYPE = "domestic-abuse"
#: The template version of the sample's returns, whose values every benchmark return varies.
SAMPLE_VERSION = 1
#: Every benchmark contract's last quarter held.
LAST_QUARTER = Quarter(2016, 4)


def reference(number: int) -> str:
    """The reference of benchmark contract ``number`` (from 0)."""
    return f"BENCH{number:04d}"


def sidebar_script(contracts: int, quarters: int, title: str) -> str:
    """A script that draws only the sidebar's two choosers over the benchmark's contracts and a
    page title: the least any page of the dashboard costs (a benchmark's baseline)."""
    return (f"import streamlit as st\n"
            f"st.sidebar.selectbox('Contract', {[reference(c) for c in range(contracts)]!r}, key='contract')\n"
            f"st.sidebar.selectbox('Quarter', {[f'Q{q}' for q in range(quarters)]!r}, key='quarter')\n"
            f"st.title({title!r})\n")


def sqlite_database(path: Path, contracts: int, quarters: int, **options) -> str:
    """A migrated SQLite database at ``path`` holding what ``fill`` adds with ``options``; its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    fill(engine, contracts, quarters, **options)
    engine.dispose()
    return url


def fill(engine, contracts: int, quarters: int, *, providers: int | None = None, commissioners: int = 1,
         commentary: bool = False, escalate_every: int = 0, seed: int = 1) -> None:
    """Add ``contracts`` contracts × ``quarters`` quarters to a migrated, empty database.

    ``providers``: how many providers hold them in turn (None: one each); ``commissioners``:
    how many councils commission them in turn; ``commentary``: a text for each of the
    type's topics in every return; ``escalate_every``: an escalation change on every n-th
    contract (0: none). Every other contract is extended to 31/03/2019.
    """
    catalogue = get_type(TYPE)
    measures = catalogue.measures_in(SAMPLE_VERSION)
    base = sample.VALUES[Quarter(2016, 3)]
    first = Quarter.from_index(LAST_QUARTER.index - quarters + 1)
    held = [Quarter.from_index(first.index + q) for q in range(quarters)]
    rng = np.random.default_rng(seed)
    providers = providers or contracts
    # Ids in the order of the rows given, so that each return's figures go to its quarter.
    new_submissions = insert(Submission).returning(Submission.id, sort_by_parameter_order=True)
    with engine.begin() as connection:
        connection.execute(insert(Provider), [{"name": f"Provider {p + 1}", "created_by": "bench"}
                                              for p in range(providers)])
        provider_ids = dict(connection.execute(select(Provider.name, Provider.id)).all())
        connection.execute(insert(Contract), [{
            "reference": reference(c), "title": f"Benchmark contract {c + 1}",
            "commissioner": f"Council {c % commissioners + 1}",
            "provider_id": provider_ids[f"Provider {c % providers + 1}"],
            "start_date": first.start, "initial_end_date": date(2017, 3, 31),
            "extended_end_date": date(2019, 3, 31) if c % 2 else None,
            "annual_value": 500_000 + 1_000 * c, "contract_type": TYPE,
            "parameters": {"refuge_capacity": 28}, "created_by": "bench"} for c in range(contracts)])
        ids = dict(connection.execute(select(Contract.reference, Contract.id)).all())
        connection.execute(insert(Target), [{
            "contract_id": ids[reference(c)], "indicator": ind.code, "value": ind.target,
            "tolerance": ind.tolerance or 0.0, "direction": ind.better, "effective_year": first.year,
            "effective_quarter": first.quarter, "note": "", "created_by": "bench"}
            for c in range(contracts) for ind in catalogue.indicators if ind.target is not None])
        if escalate_every:
            connection.execute(insert(EscalationChange), [{
                "contract_id": ids[reference(c)], "stage": "Stage 1: concern raised",
                "changed_on": date(2016, 6, 1), "note": "Benchmark", "created_by": "bench"}
                for c in range(0, contracts, escalate_every)])
        for c in range(contracts):
            submission_ids = connection.execute(new_submissions, [{
                "contract_id": ids[reference(c)], "year": quarter.year, "quarter": quarter.quarter,
                "version": 1, "is_current": True, "uploaded_by": "bench",
                "file_name": f"bench_{c}_{q}.xlsx", "sha256": f"{c:05d}{q:04d}".ljust(64, "0"),
                "original": b"", "warnings": [], "completed_by": "Benchmark", "date_completed": "",
                "template_version": str(SAMPLE_VERSION)} for q, quarter in enumerate(held)]
            ).scalars().all()
            factors = rng.uniform(0.9, 1.1, size=quarters)
            connection.execute(insert(MeasureValue), [
                {"submission_id": sid, "code": m.code, "cell": "",
                 "value": round(base[m.code] * f, 2) if m.type == "money" else float(round(base[m.code] * f))}
                for sid, f in zip(submission_ids, factors, strict=True) for m in measures])
            if commentary:
                connection.execute(insert(Commentary), [
                    {"submission_id": sid, "topic": topic, "text": f"{topic} in {quarter.label}.", "cell": ""}
                    for sid, quarter in zip(submission_ids, held, strict=True)
                    for topic in catalogue.commentary_topics])
