"""campaigns made by flask demo load are marked, so that it can refuse a real database

Revision ID: a92e775c8548
Revises: 2bf8d4532e4c
Create Date: 2026-12-01 22:41:13.817490

"""
from alembic import op
import sqlalchemy as sa


revision = 'a92e775c8548'
down_revision = '2bf8d4532e4c'
branch_labels = None
depends_on = None


def upgrade():
    # A campaign made before the mark is taken for a real one: the demo refuses it.
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
