"""The kinds of alert: what the outbox (``models.schema.Alert.kind``) records and people turn off.

Below both the alert rules (``alerts.rules``, which raise them) and the records
(``records.notifications``, which list them and keep each person's choices).
"""

from __future__ import annotations

RETURN_DUE_SOON = "return_due_soon"
RETURN_OVERDUE = "return_overdue"
RED_INDICATOR = "red_indicator"
ACTION_OVERDUE = "action_overdue"
CONTRACT_ENDING = "contract_ending"

#: Every kind of alert, as a person choosing what they get reads it.
KINDS = {
    RETURN_DUE_SOON: "A quarterly return is due within 5 working days",
    RETURN_OVERDUE: "A quarterly return is overdue (repeated weekly while it stays overdue)",
    RED_INDICATOR: "An indicator is red in a newly stored return",
    ACTION_OVERDUE: "An action is past its due date",
    CONTRACT_ENDING: "A contract ends within 180 days",
}
#: The kinds a provider's own staff get, for their own organisation's contracts.
PROVIDER_KINDS = frozenset({RETURN_DUE_SOON, RETURN_OVERDUE})
