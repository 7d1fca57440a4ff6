"""Lint and types are part of the test command: ruff (``ruff.toml``) and mypy (``mypy.ini``) report nothing.

Each runs as ``python -m ruff check .`` / ``python -m mypy`` from the repository root, with the
settings in the repository, so the test fails with exactly what a developer's own run shows.
Both keep their caches in the repository root (``.ruff_cache``, ``.mypy_cache``, each ignoring
itself in git): mypy's first run takes about a minute, later ones a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_reports_nothing():
    result = _run("ruff", "check", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check . found:\n{result.stdout}{result.stderr}"


def test_mypy_reports_nothing():
    result = _run("mypy")
    assert result.returncode == 0, f"mypy found:\n{result.stdout}{result.stderr}"
