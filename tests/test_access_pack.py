"""The meeting pack as each person may see it, enforced in ``reports`` itself.

A provider's staff always get the suppressed pack, of their own organisation's contracts
only, with only the actions, meetings and escalation changes shared with the provider.
"""

from __future__ import annotations

from datetime import date

import pytest

from models.periods import Quarter
from records import actions, escalation, meetings
from reports import build_pack
from reports.__main__ import main
from reports.content import gather, quarters_held
from users import NotAllowed, actor_for, grant, local_actor

SETUP = local_actor("setup", via="command line")
REF = "ASC0013"
Q3 = Quarter(2016, 3)
TODAY = date(2017, 4, 10)


@pytest.fixture
def db(sample_copy):
    grant(sample_copy, "staff@mkact.example", "provider", SETUP, provider="MK ACT")
    grant(sample_copy, "staff@compass.example", "provider", SETUP, provider="Compass Recovery (illustrative)")
    grant(sample_copy, "viewer@council.example", "viewer", SETUP)
    officer = local_actor("officer", via="command line")
    actions.add_action(sample_copy, REF, "Internal: check the provider's finances", actor=officer)
    actions.add_action(sample_copy, REF, "Shared: send the refuge plan", shared_with_provider=True,
                       actor=officer)
    meetings.add_meeting(sample_copy, REF, date(2017, 2, 14), Q3, "Internal notes", actor=officer)
    escalation.change_stage(sample_copy, REF, "Stage 2: improvement plan", date(2017, 1, 5),
                            "Internal reason", officer)
    return sample_copy


def test_a_provider_gets_the_suppressed_pack_with_only_what_is_shared(db):
    staff = actor_for(db, "staff@mkact.example")
    content = gather(db, REF, Q3, actor=staff, suppress=False, today=TODAY)
    assert content.suppressed
    assert [a["text"] for a in content.actions] == ["Shared: send the refuge plan"]
    assert content.escalation == "Routine monitoring"
    assert content.meeting_date is None            # the meeting was not shared


def test_the_council_gets_every_record_and_may_have_all_figures(db):
    viewer = actor_for(db, "viewer@council.example")
    content = gather(db, REF, Q3, actor=viewer, suppress=False, today=TODAY)
    assert not content.suppressed
    assert {a["text"] for a in content.actions} == {"Internal: check the provider's finances",
                                                     "Shared: send the refuge plan"}
    assert content.escalation == "Stage 2: improvement plan"
    assert content.meeting_date == date(2017, 2, 14)
    assert gather(db, REF, Q3, actor=viewer, today=TODAY).suppressed


def test_the_provider_pack_files_are_the_suppressed_ones(db):
    staff = actor_for(db, "staff@mkact.example")
    pack = build_pack(db, REF, Q3, suppress=False, actor=staff, charts=False, today=TODAY)
    assert pack.suppressed and "council only" not in pack.name
    council = build_pack(db, REF, Q3, suppress=False, actor=SETUP, charts=False, today=TODAY)
    assert not council.suppressed and "council only" in council.name


@pytest.mark.parametrize("email", ["staff@compass.example", "nobody@example.org"])
def test_another_providers_pack_is_refused(db, email):
    person = actor_for(db, email)
    with pytest.raises(NotAllowed, match=REF):
        gather(db, REF, Q3, actor=person)
    with pytest.raises(NotAllowed):
        build_pack(db, REF, Q3, actor=person, charts=False)
    with pytest.raises(NotAllowed):
        quarters_held(db, REF, person)


def test_the_command_line_makes_the_councils_pack(db, tmp_path, capsys):
    url = db.url.render_as_string(hide_password=False)
    assert main(["pack", "--contract", REF, "--year", "2016/17", "--quarter", "3", "--out", str(tmp_path),
                 "--all-figures", "--no-charts", "--database", url, "--user", "jo"]) == 0
    assert "all figures: council use only" in capsys.readouterr().out
    assert (tmp_path / "pack.pdf").exists()
