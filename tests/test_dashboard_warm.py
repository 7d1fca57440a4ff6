"""``python -m dashboard`` gets ready before it listens (dashboard/warm.py): the first visitor
finds the app's code imported and the latest quarters computed."""

from __future__ import annotations

import logging

import pytest

from dashboard import cache, warm


def test_every_module_the_pages_import_is_found():
    names = warm.modules_imported()
    # Imported at the top of a page, inside a function of dashboard/, and a library.
    for name in ("dashboard.state", "dashboard.layout", "indicators.engine",
                 "reports", "plotly.graph_objects", "pandas", "streamlit"):
        assert name in names, name
    warm.import_modules(names)      # a name that is not a module is passed over, never an error


@pytest.fixture
def sample_copy_url(sample_copy, monkeypatch):
    url = sample_copy.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_after_warming_the_overview_and_portfolio_are_not_computed_again(sample_copy_url, monkeypatch):
    assert warm.warm().endswith("the latest quarter of 2 contracts.")
    import dashboard.portfolio
    import indicators.engine

    def computed_again(*args, **kwargs):
        raise AssertionError("computed again: the warm-up did not fill the cache")

    monkeypatch.setattr(indicators.engine, "indicators_for", computed_again)
    monkeypatch.setattr(dashboard.portfolio, "portfolio_table", computed_again)
    version = cache.data_version()
    assert len(cache.portfolio(version)) == 2
    for reference, type_name in (("ASC0013", "domestic-abuse"), ("ASC0042", "substance-misuse")):
        latest = cache.quarters(reference, version)[-1]
        view = cache.overview(reference, type_name, latest, version)
        assert not view["grid"].empty
        assert cache.narrative(reference, type_name, latest, version)


def test_a_database_that_cannot_be_used_is_left_for_the_pages_to_report(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "not-a-database.sqlite"
    folder.mkdir()      # a folder where the database file should be: SQLite cannot open it
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder}")
    with caplog.at_level(logging.WARNING, logger="dashboard.warm"):
        said = warm.warm()
    assert "Not made ready ahead of the first visit" in caplog.text
    assert said.endswith("of 0 contracts; 1 problem logged above.")


def test_a_database_that_does_not_answer_does_not_keep_the_dashboard_from_listening(monkeypatch):
    import threading

    answered = threading.Event()
    monkeypatch.setattr(warm, "warm", lambda: answered.wait(5) and "ready")
    assert "Still getting ready after 0 s" in warm.warm_before_listening(wait=0.2)
    answered.set()
