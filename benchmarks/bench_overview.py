"""How long a warm rerun of the Overview takes with 10 contracts × 20 quarters.

    python -m benchmarks.bench_overview [--rounds N]

It builds a SQLite database with 10 contracts, each with 20 quarters of every
measure (2012/13 Q1 to 2016/17 Q4, the sample's 2016/17 Q3 values varied at
random), the catalogue's targets and commentary, then runs ``app.py`` in
Streamlit's AppTest at the latest quarter of one contract: once cold (the
caches fill), then ``--rounds`` warm reruns, as when a monitor clicks on the page.

Reported, each the median of the rounds:

- baseline: a rerun of a script that only draws the sidebar's two choosers
  (the least any page costs in AppTest on this machine);
- overview: a warm rerun of the Overview;
- the ratio overview ÷ baseline, and whether the warm rerun is under the
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
CONTRACTS = 10
QUARTERS = 20
BUDGET_SECONDS = 0.300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        url = bulk.sqlite_database(Path(folder) / "bench.sqlite", CONTRACTS, QUARTERS, commentary=True)
        os.environ["DATABASE_URL"] = url

        baseline = AppTest.from_string(bulk.sidebar_script(CONTRACTS, QUARTERS, "Overview"), default_timeout=120)
        baseline.run()
        baseline_seconds = median_seconds(baseline.run, args.rounds)

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["contract"] = bulk.reference(3)
        # The Overview is no longer the first page (the Portfolio is): run once, then open it.
        at.run()
        at.switch_page("pages/overview.py")
        start = time.perf_counter()
        at.run()
        cold_seconds = time.perf_counter() - start
        if at.exception:
            print("the Overview raised:", at.exception[0].value, file=sys.stderr)
            return 2
        grid_rows = len(at.get_by_key("overview_grid").table[0].value)
        overview_seconds = median_seconds(at.run, args.rounds)

    ratio = overview_seconds / baseline_seconds
    within = overview_seconds < BUDGET_SECONDS
    print(f"data: {CONTRACTS} contracts × {QUARTERS} quarters; Overview grid of {grid_rows} indicators")
    print(f"baseline rerun (sidebar only):   {baseline_seconds * 1000:7.1f} ms")
    print(f"Overview, cold (caches filling): {cold_seconds * 1000:7.1f} ms")
    print(f"Overview, warm rerun:            {overview_seconds * 1000:7.1f} ms  "
          f"(median of {args.rounds})")
    print(f"ratio warm Overview ÷ baseline:  {ratio:7.2f}")
    print(f"budget {BUDGET_SECONDS * 1000:.0f} ms: {'met' if within else 'MISSED'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
