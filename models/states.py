"""The states a record can be in, as enumerations: one list of each, shared by the code and the database.

Each is a ``StrEnum``, so a member is its own text (``ActionStatus.OPEN == "open"``)
and stores as that text; the schema turns each into a ``CHECK`` constraint, so the
database itself refuses a state that is not on the list.
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"
    DROPPED = "dropped"


#: Statuses of an action still to be done (an overdue one of these is flagged).
OPEN_ACTION_STATUSES: tuple[ActionStatus, ...] = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class EscalationStage(StrEnum):
    """The council's escalation process, from routine monitoring to a review of the contract."""

    ROUTINE = "Routine monitoring"
    CONCERN = "Stage 1: concern raised"
    IMPROVEMENT_PLAN = "Stage 2: improvement plan"
    FORMAL_NOTICE = "Stage 3: formal notice"
    CONTRACT_REVIEW = "Stage 4: contract review"


class Direction(StrEnum):
    """Which way is better for an indicator."""

    HIGHER = "higher"
    LOWER = "lower"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Trend(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no change"


def sql_list(states: type[StrEnum]) -> str:
    """The states as an SQL list for a CHECK constraint: ``('open', 'in progress', …)``."""
    return "(" + ", ".join("'" + s.value.replace("'", "''") + "'" for s in states) + ")"
