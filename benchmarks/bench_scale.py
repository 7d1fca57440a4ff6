"""The data-version token and the Overview's warm rerun on a large PostgreSQL database.

    python -m benchmarks.bench_scale [--contracts 500] [--quarters 40] [--rounds 15] [--database-url URL]

Builds ``--contracts`` × ``--quarters`` current submissions of every version-1
measure of the domestic-abuse type (the sample's 2016/17 Q3 values varied at
random) in a PostgreSQL database: a throwaway server started here from the
machine's PostgreSQL (as the tests do), or ``--database-url``. Reported, each the
median of the rounds:

- the data-version token (``records.data_version``), against a baseline of one
  ``SELECT 1`` round trip on the same connection pool (target ≤ 5 ms);
- a warm rerun of the Overview in Streamlit's AppTest, against a rerun of a
  script that only draws the sidebar's two choosers (target ≤ 300 ms).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sqlalchemy import text

from benchmarks import bulk
from benchmarks.timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
TOKEN_BUDGET, OVERVIEW_BUDGET = 0.005, 0.300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=500)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a throwaway server)")
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    from models.database import make_engine, migrate
    from records.data_version import data_version

    server = None
    url = args.database_url
    if url is None:
        sys.path.insert(0, str(ROOT))
        from tests import postgres_server

        server = postgres_server.start()
        url = server.url
    try:
        engine = make_engine(url)
        migrate(engine)
        started = time.perf_counter()
        bulk.fill(engine, args.contracts, args.quarters, commentary=True)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            rows = connection.execute(text("SELECT count(*) FROM measure_value")).scalar()
        print(f"built {args.contracts} contracts × {args.quarters} quarters ({rows:,} figures) "
              f"in {time.perf_counter() - started:.0f} s")

        def select_one():
            with engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar()

        select_one()
        token_baseline = median_seconds(select_one, args.rounds * 4)
        token = median_seconds(lambda: data_version(engine), args.rounds * 4)

        os.environ["DATABASE_URL"] = url
        baseline = AppTest.from_string(bulk.sidebar_script(args.contracts, args.quarters, "Overview"),
                                          default_timeout=300)
        baseline.run()
        baseline_seconds = median_seconds(baseline.run, args.rounds)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.query_params["contract"] = bulk.reference(3)
        at.run()
        at.switch_page("pages/overview.py")
        at.run()
        if at.exception:
            print("the Overview raised:", at.exception[0].value, file=sys.stderr)
            return 2
        overview = median_seconds(at.run, args.rounds)
        engine.dispose()
    finally:
        if server is not None:
            server.stop()

    print(f"data-version token:  {token * 1000:7.2f} ms  ({token / token_baseline:.1f} × a SELECT 1 "
          f"round trip of {token_baseline * 1000:.2f} ms)  budget {TOKEN_BUDGET * 1000:.0f} ms: "
          f"{'met' if token <= TOKEN_BUDGET else 'MISSED'}")
    print(f"Overview warm rerun: {overview * 1000:7.1f} ms  ({overview / baseline_seconds:.1f} × a "
          f"sidebar-only rerun of {baseline_seconds * 1000:.1f} ms)  budget {OVERVIEW_BUDGET * 1000:.0f} ms: "
          f"{'met' if overview <= OVERVIEW_BUDGET else 'MISSED'}")
    return 0 if token <= TOKEN_BUDGET and overview <= OVERVIEW_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
