"""How long the engine takes for many contracts, and whether it grows linearly.

``python -m benchmarks.bench_indicators [--type NAME]``: synthesises 40 quarters
of every measure of a contract type (domestic-abuse by default) for N contracts
directly as a DataFrame (no database), times ``compute_indicators`` (every
indicator, both bases, with targets) for N = 50, 100 and 200, and reports
seconds, seconds per contract (flat means linear), and the ratio to a baseline
measured in the same run on the same frame: a plain pivot of the measures plus a
groupby-sum per contract and year, the least any engine must do with them.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from indicators.engine import compute_indicators
from models.catalogue import Catalogue
from models.contract_types import get_type
from models.periods import Quarter

FIRST = Quarter(2014, 2)
QUARTERS = 40
BUDGET_SECONDS = 2.0


def synthesise(catalogue: Catalogue, contracts: int, quarters: int = QUARTERS, seed: int = 1):
    """Measures, contracts and targets for ``contracts`` contracts × ``quarters`` quarters of a type."""
    rng = np.random.default_rng(seed)
    references = np.array([f"C{i:04d}" for i in range(contracts)], dtype=object)
    periods = np.arange(FIRST.index, FIRST.index + quarters)
    codes = np.array([m.code for m in catalogue.measures], dtype=object)
    n = contracts * quarters * len(codes)
    values = rng.integers(0, 200, size=n).astype(float)
    values[rng.random(n) < 0.01] = np.nan            # some blanks: not reported
    measures = pd.DataFrame({
        "contract": np.repeat(references, quarters * len(codes)),
        "year": np.tile(np.repeat(periods // 4, len(codes)), contracts),
        "quarter": np.tile(np.repeat(periods % 4 + 1, len(codes)), contracts),
        "code": np.tile(codes, contracts * quarters),
        "value": values,
    })
    terms = pd.DataFrame({
        "contract": references, "start_date": date(2014, 9, 1),
        "initial_end_date": date(2024, 8, 31), "extended_end_date": None,
        "annual_value": 500_000.0,
    })
    targets = pd.DataFrame([
        {"contract": ref, "indicator": ind.code, "value": ind.target, "tolerance": ind.tolerance,
         "direction": ind.better, "effective_year": FIRST.year, "effective_quarter": FIRST.quarter,
         "created_at": None, "created_by": "bench"}
        for ref in references for ind in catalogue.indicators if ind.target is not None
    ])
    return measures, terms, targets


def baseline(measures: pd.DataFrame) -> pd.DataFrame:
    wide = measures.set_index(["contract", "year", "quarter", "code"])["value"].unstack("code")
    return wide.groupby(level=["contract", "year"]).sum()


def best_of(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_indicators")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--type", default="domestic-abuse", help="contract type (default domestic-abuse)")
    args = parser.parse_args(argv)
    catalogue = get_type(args.type)

    print(f"compute_indicators ({catalogue.name}): {len(catalogue.indicators)} indicators x 2 bases, "
          f"{QUARTERS} quarters, {len(catalogue.measures)} measures; best of {args.repeat}")
    print(f"{'contracts':>9} {'rows out':>9} {'seconds':>8} {'per contract (ms)':>18} "
          f"{'baseline (s)':>12} {'x baseline':>10}")
    per_contract = []
    largest = 0.0
    for size in args.sizes:
        measures, terms, targets = synthesise(catalogue, size)
        rows = len(compute_indicators(measures, terms, targets, catalogue))
        seconds = best_of(partial(compute_indicators, measures, terms, targets, catalogue), args.repeat)
        base = best_of(partial(baseline, measures), args.repeat)
        per_contract.append(seconds / size)
        largest = seconds
        print(f"{size:>9} {rows:>9} {seconds:>8.3f} {1000 * seconds / size:>18.2f} "
              f"{base:>12.3f} {seconds / base:>10.1f}")
    growth = per_contract[-1] / per_contract[0]
    print(f"per-contract time at {args.sizes[-1]} / at {args.sizes[0]}: {growth:.2f} "
          f"(1.0 is linear; below 1, fixed costs are spread thinner)")
    verdict = "within" if largest < BUDGET_SECONDS else "OVER"
    print(f"{args.sizes[-1]} contracts: {largest:.3f} s, {verdict} the {BUDGET_SECONDS:.0f} s budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
