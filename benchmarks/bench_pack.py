"""How long the meeting pack for one quarter takes, and where the time goes.

``python -m benchmarks.bench_pack [--contract REF]``: loads the sample into a
fresh SQLite database, then makes the pack for ASC0013 2016/17 Q3 (or for another
sample contract, of whatever type, its latest quarter held) (PDF with its charts,
and the workbook) ``--rounds`` times in this process, and reports for the best round
the seconds of each step (content, chart figures, workbook, waiting for the
charts, PDF) against the budget of 10 seconds.

The baseline, measured in the same run, is the least any pack with Plotly charts
through kaleido must spend: start Chromium, draw one small figure, close it. The
ratio pack / baseline says how much the pack adds to that floor, whatever the
machine's speed or load.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 10.0


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the browser, once closed)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline_seconds() -> float:
    """Start Chromium through kaleido, draw one small figure, close it."""
    import plotly.graph_objects as go

    from reports.images import render_png

    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2]), layout=dict(width=300, height=200))
    start = time.perf_counter()
    render_png([figure], scale=1)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pack")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contract", default="ASC0013", help="a sample contract (default ASC0013)")
    args = parser.parse_args(argv)

    from data_ingest.sample import load_sample
    from models.database import make_engine, migrate
    from models.periods import Quarter
    from reports import build_pack
    from reports.content import quarters_held
    from users.access import local_actor

    bench = local_actor("bench", via="command line")

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
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
        rounds = []
        for n in range(args.rounds):
            python_cpu, browser_cpu = time.process_time(), _children_cpu()
            pack = build_pack(engine, args.contract, quarter, actor=bench)
            timings = dict(pack.timings)
            timings["cpu: python"] = time.process_time() - python_cpu
            timings["cpu: browser"] = _children_cpu() - browser_cpu
            rounds.append(timings)
            print(f"  round {n + 1}: {timings['total']:.2f} s "
                  f"(PDF {len(pack.pdf) / 1e6:.1f} MB, workbook {len(pack.xlsx) / 1e3:.0f} KB; "
                  f"CPU {timings['cpu: python']:.2f} s Python, {timings['cpu: browser']:.2f} s Chromium)")
        baselines = [baseline_seconds() for _ in range(args.rounds)]
        engine.dispose()

    best = min(rounds, key=lambda t: t["total"])
    base = min(baselines)
    print("Where the time goes (best round, wall-clock seconds):")
    for step, seconds in best.items():
        if step != "total" and not step.startswith("cpu"):
            print(f"  {step:<20} {seconds:6.2f} s")
    print("  (the browser starts in the background while the content and figures are made; "
          "the workbook is written while it draws)")
    print(f"  {'total':<20} {best['total']:6.2f} s   budget {BUDGET_SECONDS:.0f} s: "
          f"{'within' if best['total'] <= BUDGET_SECONDS else 'OVER'}")
    print(f"  CPU used: {best['cpu: python']:.2f} s in Python, {best['cpu: browser']:.2f} s in Chromium "
          "(on a machine with nothing else running, the two overlap on its two cores)")
    print(f"Baseline (start Chromium, draw one figure, close): {base:.2f} s; "
          f"pack / baseline = {best['total'] / base:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
