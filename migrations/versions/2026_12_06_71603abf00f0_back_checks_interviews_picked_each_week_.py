"""back-checks: interviews picked each week for a call-back, and what it found

Revision ID: 71603abf00f0
Revises: e09b9fe407ef
Create Date: 2026-12-06 16:12:00

"""
from alembic import op
import sqlalchemy as sa


revision = '71603abf00f0'
down_revision = 'e09b9fe407ef'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'back_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('week_of', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('picked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('result', sa.String(length=24), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_back_checks_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_back_checks_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'],
                                name=op.f('fk_back_checks_response_id_responses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_back_checks')),
        sa.UniqueConstraint('response_id', name=op.f('uq_back_checks_response_id')),
    )
    with op.batch_alter_table('back_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_back_checks_campaign_id'), ['campaign_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_back_checks_week_of'), ['week_of'], unique=False)


def downgrade():
    op.drop_table('back_checks')
