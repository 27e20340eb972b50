"""campaigns keep their year; a form opened or closed early keeps its reason

Revision ID: 3f6b2c8d9e41
Revises: a1ea0af330c5
Create Date: 2026-12-06 15:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3f6b2c8d9e41'
down_revision = 'a1ea0af330c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
    # A campaign made before the year was kept takes the year its first form opened in.
    connection = op.get_bind()
    campaigns = sa.table('campaigns', sa.column('id', sa.Integer), sa.column('year', sa.Integer))
    forms = sa.table('campaign_forms', sa.column('campaign_id', sa.Integer),
                     sa.column('opens_on', sa.Date))
    first = connection.execute(
        sa.select(forms.c.campaign_id, sa.func.min(forms.c.opens_on))
        .group_by(forms.c.campaign_id)).all()
    for campaign_id, opens_on in first:
        if opens_on is not None:
            year = opens_on.year if hasattr(opens_on, 'year') else int(str(opens_on)[:4])
            connection.execute(campaigns.update().where(campaigns.c.id == campaign_id)
                               .values(year=year))
    op.create_table(
        'campaign_window_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_form_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('opens_on_before', sa.Date(), nullable=False),
        sa.Column('closes_on_before', sa.Date(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_form_id'], ['campaign_forms.id'],
                                name=op.f('fk_campaign_window_changes_campaign_form_id_campaign_forms'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_campaign_window_changes_changed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_window_changes')),
    )
    with op.batch_alter_table('campaign_window_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_window_changes_campaign_form_id'),
                              ['campaign_form_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_window_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_window_changes_campaign_form_id'))
    op.drop_table('campaign_window_changes')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('year')
