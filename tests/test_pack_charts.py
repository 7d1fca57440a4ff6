"""The pack's charts and the dashboard's come from one description, and the PDF draws them.

One description per chart (``figures.trend``): the dashboard's Plotly figure and the
pack's vector drawing are both made from it, so for one indicator the two show the same
quarters, values, targets, amber band and RAG. The pack is made without a browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import settings
from dashboard import charts, views
from figures.trend import trend_chart
from indicators.engine import indicators_for
from models.contract_types import get_type
from models.periods import Quarter
from reports import build_pack
from reports.content import gather
from reports.figures import indicator_chart, service_drawings
from tests.actors import ADMIN

REFERENCE = "ASC0013"
Q3 = Quarter(2016, 3)
CODE = "OS-SAFE48"     # a percentage with a target and a tolerance: line, band, target, RAG


def _dashboard_rows(engine, labels):
    catalogue = get_type("domestic-abuse")
    rows = views.trend_rows(indicators_for(engine, REFERENCE), catalogue, CODE)
    return catalogue, rows[rows["label"].isin(labels)].reset_index(drop=True)


def test_the_pack_chart_is_the_dashboard_chart_of_the_same_quarters(sample_engine):
    content = gather(sample_engine, REFERENCE, Q3, actor=ADMIN, suppress=False)
    section = next(s for s in content.sections if any(line.code == CODE for line in s.indicators))
    line = next(line for line in section.indicators if line.code == CODE)
    pack = indicator_chart(line, section.history[CODE], Q3.label)
    catalogue, rows = _dashboard_rows(sample_engine, pack.labels)
    ind = catalogue.indicators_by_code[CODE]
    screen = trend_chart(rows.to_dict("records"), ind.short, ind.unit, highlight=Q3.label)

    def marks(chart):
        return [(p.label, round(p.value, 9), p.target, None if p.edge is None else round(p.edge, 9), p.rag)
                for p in chart.points]

    assert len(pack.points) == 8 and pack.labels[-1] == Q3.label
    assert marks(pack) == marks(screen)
    assert pack.has_band and pack.axis == screen.axis
    assert [m.name for m in pack.markers()] == [m.name for m in screen.markers()]

    # The dashboard's Plotly figure is drawn from that description: the same line and target.
    figure = charts.trend(rows, ind.short, ind.unit, highlight=Q3.label)
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces["Value"].y) == pytest.approx(pack.values)
    assert list(traces["Target"].y) == pytest.approx(pack.targets)
    assert list(traces["Amber band (tolerance)"].y) == pytest.approx([p.edge for p in pack.points])
    amber = next(m for m in pack.markers() if m.rag == "amber")
    assert list(traces[amber.name].x) == [p.label for p in amber.points]


def test_the_overview_and_the_pack_word_an_indicator_alike(sample_engine):
    """One summary (figures.summary): "x of y", value, target and RAG as the Overview's grid."""
    content = gather(sample_engine, REFERENCE, Q3, actor=ADMIN, suppress=False)
    catalogue = get_type("domestic-abuse")
    grid = views.overview_grid(indicators_for(sample_engine, REFERENCE), catalogue, Q3).set_index("indicator")
    checked = 0
    for line in content.summary:
        if line.code not in grid.index:
            continue
        row = grid.loc[line.code]
        assert (line.quarter.text, line.fraction_text, line.target_text) == (
            row["Quarter"], row["Counts"], row["Target"]), line.code
        assert row["RAG"].endswith(line.rag.capitalize()), line.code
        checked += 1
    assert checked >= 5


def test_the_pdf_draws_the_charts_as_vector_graphics(sample_engine, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdftoppm) must be installed in CI")
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    pack = build_pack(sample_engine, REFERENCE, Q3, actor=ADMIN)
    assert b"/Subtype /Image" not in pack.pdf          # no picture of a chart: vector marks
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / "page")], check=True)
    band_pages = line_pages = 0
    for image in sorted(tmp_path.glob("page-*.png")):
        rgb = np.asarray(Image.open(image).convert("RGB")).reshape(-1, 3).astype(int)
        r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
        # The amber band (#E69F00 at 18% on white) and the line (#0072B2).
        band = int(((r >= 245) & (r <= 253) & (g >= 230) & (g <= 240) & (b >= 200) & (b <= 215)).sum())
        blue = int(((r < 40) & (g >= 90) & (g <= 135) & (b > 150)).sum())
        band_pages += band > 50
        line_pages += blue > 40
    assert band_pages >= 1 and line_pages >= 4


def test_each_service_has_a_legend_and_a_row_per_two_charts(sample_engine):
    content = gather(sample_engine, REFERENCE, Q3, actor=ADMIN)
    for section in content.sections:
        drawings = service_drawings(section, Q3.label, 480)
        rows = -(-len(section.indicators) // 2)
        assert len(drawings) == rows + 1, section.name


def test_the_pack_needs_no_browser(sample_engine):
    """Made in a fresh interpreter: neither Plotly nor kaleido is imported."""
    url = sample_engine.url.render_as_string(hide_password=False)
    script = (
        "import sys\n"
        "from models.database import make_engine\nfrom models.periods import Quarter\n"
        "from reports import build_pack\nfrom tests.actors import ADMIN\n"
        f"pack = build_pack(make_engine({url!r}), {REFERENCE!r}, Quarter(2016, 3), actor=ADMIN)\n"
        "assert pack.pdf.startswith(b'%PDF')\n"
        "print(sorted(m for m in ('plotly', 'kaleido', 'choreographer') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=settings.ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
