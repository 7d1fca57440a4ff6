"""contract types and parameters

Contracts get a type (the file in contract_types/ that says how their returns
read), a JSON object of the type's parameters, and the day they were ended
early. The refuge capacity, which only domestic-abuse contracts have, moves
into the parameters: every existing contract is a domestic-abuse contract.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_type', sa.String(length=50),
                                      server_default='domestic-abuse', nullable=False))
        batch_op.add_column(sa.Column('parameters', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
    contract = sa.table('contract', sa.column('id', sa.Integer), sa.column('refuge_capacity', sa.Integer),
                        sa.column('parameters', sa.JSON))
    connection = op.get_bind()
    for row in connection.execute(sa.select(contract.c.id, contract.c.refuge_capacity)).all():
        parameters = {} if row.refuge_capacity is None else {"refuge_capacity": int(row.refuge_capacity)}
        connection.execute(contract.update().where(contract.c.id == row.id).values(parameters=parameters))
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.alter_column('parameters', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('refuge_capacity')


def downgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refuge_capacity', sa.Integer(), nullable=True))
    contract = sa.table('contract', sa.column('id', sa.Integer), sa.column('refuge_capacity', sa.Integer),
                        sa.column('parameters', sa.JSON))
    connection = op.get_bind()
    for row in connection.execute(sa.select(contract.c.id, contract.c.parameters)).all():
        parameters = row.parameters if isinstance(row.parameters, dict) else json.loads(row.parameters or "{}")
        connection.execute(contract.update().where(contract.c.id == row.id)
                           .values(refuge_capacity=parameters.get("refuge_capacity")))
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('ended_on')
        batch_op.drop_column('parameters')
        batch_op.drop_column('contract_type')
