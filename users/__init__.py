"""People, their roles and what each role may do (``access``); ``python -m users`` manages them."""

from .access import Actor, NotAllowed, Role, local_actor
from .people import UserError, actor_for, administrators, grant, people, record_sign_in, withdraw

__all__ = ["Actor", "NotAllowed", "Role", "UserError", "actor_for", "administrators", "grant",
           "local_actor", "people", "record_sign_in", "withdraw"]
