"""Sign-in and roles in the dashboard (Streamlit AppTest with ``at.user``; no browser).

With ``[auth]`` in the secrets every page needs sign-in; the role comes from the
product's database. Each role is shown its pages and no others, whatever page it
asks for; a person without a role sees only whom to ask. Without ``[auth]`` the
dashboard is in the local mode and says so on every page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from users import grant, local_actor

from .test_pages_entry import runs_through_app_py, texts  # noqa: F401  (the fixture is used)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "test-cookie-secret",
        "client_id": "contract-monitoring", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
PEOPLE = {"admin": "ada@council.example", "officer": "oliver@council.example",
          "viewer": "vera@council.example", "provider": "pat@mkact.example"}

#: Each page's file, its title, and the roles that may open it.
COUNCIL = {"admin", "officer", "viewer"}
EVERYONE = COUNCIL | {"provider"}
PAGES = [
    ("pages/overview.py", "Overview", EVERYONE),
    ("pages/upload.py", "Upload quarterly returns", {"admin", "officer", "provider"}),
    ("pages/history.py", "Submission history", EVERYONE),
    ("pages/returns.py", "Returns calendar", EVERYONE),
    ("pages/notifications.py", "Notifications", EVERYONE),
    ("pages/contracts.py", "Contracts", COUNCIL),
    ("pages/targets.py", "Targets", COUNCIL),
    ("pages/quality_visits.py", "Quality visits", COUNCIL),
    ("pages/actions.py", "Actions, escalation and meetings", COUNCIL),
    ("pages/meeting.py", "1 of 9: Cover", COUNCIL),
    ("pages/people.py", "People and roles", {"admin"}),
]


@pytest.fixture
def db(sample_copy, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sample_copy.url.render_as_string(hide_password=False))
    setup = local_actor("setup", via="command line")
    for role, email in PEOPLE.items():
        grant(sample_copy, email, role, setup, provider="MK ACT" if role == "provider" else None)
    return sample_copy


def signed_in(email: str | None, page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_without_sign_in_configured_every_page_says_sign_in_is_off(db):
    for page in ("pages/overview.py", "pages/upload.py", "pages/targets.py"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception
        assert any("Sign-in is off" in w.value for w in at.warning), page


def test_a_visitor_not_signed_in_sees_only_the_sign_in_page(db):
    for page in (None, "pages/upload.py", "pages/targets.py"):
        at = signed_in(None, page)
        assert [b.label for b in at.button] == ["Sign in"]
        assert not at.selectbox and not at.dataframe
        assert "ASC0013" not in texts(at)


def test_a_person_without_a_role_is_told_whom_to_ask_and_sees_nothing_else(db):
    at = signed_in("Stranger@Example.org", "pages/overview.py")
    said = texts(at)
    assert "stranger@example.org" in said.lower() and "not been given access" in said
    assert PEOPLE["admin"] in said
    assert not at.selectbox and not at.dataframe
    assert "ASC0013" not in said


@pytest.mark.parametrize("role", sorted(PEOPLE))
@pytest.mark.parametrize("page, title, allowed", PAGES, ids=[p[1] for p in PAGES])
def test_each_role_opens_exactly_its_pages(db, role, page, title, allowed):
    if role in allowed:
        at = signed_in(PEOPLE[role], page)
        assert title in texts(at), (role, page, titles(at))
    else:
        # Not in the role's navigation at all, so there is nothing to switch to (a URL to it
        # lands on the first page of the role's own).
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            signed_in(PEOPLE[role], page)


def test_a_provider_asking_for_another_providers_contract_by_url_gets_their_own(db):
    at = signed_in(PEOPLE["provider"], "pages/overview.py", {"contract": "ASC0042"})
    contract = at.selectbox(key="contract")
    assert contract.options == ["ASC0013 · MK ACT"]
    assert "Compass Recovery" not in texts(at)


def test_council_staff_choose_from_every_contract(db):
    for role in ("officer", "viewer"):
        at = signed_in(PEOPLE[role], "pages/overview.py")
        assert len(at.selectbox(key="contract").options) == 2


def test_a_viewer_is_shown_no_way_to_change_targets(db):
    at = signed_in(PEOPLE["viewer"], "pages/targets.py")
    labels = [b.label for b in at.button] + [b.label for b in getattr(at, "form_submit_button", [])]
    assert not any(label.lower().startswith("save") for label in labels), labels


def test_a_sign_in_is_recorded_with_the_time(db):
    from users import people

    signed_in(PEOPLE["officer"], "pages/overview.py")
    table = people(db).set_index("email")
    assert table.loc[PEOPLE["officer"], "last_signed_in_at"] is not None
    assert pd.isna(table.loc[PEOPLE["viewer"], "last_signed_in_at"])


def test_a_provider_sees_only_their_own_contracts_on_the_portfolio(db):
    at = signed_in(PEOPLE["provider"])          # the first page: the Portfolio
    table = at.dataframe[0].value
    assert list(table["Reference"]) == ["ASC0013"]
    assert "Escalation stage" not in table.columns    # the council's own record
    council = signed_in(PEOPLE["viewer"]).dataframe[0].value
    assert list(council["Reference"]) == ["ASC0013", "ASC0042"]


def test_the_overview_says_how_the_latest_return_stands(db):
    said = texts(signed_in(PEOPLE["provider"], "pages/overview.py"))
    assert "Latest return" in said
    assert "Next return due: 2016/17 Q4 by" in said
