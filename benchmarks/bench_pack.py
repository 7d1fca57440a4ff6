"""How long the meeting pack for one quarter takes, cold and warm, and what its charts cost.

``python -m benchmarks.bench_pack [--contract REF] [--rounds N]``: loads the sample into a
fresh SQLite database, then, for ASC0013 2016/17 Q3 (or another sample contract's latest
quarter held):

- **cold, command line**: ``python -m reports pack`` in a fresh interpreter, wall clock
  (best of the rounds, the median beside it), against the target of 2 seconds. Its floor,
  measured in the same rounds, is a fresh interpreter importing the libraries the pack cannot
  do without (pandas, SQLAlchemy, openpyxl, ReportLab) and doing nothing else; the command
  less its floor is what the product itself costs (its own modules, the contract type, the
  reading, the writing). The run also says which heavy libraries the command imports beyond
  the floor (it should import no Alembic, Plotly or Streamlit), and whether this Python
  compiles the product's modules from source on every start (``PYTHONDONTWRITEBYTECODE``).
- **cold, in a process**: the first ``build_pack`` in a fresh interpreter (its own modules
  imported, nothing cached), as the first download from a freshly started dashboard makes it.
- **warm**: ``build_pack`` again in the same process (later quarters, other people), best
  of the rounds, with and without charts. The pack without charts is the baseline: the ratio
  says what drawing the charts (vector graphics, no browser) adds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import settings

TARGET_SECONDS = 2.0
#: What the pack cannot do without: the indicators are pandas, the records SQLAlchemy's ORM,
#: the workbook openpyxl and the PDF ReportLab.
FLOOR_MODULES = ("pandas", "sqlalchemy.orm", "openpyxl", "reportlab.platypus")
IMPORT_FLOOR = f"import {', '.join(FLOOR_MODULES)}"
#: Libraries worth naming when the command imports them beyond the floor.
HEAVY = ("pydantic", "alembic", "plotly", "streamlit", "pyarrow", "numpy", "xlsxwriter",
         "reportlab.graphics", "psycopg", "holidays", "python_calamine", "PIL")
#: The command run in a fresh interpreter as ``python -m`` runs it, then what it imported.
IMPORTED = """
import runpy, sys
sys.argv = ["reports", *sys.argv[1:]]
try:
    runpy.run_module("reports", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""
FIRST_PACK = """
import sys, time
start = time.perf_counter()
from models.database import make_engine
from models.periods import Quarter
from reports import build_pack
from users.access import local_actor
engine = make_engine(sys.argv[1])
pack = build_pack(engine, sys.argv[2], Quarter(int(sys.argv[3]), int(sys.argv[4])),
                  actor=local_actor("bench", via="command line"))
print(time.perf_counter() - start, pack.timings["total"])
"""


def _best_median(times: list[float]) -> str:
    return f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"


def _beyond_floor(command: list[str], env: dict) -> list[str]:
    """The heavy libraries the command imports that the floor does not."""
    arguments = command[command.index("reports") + 1:]
    done = subprocess.run([sys.executable, "-c", IMPORTED, *arguments], cwd=settings.ROOT, env=env,
                          check=True, capture_output=True, text=True)
    imported = set(done.stdout.splitlines()[-1].split())     # the last line: after the command's own
    floor = subprocess.run([sys.executable, "-c", f"{IMPORT_FLOOR}; import sys; print(' '.join(sys.modules))"],
                           cwd=settings.ROOT, check=True, capture_output=True, text=True)
    in_floor = set(floor.stdout.split())
    return [name for name in HEAVY if name in imported and name not in in_floor]


def _wall(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=settings.ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pack")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contract", default="ASC0013", help="a sample contract (default ASC0013)")
    args = parser.parse_args(argv)

    from models.database import make_engine, migrate
    from models.periods import Quarter
    from reports import build_pack
    from reports.content import quarters_held
    from sample_data.load import load_sample
    from users.access import local_actor

    bench = local_actor("bench", via="command line")

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        engine = make_engine(url)
        migrate(engine)
        load_sample(engine)
        held = quarters_held(engine, args.contract, bench)
        if not held:
            print(f"The sample holds no return for {args.contract}.")
            engine.dispose()
            return 1
        quarter = Quarter(2016, 3) if Quarter(2016, 3) in held else held[-1]
        print(f"Meeting pack for {args.contract} {quarter.label}, {args.rounds} rounds "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, "-m", "reports", "pack", "--contract", args.contract,
                   "--year", quarter.fiscal_year, "--quarter", str(quarter.quarter),
                   "--out", str(Path(folder) / "out")]
        beyond = _beyond_floor(command, env)
        cli, floor, first, first_pack = [], [], [], []
        for _ in range(args.rounds):
            cli.append(_wall(command, env))
            floor.append(_wall([sys.executable, "-c", IMPORT_FLOOR]))
            done = subprocess.run([sys.executable, "-c", FIRST_PACK, url, args.contract,
                                   str(quarter.year), str(quarter.quarter)],
                                  cwd=settings.ROOT, check=True, capture_output=True, text=True)
            with_imports, pack_only = (float(x) for x in done.stdout.split())
            first.append(with_imports)
            first_pack.append(pack_only)

        warm: dict[bool, list[dict]] = {True: [], False: []}
        for _ in range(args.rounds):
            for charts in (True, False):
                pack = build_pack(engine, args.contract, quarter, actor=bench, charts=charts)
                warm[charts].append(dict(pack.timings))
        size = len(pack.pdf)
        engine.dispose()

    best = {charts: min(rounds, key=lambda t: t["total"]) for charts, rounds in warm.items()}
    print(f"Cold, command line (python -m reports pack, wall clock): {_best_median(cli)}   "
          f"target {TARGET_SECONDS:.0f} s (best): {'met' if min(cli) <= TARGET_SECONDS else 'NOT MET'}"
          f"{'' if min(cli) <= TARGET_SECONDS else f', {min(cli) - TARGET_SECONDS:.2f} s over'}")
    print(f"  floor: a fresh interpreter importing what the pack cannot do without "
          f"({IMPORT_FLOOR}): {_best_median(floor)}")
    print(f"  command line - floor (the product's own modules, reading, writing): "
          f"{min(cli) - min(floor):.2f} s best; command line / floor = {min(cli) / min(floor):.1f}; "
          f"the 2 s target leaves {TARGET_SECONDS - min(floor):.2f} s above the floor")
    print(f"  imported beyond the floor: {', '.join(beyond) or 'nothing heavy'}")
    if sys.flags.dont_write_bytecode:
        print("  note: PYTHONDONTWRITEBYTECODE is set here, so every start compiles the product's "
              "modules from source (no __pycache__); an installation that keeps its .pyc files "
              "starts faster")
    print(f"Cold, in a fresh process: first build_pack {min(first_pack):.2f} s "
          f"({min(first):.2f} s with importing the product's modules)   target {TARGET_SECONDS:.0f} s: "
          f"{'met' if min(first_pack) <= TARGET_SECONDS else 'NOT MET'}")
    print("Warm, best round (seconds):")
    for step in best[True]:
        print(f"  {step:<10} {best[True][step]:6.2f} with charts   {best[False].get(step, 0):6.2f} without")
    ratio = best[True]["total"] / best[False]["total"]
    print(f"Baseline (the same pack without charts): {best[False]['total']:.2f} s; "
          f"with charts / without = {ratio:.2f} (charts add {best[True]['total'] - best[False]['total']:.2f} s, "
          f"drawn as vector graphics: no browser). PDF {size / 1e3:.0f} KB.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
