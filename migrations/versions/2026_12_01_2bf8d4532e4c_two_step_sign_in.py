"""two-step sign-in: a TOTP secret per account and the time step of its last code

Revision ID: 2bf8d4532e4c
Revises: cc1523edd35d
Create Date: 2026-12-01 22:09:51.017887

"""
from alembic import op
import sqlalchemy as sa


revision = '2bf8d4532e4c'
down_revision = 'cc1523edd35d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
