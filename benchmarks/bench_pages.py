"""How fast the pages open in a real browser (headless Debian Chromium) on the sample.

    python -m benchmarks.bench_pages [--rounds N]

Loads the sample into a temporary SQLite database, starts the dashboard
(``python -m dashboard``) and, in the same run, a one-line Streamlit app as the
baseline. Reported, each the median of the rounds:

- baseline: a full reload of the one-line app until it has finished running;
- first visit: the Overview opened on a freshly started server, once it listens (target ≤ 3 s;
  ``python -m dashboard`` gets ready before it listens, and the time that takes is printed);
- each page: a full reload on a warm server until the script has finished and its
  charts are drawn (target ≤ 2 s);
- pack downloads: the meeting pack's PDF from the Overview, the first download of the
  quarter (target ≤ 2 s) and the next (kept: target ≤ 0.5 s);
- quarter change: choosing another quarter in the sidebar on the Overview, one not opened
  before each time, from choosing it until the Overview of that quarter is drawn (target ≤ 0.5 s);

each with its ratio to the baseline. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = settings.CHROMIUM
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LINK = "?contract=ASC0013&quarter=2016-17-Q3"
PAGES = ["portfolio", "overview", "one_stop", "refuge", "fresh_start", "finance", "history", "targets",
         "returns", "meeting"]
TARGETS = {"first visit": 3.0, "page": 2.0, "quarter change": 0.5,
           # "Later ones immediate": no making, only sending the file kept.
           "first pack download": 2.0, "next pack download": 0.5}
#: The quarters chosen in turn on the Overview (the link opens 2016/17 Q3).
QUARTERS = ("2016/17 Q2", "2016/17 Q1", "2015/16 Q4", "2015/16 Q3", "2015/16 Q2", "2015/16 Q1",
            "2014/15 Q4", "2014/15 Q3", "2014/15 Q2")
BASELINE_APP = "import streamlit as st\nst.title('Baseline')\n"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _server(command: list[str], env: dict[str, str], cwd: Path, log: Path, started: dict | None = None):
    """The server on a free port; ``started["seconds"]``: how long it took to listen."""
    port = _free_port()
    begun = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--server.headless", "true", "--server.port", str(port),
                                    "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
                                    "--browser.gatherUsageStats", "false"],
                                   cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            if started is not None:
                started["seconds"] = time.perf_counter() - begun
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _ready(page) -> None:
    """Until the script has finished running and every chart on the page is drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
        timeout=60_000)


def _pack_downloads(page) -> dict[str, float]:
    """The meeting pack's PDF from the Overview: the first download of the quarter (the pack is
    made then) and the next one, each from the click until the browser has the whole file."""
    page.get_by_text("Meeting pack for this quarter").click()
    button = page.get_by_role("button", name="Meeting pack (PDF)")
    times = {}
    for name in ("first pack download", "next pack download"):
        start = time.perf_counter()
        with page.expect_download() as download:
            button.click()
        download.value.path()       # until the file is whole
        times[name] = time.perf_counter() - start
    return times


def _timed(action, page) -> float:
    start = time.perf_counter()
    action()
    _ready(page)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help=f"at most {len(QUARTERS)}")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from models.database import make_engine, migrate
    from sample_data.load import load_sample

    folder = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    try:
        database = folder / "sample.sqlite"
        engine = make_engine(f"sqlite:///{database}")
        migrate(engine)
        load_sample(engine)
        engine.dispose()
        (folder / "baseline.py").write_text(BASELINE_APP)
        env = {"DATABASE_URL": f"sqlite:///{database}"}
        results: dict[str, float] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            with _server([sys.executable, "-m", "streamlit", "run", str(folder / "baseline.py")], env,
                         ROOT, folder / "baseline.log") as url:
                page.goto(url)
                _ready(page)
                results["baseline"] = statistics.median(
                    _timed(lambda: page.reload(), page) for _ in range(args.rounds))
            started: dict[str, float] = {}
            with _server([sys.executable, "-m", "dashboard"], env, ROOT, folder / "dashboard.log",
                         started) as url:
                results["first visit"] = _timed(lambda: page.goto(f"{url}/overview{LINK}"), page)
                for name in PAGES:
                    page.goto(f"{url}/{name}{LINK}")
                    _ready(page)
                    results[name] = statistics.median(
                        _timed(lambda: page.reload(), page) for _ in range(args.rounds))
                page.goto(f"{url}/overview{LINK}")
                _ready(page)
                results.update(_pack_downloads(page))
                quarter = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Quarter")
                times = []
                # A quarter not opened before each time (the worst case: nothing cached for it).
                for label in QUARTERS[:args.rounds]:
                    # Type the quarter into the sidebar's chooser, as a keyboard user would; the
                    # time runs from choosing it (Enter) until its page is drawn.
                    quarter.click()
                    page.keyboard.type(label)
                    start = time.perf_counter()
                    page.keyboard.press("Enter")
                    page.get_by_test_id("stCaptionContainer").filter(has_text=f"· {label}").first.wait_for()
                    _ready(page)
                    times.append(time.perf_counter() - start)
                results["quarter change"] = statistics.median(times)
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    baseline = results["baseline"]
    missed = False
    print(f"{'what':<20} {'seconds':>8} {'× baseline':>11}  target")
    for name, seconds in results.items():
        target = TARGETS.get(name, None if name == "baseline" else TARGETS["page"])
        ok = target is None or seconds <= target
        missed |= not ok
        print(f"{name:<20} {seconds:8.2f} {seconds / baseline:11.1f}  "
              + ("" if target is None else f"≤ {target:g} s {'met' if ok else 'MISSED'}"))
    print(f"(the dashboard took {started['seconds']:.1f} s from starting to listening: it imports its code and "
          "computes the latest quarters before it listens; the one-line app needs none of that)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
