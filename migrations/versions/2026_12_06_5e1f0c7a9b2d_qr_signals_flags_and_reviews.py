"""QR signals on responses, used form tickets, the committee's decisions on flagged groups

Revision ID: 5e1f0c7a9b2d
Revises: 5d1c0b7e9a41
Create Date: 2026-12-06 15:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e1f0c7a9b2d'
down_revision = '5d1c0b7e9a41'
branch_labels = None
depends_on = None

COLUMNS = ("device_key", "network_key", "staff_session", "honeypot", "answer_pattern")


def upgrade():
    # Added in place (ALTER TABLE ... ADD COLUMN on both databases): the roll-up's triggers
    # on responses stay as they are.
    op.add_column('responses', sa.Column('device_key', sa.String(length=32), nullable=True))
    op.add_column('responses', sa.Column('network_key', sa.String(length=32), nullable=True))
    op.add_column('responses', sa.Column('staff_session', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('responses', sa.Column('honeypot', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('responses', sa.Column('answer_pattern', sa.String(length=200), nullable=True))
    op.add_column('campaigns', sa.Column('keys_dropped_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_responses_commune_form_received', 'responses',
                    ['campaign_id', 'commune_id', 'form_id', 'channel', 'received_at', 'id'],
                    unique=False)
    # The new index's first three columns are the old one's: one index less per insert.
    op.drop_index('ix_responses_campaign_commune_form', table_name='responses')
    for key in ('device_key', 'network_key'):
        op.create_index(f'ix_responses_{key}', 'responses',
                        [key, 'campaign_id', 'commune_id', 'form_id', 'received_at'],
                        unique=False, postgresql_where=sa.text(f'{key} IS NOT NULL'),
                        sqlite_where=sa.text(f'{key} IS NOT NULL'))
    op.create_table('used_tickets',
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_used_tickets_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_used_tickets'))
    )
    op.create_index(op.f('ix_used_tickets_response_id'), 'used_tickets', ['response_id'], unique=False)
    op.create_table('flag_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('decision', sa.Enum('excluded', 'restored', name='decision', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_flag_reviews_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_flag_reviews_commune_id_communes')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_flag_reviews_form_id_forms')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_flag_reviews_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_reviews'))
    )
    op.create_index(op.f('ix_flag_reviews_campaign_id'), 'flag_reviews', ['campaign_id'], unique=False)
    op.create_table('flag_review_items',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['flag_reviews.id'], name=op.f('fk_flag_review_items_review_id_flag_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_flag_review_items_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'response_id', name=op.f('pk_flag_review_items'))
    )
    op.create_index(op.f('ix_flag_review_items_response_id'), 'flag_review_items', ['response_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_flag_review_items_response_id'), table_name='flag_review_items')
    op.drop_table('flag_review_items')
    op.drop_index(op.f('ix_flag_reviews_campaign_id'), table_name='flag_reviews')
    op.drop_table('flag_reviews')
    op.drop_index(op.f('ix_used_tickets_response_id'), table_name='used_tickets')
    op.drop_table('used_tickets')
    op.drop_index('ix_responses_network_key', table_name='responses')
    op.drop_index('ix_responses_device_key', table_name='responses')
    op.drop_index('ix_responses_commune_form_received', table_name='responses')
    op.create_index('ix_responses_campaign_commune_form', 'responses',
                    ['campaign_id', 'commune_id', 'form_id'], unique=False)
    # Dropped in place (SQLite 3.35+ drops a column without rebuilding the table, which would
    # lose the roll-up's triggers on it).
    for name in COLUMNS:
        op.execute(f"ALTER TABLE responses DROP COLUMN {name}")
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('keys_dropped_at')
