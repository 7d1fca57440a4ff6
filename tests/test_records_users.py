"""Who a change is recorded against."""

import getpass

from records.users import current_user


def test_signed_in_user_is_recorded_by_email():
    claims = {"is_logged_in": True, "email": "jo.bloggs@milton-keynes.gov.uk", "name": "Jo Bloggs"}
    assert current_user(claims) == "jo.bloggs@milton-keynes.gov.uk"


def test_signed_in_user_without_email_is_recorded_by_name():
    assert current_user({"is_logged_in": True, "name": "Jo Bloggs"}) == "Jo Bloggs"


def test_without_sign_in_the_operating_system_user_is_recorded():
    assert current_user(None) == getpass.getuser()
    assert current_user({}) == getpass.getuser()          # sign-in not configured: no claims
    assert current_user({"is_logged_in": False}) == getpass.getuser()   # configured, signed out
