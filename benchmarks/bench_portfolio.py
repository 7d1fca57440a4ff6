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
from pathlib import Path

from benchmarks import bulk
from benchmarks.timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = 200
QUARTERS = 40
BUDGET_SECONDS = 0.300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--contracts", type=int, default=CONTRACTS)
    parser.add_argument("--quarters", type=int, default=QUARTERS)
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        url = bulk.sqlite_database(Path(folder) / "bench.sqlite", args.contracts, args.quarters,
                                   providers=20, commissioners=4, escalate_every=5)
        build_seconds = time.perf_counter() - start
        os.environ["DATABASE_URL"] = url

        baseline = AppTest.from_string(bulk.sidebar_script(args.contracts, args.quarters, "Portfolio"),
                                          default_timeout=120)
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
