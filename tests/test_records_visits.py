"""Quality visits: recorded per service, scores charted over the years, edits traced."""

from datetime import date

import pytest

from records.changes import change_history
from records.contracts import NotFound, add_contract
from records.visits import add_visit, scores_by_year, update_visit, visits
from sample_data.contract import CONTRACT, QUALITY_VISITS, SERVICES
from tests.actors import ADMIN, admin


@pytest.fixture
def db(engine):
    add_contract(engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    return engine


def test_the_2016_visits_round_trip(db):
    for visit in QUALITY_VISITS:
        add_visit(db, "ASC0013", actor=admin("officer"), **visit)
    held = visits(db, "ASC0013", ADMIN).set_index("service")
    assert held.loc["Refuge", "score"] == pytest.approx(0.83)
    assert held.loc["Refuge", "score_after"] == pytest.approx(0.90)
    assert held.loc["One Stop", "score_after"] == pytest.approx(0.94)
    assert held.loc["Fresh Start", "visit_date"] == date(2016, 6, 29)
    assert held.loc["Fresh Start", "summary"].startswith("Actions on staff training")
    assert set(held["created_by"]) == {"officer"}


def test_scores_by_year_for_the_chart(db):
    add_visit(db, "ASC0013", "Refuge", date(2016, 6, 15), 0.83, 0.90, "", actor=admin("a"))
    add_visit(db, "ASC0013", "Refuge", date(2017, 6, 1), 0.88, None, "no plan needed", actor=admin("a"))
    chart = scores_by_year(visits(db, "ASC0013", ADMIN))
    refuge = chart[chart["service"] == "Refuge"]
    assert list(zip(refuge["year"], refuge["stage"], refuge["score"].round(2), strict=True)) == [
        (2016, "Visit", 0.83), (2016, "After action plan", 0.90), (2017, "Visit", 0.88)]
    # the 2017 visit had no score after a plan: left out, never charted as 0


def test_scores_outside_0_to_100_percent_are_refused(db):
    with pytest.raises(ValueError, match="between 0% and 100%"):
        add_visit(db, "ASC0013", "Refuge", date(2017, 6, 1), 83, None, actor=ADMIN)
    assert visits(db, "ASC0013", ADMIN).empty


def test_an_unknown_service_is_named(db):
    with pytest.raises(NotFound, match="no service 'Outreach'"):
        add_visit(db, "ASC0013", "Outreach", date(2017, 6, 1), 0.8, actor=ADMIN)


def test_an_edit_is_logged_with_who_and_the_old_value(db):
    visit_id = add_visit(db, "ASC0013", "Refuge", date(2016, 6, 15), 0.83, None, "", actor=admin("a"))
    assert update_visit(db, visit_id, admin("b"), score_after=0.90, score=0.83) == ["score_after"]
    assert visits(db, "ASC0013", ADMIN).loc[0, "score_after"] == pytest.approx(0.90)
    log = change_history(db, "quality_visit", visit_id)
    assert log.loc[0, ["field", "old_value", "new_value", "changed_by"]].tolist() == [
        "score_after", None, "0.9", "b"]
