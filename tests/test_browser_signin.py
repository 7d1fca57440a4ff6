"""Sign-in through a real OpenID Connect redirect, in headless Chromium, for each role.

Starts a local OpenID Connect provider on 127.0.0.1 (``oidc-provider-mock``),
configures the dashboard's ``[auth]`` against it through a secrets file of the
test's own, and serves the dashboard over a private copy of the sample with a
person of each role granted. Each person signs in through the provider's page.
The provider's member of staff uploads their own return, is refused another
provider's with nothing stored, cannot open council-only pages, and signs out
back to the sign-in page; the history names each person who changed something.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.database import sessions
from models.periods import Quarter
from models.schema import Contract, Submission
from records.submissions import submission_history
from sample_data.make_sample import SUBSTANCE_MISUSE, sample_workbook, workbook_name
from users import grant, local_actor

from .browser import chromium_browser, free_port, served_dashboard

Q4, Q3 = Quarter(2016, 4), Quarter(2016, 3)
PEOPLE = {
    "admin": "Ada.Admin@Council.example",
    "officer": "oliver.officer@council.example",
    "viewer": "vera.viewer@council.example",
    "provider": "pat.provider@mkact.example",
}


@pytest.fixture
def identity_provider():
    """A local OpenID Connect provider with one person per role: its port."""
    oidc = pytest.importorskip("oidc_provider_mock")
    users = [oidc.User(sub=role, claims={"email": email, "name": role.capitalize()})
             for role, email in PEOPLE.items()]
    with oidc.run_server_in_thread(port=0, user_claims=users) as server:
        yield server.server_port


@pytest.fixture
def signed_in_dashboard(sample_copy, identity_provider, tmp_path):
    """The dashboard with sign-in configured against the local provider: its URL."""
    setup = local_actor("setup", via="command line")
    grant(sample_copy, PEOPLE["admin"], "admin", setup)
    grant(sample_copy, PEOPLE["officer"], "officer", setup)
    grant(sample_copy, PEOPLE["viewer"], "viewer", setup)
    grant(sample_copy, PEOPLE["provider"], "provider", setup, provider="MK ACT")
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-cookie-secret-for-the-sign-in-test-only"
client_id = "contract-monitoring"
client_secret = "not-a-secret"
server_metadata_url = "http://127.0.0.1:{identity_provider}/.well-known/openid-configuration"
""")
    url = sample_copy.url.render_as_string(hide_password=False)
    with served_dashboard(url, tmp_path / "streamlit.log", port=port,
                          args=("--secrets.files", str(secrets))) as address:
        yield address


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


def _sign_in(chromium, dashboard: str, role: str):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(dashboard)
    page.get_by_role("button", name="Sign in").click()
    # The identity provider's own page: choose the person (the mock's stand-in for a password).
    page.get_by_role("button", name=role, exact=True).click()
    page.get_by_text(f"Signed in as {PEOPLE[role].lower()}").wait_for()
    return page


def _menu(page) -> set[str]:
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    # Each link reads "<icon name>\n\n<title>": the title is its last line.
    return {text.strip().splitlines()[-1].strip() for text in nav.get_by_role("link").all_inner_texts()}


def _versions(engine, reference: str, quarter: Quarter) -> int:
    with sessions(engine)() as session:
        return session.scalar(
            select(func.count()).select_from(Submission).join(Contract)
            .where(Contract.reference == reference, Submission.year == quarter.year,
                   Submission.quarter == quarter.quarter))


def test_a_visitor_not_signed_in_sees_only_the_sign_in_page(signed_in_dashboard, chromium):
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    for path in ("", "/overview?contract=ASC0013", "/upload", "/targets"):
        page.goto(signed_in_dashboard + path)
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_text("ASC0013").count() == 0


def test_a_provider_signs_in_uploads_their_own_return_and_nothing_else(
        signed_in_dashboard, chromium, sample_copy, tmp_path):
    page = _sign_in(chromium, signed_in_dashboard, "provider")
    menu = _menu(page)
    assert {"Overview", "Upload returns", "Submission history", "Returns calendar"} <= menu
    assert not menu & {"Targets", "Quality visits", "Actions and meetings", "Meeting mode", "Contracts",
                       "People and roles"}

    # Their own return: checked, previewed and stored.
    own = tmp_path / workbook_name(Q4)
    own.write_bytes(sample_workbook(Q4))
    page.get_by_role("link", name="Upload returns").click()
    page.locator("input[type=file]").set_input_files(str(own))
    page.get_by_text("2016/17 Q4 passed the checks").wait_for()
    page.get_by_role("button", name="Confirm and store this workbook").click()
    page.get_by_text("stored ASC0013 2016/17 Q4 as version 1").wait_for()

    # Another provider's return: refused, and nothing of it stored.
    before = _versions(sample_copy, "ASC0042", Q3)
    other = tmp_path / workbook_name(Q3, "ASC0042")
    other.write_bytes(sample_workbook(Q3, SUBSTANCE_MISUSE))
    page.get_by_role("link", name="Upload returns").click()
    page.locator("input[type=file]").set_input_files(str(other))
    page.get_by_text("not one of your organisation's contracts").first.wait_for()
    assert page.get_by_role("button", name="Confirm and store this workbook").count() == 0
    assert _versions(sample_copy, "ASC0042", Q3) == before

    # Council-only pages are not there, even by their address; another contract by URL is not shown.
    for path in ("/targets", "/actions", "/people"):
        page.goto(signed_in_dashboard + path)
        page.get_by_test_id("stSidebarNav").wait_for()
        assert page.get_by_role("heading", name="Targets").count() == 0
        assert page.get_by_role("heading", name="People and roles").count() == 0
        assert page.get_by_role("heading", name="Actions and meetings").count() == 0
    page.goto(signed_in_dashboard + "/overview?contract=ASC0042")
    page.get_by_text("ASC0013 · MK ACT").first.wait_for()
    assert page.get_by_text("Compass Recovery").count() == 0

    # Signing out ends the session at the identity provider and comes back to the sign-in page.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for()

    history = submission_history(sample_copy, "ASC0013", local_actor("test"))
    stored = history[history["period"] == "2016/17 Q4"]
    assert list(stored["uploaded_by"]) == [PEOPLE["provider"].lower()]


@pytest.mark.parametrize("role, sees, does_not_see", [
    ("admin", {"People and roles", "Contracts", "Upload returns", "Targets"}, set()),
    ("officer", {"Contracts", "Upload returns", "Targets", "Actions and meetings"}, {"People and roles"}),
    ("viewer", {"Targets", "Meeting mode", "Submission history"}, {"Upload returns", "People and roles"}),
])
def test_each_council_role_signs_in_and_sees_its_pages(signed_in_dashboard, chromium, role, sees,
                                                      does_not_see):
    page = _sign_in(chromium, signed_in_dashboard, role)
    menu = _menu(page)
    assert sees <= menu, menu
    assert not menu & does_not_see, menu
