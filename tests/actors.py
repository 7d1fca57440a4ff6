"""Acting people for tests that call the records, ingest and report functions directly.

``admin("jo")`` is an administrator recorded as ``jo`` (a signed-in person's e-mail is
recorded as it is), so tests written before sign-in keep asserting ``created_by == "jo"``.
"""

from users.access import Actor, Role


def admin(name: str = "tester") -> Actor:
    return Actor(email=name, role=Role.ADMIN)


#: The administrator most tests act as.
ADMIN = admin()
