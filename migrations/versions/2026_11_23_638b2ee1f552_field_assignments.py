"""field assignments: organisation per form and commune, surveyor per commune

Revision ID: 638b2ee1f552
Revises: 0001
Create Date: 2026-11-23 10:52:23.114525

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '638b2ee1f552'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_organisation_assignments_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_organisation_assignments_commune_id_communes')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_organisation_assignments_form_id_forms')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_assignments_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_assignments')),
    sa.UniqueConstraint('campaign_id', 'form_id', 'commune_id', name=op.f('uq_organisation_assignments_campaign_id_form_id_commune_id'))
    )
    with op.batch_alter_table('organisation_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_assignments_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('surveyor_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_surveyor_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_surveyor_assignments_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_surveyor_assignments_commune_id_communes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_surveyor_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveyor_assignments')),
    sa.UniqueConstraint('campaign_id', 'user_id', 'commune_id', name=op.f('uq_surveyor_assignments_campaign_id_user_id_commune_id'))
    )
    with op.batch_alter_table('surveyor_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveyor_assignments_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveyor_assignments_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('surveyor_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveyor_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_surveyor_assignments_campaign_id'))

    op.drop_table('surveyor_assignments')
    with op.batch_alter_table('organisation_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_assignments_campaign_id'))

    op.drop_table('organisation_assignments')
