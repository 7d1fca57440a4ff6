"""states checked by the database

Action statuses, escalation stages, target directions, roles, quarters 1 to 4,
versions from 1, tolerances not negative and scores between 0 and 1 become CHECK
constraints, so the database itself refuses a state that is not on the list
(models/states.py holds the lists).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Written out rather than imported, so that this migration stays as it was when the lists change.
CHECKS = {
    'action': [('status', "status IN ('open', 'in progress', 'done', 'dropped')")],
    'escalation_change': [('stage', "stage IN ('Routine monitoring', 'Stage 1: concern raised', "
                                    "'Stage 2: improvement plan', 'Stage 3: formal notice', "
                                    "'Stage 4: contract review')")],
    'target': [('direction', "direction IN ('higher', 'lower')"),
               ('effective_quarter', "effective_quarter BETWEEN 1 AND 4"),
               ('tolerance', "tolerance >= 0")],
    'submission': [('quarter', "quarter BETWEEN 1 AND 4"), ('version', "version >= 1")],
    'meeting': [('quarter', "quarter IS NULL OR quarter BETWEEN 1 AND 4")],
    'quality_visit': [('score', "score IS NULL OR (score >= 0 AND score <= 1)"),
                      ('score_after', "score_after IS NULL OR (score_after >= 0 AND score_after <= 1)")],
    'app_user': [('role', "role IN ('admin', 'officer', 'viewer', 'provider')")],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), sa.text(condition))


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in checks:
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
