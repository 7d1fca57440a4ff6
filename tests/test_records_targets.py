"""Targets: a change applies from its quarter on, and the history is kept."""

import pytest

from models.periods import Quarter
from records.contracts import add_contract
from records.targets import editable_targets, save_target_edits, set_target, target_history, targets_in_force
from sample_data.contract import CONTRACT, SERVICES
from tests.actors import ADMIN, admin


@pytest.fixture
def db(engine):
    add_contract(engine, **CONTRACT, services=SERVICES, actor=ADMIN)
    return engine


def _occupancy_target(db, quarter):
    held = targets_in_force(db, "ASC0013", quarter, ADMIN).set_index("indicator")
    return held.loc["RF-OCC", "value"] if "RF-OCC" in held.index else None


def test_a_change_applies_from_its_quarter_on(db):
    set_target(db, "ASC0013", "RF-OCC", 0.95, 0.05, "higher", Quarter(2014, 2), admin("lead"))
    set_target(db, "ASC0013", "RF-OCC", 0.90, 0.05, "higher", Quarter(2016, 3), admin("commissioner"))
    assert _occupancy_target(db, Quarter(2014, 1)) is None          # before any target
    assert _occupancy_target(db, Quarter(2016, 2)) == pytest.approx(0.95)
    assert _occupancy_target(db, Quarter(2016, 3)) == pytest.approx(0.90)
    assert _occupancy_target(db, Quarter(2018, 1)) == pytest.approx(0.90)


def test_a_correction_in_the_same_quarter_wins_and_both_stay_in_the_history(db):
    set_target(db, "ASC0013", "FS-WAIT", 42, 14, "lower", Quarter(2016, 1), admin("first"))
    set_target(db, "ASC0013", "FS-WAIT", 35, 7, "lower", Quarter(2016, 1), admin("second"))
    held = targets_in_force(db, "ASC0013", Quarter(2016, 2), ADMIN).set_index("indicator")
    assert held.loc["FS-WAIT", "value"] == 35
    history = target_history(db, "ASC0013", ADMIN, "FS-WAIT")
    assert list(history["value"]) == [35, 42]                      # newest first
    assert list(history["created_by"]) == ["second", "first"]
    assert history["created_at"].notna().all()


def test_the_edit_table_shows_percentages_in_points(db):
    set_target(db, "ASC0013", "OS-SAFE48", 0.75, 0.10, "higher", Quarter(2014, 2), admin("lead"))
    table = editable_targets(db, "ASC0013", Quarter(2016, 3), ADMIN).set_index("indicator")
    assert table.loc["OS-SAFE48", "target"] == pytest.approx(75)
    assert table.loc["OS-SAFE48", "tolerance"] == pytest.approx(10)
    assert table.loc["OS-SAFE48", "in_force_from"] == "2014/15 Q2"
    assert table.loc["OS-PEOPLE"].isna()["target"]                 # no target: blank, not 0


def test_saving_edits_stores_only_the_changed_rows_from_the_chosen_quarter(db):
    set_target(db, "ASC0013", "OS-SAFE48", 0.75, 0.10, "higher", Quarter(2014, 2), admin("lead"))
    set_target(db, "ASC0013", "FS-ACTIVE", 20, 5, "higher", Quarter(2014, 2), admin("lead"))
    table = editable_targets(db, "ASC0013", Quarter(2017, 1), ADMIN)
    table.loc[table["indicator"] == "OS-SAFE48", "target"] = 80.0
    table.loc[table["indicator"] == "FS-REFS", ["target", "tolerance"]] = [100.0, 10.0]
    changed = save_target_edits(db, "ASC0013", table, Quarter(2017, 1), admin("jo"), note="Agreed at review")
    assert sorted(changed) == ["FS-REFS", "OS-SAFE48"]
    after = targets_in_force(db, "ASC0013", Quarter(2017, 1), ADMIN).set_index("indicator")
    assert after.loc["OS-SAFE48", "value"] == pytest.approx(0.80)
    assert after.loc["FS-REFS", "value"] == pytest.approx(100)
    assert after.loc["FS-ACTIVE", "created_by"] == "lead"          # untouched row: no new row
    before = targets_in_force(db, "ASC0013", Quarter(2016, 4), ADMIN).set_index("indicator")
    assert before.loc["OS-SAFE48", "value"] == pytest.approx(0.75)
    assert "FS-REFS" not in before.index
    assert len(target_history(db, "ASC0013", ADMIN)) == 4


def test_a_target_cannot_be_blanked_and_nothing_is_stored(db):
    set_target(db, "ASC0013", "OS-SAFE48", 0.75, 0.10, "higher", Quarter(2014, 2), admin("lead"))
    table = editable_targets(db, "ASC0013", Quarter(2017, 1), ADMIN)
    table.loc[table["indicator"] == "OS-SAFE48", "target"] = None
    table.loc[table["indicator"] == "OS-ASSESS", "target"] = 70.0
    with pytest.raises(ValueError, match="cannot be removed"):
        save_target_edits(db, "ASC0013", table, Quarter(2017, 1), admin("jo"))
    assert len(target_history(db, "ASC0013", ADMIN)) == 1


def test_bad_targets_are_refused_in_plain_words(db):
    with pytest.raises(ValueError, match="higher.*lower"):
        set_target(db, "ASC0013", "RF-OCC", 0.9, 0.05, "up", Quarter(2016, 1), admin("jo"))
    with pytest.raises(ValueError, match="0 or more"):
        set_target(db, "ASC0013", "RF-OCC", -1, 0.05, "higher", Quarter(2016, 1), admin("jo"))
    with pytest.raises(ValueError, match="no indicator"):
        set_target(db, "ASC0013", "XX-NOPE", 1, 0, "higher", Quarter(2016, 1), admin("jo"))


def test_a_percentage_target_reads_back_in_the_points_it_was_typed_in():
    from models.contract_types import get_type
    from records.targets import from_display, to_display

    indicators = get_type("domestic-abuse").indicators_by_code
    risk_up, active = indicators["OS-RISKUP"], indicators["FS-ACTIVE"]
    for points in (7, 95, 60.5, 0.1):
        assert to_display(risk_up, from_display(risk_up, points)) == points
    assert to_display(active, 20) == 20      # people are not scaled
