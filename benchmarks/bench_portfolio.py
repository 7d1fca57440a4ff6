"""How long a warm rerun of the Portfolio takes with 200 contracts × 40 quarters.

    python -m benchmarks.bench_portfolio [--rounds N] [--contracts N] [--quarters N]

It builds a SQLite database with 200 domestic-abuse contracts (20 providers,
4 commissioners), each with 40 quarters of every measure (2007/08 Q1 to
2016/17 Q4, the sample's 2016/17 Q3 values varied at random), the type's default
targets, and an escalation change on every fifth contract. Then it runs
``app.py`` in Streamlit's AppTest on its first page, the Portfolio: once cold
(the engine computes every contract's indicators), then ``--rounds`` warm
reruns, as when an officer filters or sorts.

Reported, each the median of the rounds:

- baseline: a rerun of a script that only draws the sidebar's two choosers
  (the least any page costs in AppTest on this machine);
- portfolio: a warm rerun of the Portfolio;
- the ratio portfolio ÷ baseline, and whether the warm rerun is under the
  300 ms budget (exit status 1 when it is not).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from benchmarks.timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = 200
QUARTERS = 40
BUDGET_SECONDS = 0.300

BASELINE_SCRIPT = '''
import streamlit as st
st.sidebar.selectbox("Contract", [f"BENCH{i:03d}" for i in range(200)], key="contract")
st.sidebar.selectbox("Quarter", [f"Q{i}" for i in range(40)], key="quarter")
st.title("Portfolio")
'''


def build_database(path: Path, contracts: int = CONTRACTS, quarters: int = QUARTERS, seed: int = 1) -> str:
    """A migrated SQLite database with ``contracts`` × ``quarters`` current submissions; its URL.

    Rows are written with bulk inserts (hundreds of thousands of figures), not one by one.
    """
    from sqlalchemy import insert

    from models.contract_types import get_type
    from models.database import make_engine, migrate
    from models.periods import Quarter
    from models.schema import (
        Contract,
        EscalationChange,
        MeasureValue,
        Provider,
        Submission,
        Target,
    )
    from sample_data import quarters as sample

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    catalogue = get_type("domestic-abuse")
    measures = catalogue.measures_in(1)
    rng = np.random.default_rng(seed)
    base = sample.VALUES[Quarter(2016, 3)]
    first = Quarter(2016, 4).index - quarters + 1
    now = datetime.now(UTC)
    providers = [{"id": p + 1, "name": f"Provider {p + 1}", "created_at": now, "created_by": "bench"}
                 for p in range(20)]
    rows_contract, rows_target, rows_submission, rows_value, rows_stage = [], [], [], [], []
    submission_id = 0
    for c in range(contracts):
        contract_id = c + 1
        rows_contract.append({
            "id": contract_id, "reference": f"BENCH{c:03d}", "title": f"Benchmark contract {c + 1}",
            "commissioner": f"Council {c % 4 + 1}", "provider_id": c % 20 + 1,
            "start_date": Quarter.from_index(first).start, "initial_end_date": date(2017, 3, 31),
            "extended_end_date": date(2019, 3, 31) if c % 2 else None,
            "annual_value": 500_000 + 1_000 * c, "contract_type": catalogue.name,
            "parameters": {"refuge_capacity": 28}, "created_at": now, "created_by": "bench"})
        for ind in catalogue.indicators:
            if ind.target is not None:
                rows_target.append({
                    "contract_id": contract_id, "indicator": ind.code, "value": ind.target,
                    "tolerance": ind.tolerance or 0.0, "direction": ind.better,
                    "effective_year": Quarter.from_index(first).year,
                    "effective_quarter": Quarter.from_index(first).quarter, "note": "",
                    "created_at": now, "created_by": "bench"})
        if c % 5 == 0:
            rows_stage.append({"contract_id": contract_id, "stage": "Stage 1: concern raised",
                               "changed_on": date(2016, 6, 1), "note": "Benchmark", "created_at": now,
                               "created_by": "bench"})
        for q in range(quarters):
            quarter = Quarter.from_index(first + q)
            submission_id += 1
            rows_submission.append({
                "id": submission_id, "contract_id": contract_id, "year": quarter.year,
                "quarter": quarter.quarter, "version": 1, "is_current": True, "uploaded_at": now,
                "uploaded_by": "bench", "file_name": f"bench_{c}_{q}.xlsx",
                "sha256": f"{c:04d}{q:04d}".ljust(64, "0"), "original": b"", "warnings": [],
                "completed_by": "Benchmark", "date_completed": "", "template_version": "1"})
            factor = rng.uniform(0.9, 1.1)
            for m in measures:
                value = base[m.code] * factor
                value = round(value, 2) if m.type == "money" else float(round(value))
                rows_value.append({"submission_id": submission_id, "code": m.code, "value": value,
                                   "cell": ""})
    with engine.begin() as connection:
        connection.execute(insert(Provider), providers)
        connection.execute(insert(Contract), rows_contract)
        connection.execute(insert(Target), rows_target)
        connection.execute(insert(EscalationChange), rows_stage)
        connection.execute(insert(Submission), rows_submission)
        connection.execute(insert(MeasureValue), rows_value)
    engine.dispose()
    return url




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--contracts", type=int, default=CONTRACTS)
    parser.add_argument("--quarters", type=int, default=QUARTERS)
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        url = build_database(Path(folder) / "bench.sqlite", args.contracts, args.quarters)
        build_seconds = time.perf_counter() - start
        os.environ["DATABASE_URL"] = url

        baseline = AppTest.from_string(BASELINE_SCRIPT, default_timeout=120)
        baseline.run()
        baseline_seconds = median_seconds(baseline.run, args.rounds)

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        start = time.perf_counter()
        at.run()
        cold_seconds = time.perf_counter() - start
        if at.exception:
            print("the Portfolio raised:", at.exception[0].value, file=sys.stderr)
            return 2
        if not at.title or at.title[0].value != "Portfolio":
            print("the first page is not the Portfolio", file=sys.stderr)
            return 2
        rows = len(at.dataframe[0].value)
        portfolio_seconds = median_seconds(at.run, args.rounds)

    ratio = portfolio_seconds / baseline_seconds
    within = portfolio_seconds < BUDGET_SECONDS
    print(f"data: {args.contracts} contracts × {args.quarters} quarters "
          f"(built in {build_seconds:.1f} s); Portfolio of {rows} rows")
    print(f"baseline rerun (sidebar only):    {baseline_seconds * 1000:7.1f} ms")
    print(f"Portfolio, cold (caches filling): {cold_seconds * 1000:7.1f} ms")
    print(f"Portfolio, warm rerun:            {portfolio_seconds * 1000:7.1f} ms  "
          f"(median of {args.rounds})")
    print(f"ratio warm Portfolio ÷ baseline:  {ratio:7.2f}")
    print(f"budget {BUDGET_SECONDS * 1000:.0f} ms: {'met' if within else 'MISSED'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
