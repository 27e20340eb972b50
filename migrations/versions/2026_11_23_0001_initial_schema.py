"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:46:45.935255

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('organisation', sa.String(length=32), nullable=False),
    sa.Column('is_retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forms')),
    sa.UniqueConstraint('code', name=op.f('uq_forms_code'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('code', name=op.f('uq_organisations_code'))
    )
    op.create_table('provinces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('division_type', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provinces')),
    sa.UniqueConstraint('code', name=op.f('uq_provinces_code'))
    )
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_campaigns_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_province_id'), ['province_id'], unique=False)

    op.create_table('form_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_form_versions_form_id_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_versions')),
    sa.UniqueConstraint('form_id', 'version', name=op.f('uq_form_versions_form_id_version'))
    )
    with op.batch_alter_table('form_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_versions_form_id'), ['form_id'], unique=False)

    op.create_table('groupings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_groupings_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groupings')),
    sa.UniqueConstraint('province_id', 'code', name=op.f('uq_groupings_province_id_code'))
    )
    with op.batch_alter_table('groupings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_groupings_province_id'), ['province_id'], unique=False)

    op.create_table('campaign_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('sample_target', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_forms_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_campaign_forms_form_id_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_forms')),
    sa.UniqueConstraint('campaign_id', 'form_id', name=op.f('uq_campaign_forms_campaign_id_form_id'))
    )
    with op.batch_alter_table('campaign_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_forms_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('division_type', sa.String(length=40), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('grouping_id', sa.Integer(), nullable=True),
    sa.Column('staff_headcount', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['grouping_id'], ['groupings.id'], name=op.f('fk_communes_grouping_id_groupings')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_communes_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
    sa.UniqueConstraint('code', name=op.f('uq_communes_code'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_grouping_id'), ['grouping_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_province_id'), ['province_id'], unique=False)

    op.create_table('collection_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=True),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scan_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_collection_points_commune_id_communes')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_collection_points_form_id_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_points')),
    sa.UniqueConstraint('token', name=op.f('uq_collection_points_token'))
    )
    with op.batch_alter_table('collection_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_points_commune_id'), ['commune_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('admin', 'steering', 'grouping', 'commune_official', 'coordinator', 'surveyor', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('grouping_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_users_commune_id_communes')),
    sa.ForeignKeyConstraint(['grouping_id'], ['groupings.id'], name=op.f('fk_users_grouping_id_groupings')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_users_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('qr', 'field', 'paper', 'import', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('satisfaction_answer', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('is_flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_responses_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_points.id'], name=op.f('fk_responses_collection_point_id_collection_points')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_responses_commune_id_communes')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_responses_entered_by_id_users')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_responses_form_id_forms')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_versions.id'], name=op.f('fk_responses_form_version_id_form_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_responses_submission_id'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_campaign_commune_form', ['campaign_id', 'commune_id', 'form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_received_at'), ['received_at'], unique=False)

    op.create_table('retired_tokens',
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['collection_points.id'], name=op.f('fk_retired_tokens_point_id_collection_points')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_retired_tokens'))
    )
    with op.batch_alter_table('retired_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_tokens_point_id'), ['point_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_response_id'))

    op.drop_table('answers')
    with op.batch_alter_table('retired_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_tokens_point_id'))

    op.drop_table('retired_tokens')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_received_at'))
        batch_op.drop_index(batch_op.f('ix_responses_commune_id'))
        batch_op.drop_index('ix_responses_campaign_commune_form')

    op.drop_table('responses')
    op.drop_table('users')
    with op.batch_alter_table('collection_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_points_commune_id'))

    op.drop_table('collection_points')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_province_id'))
        batch_op.drop_index(batch_op.f('ix_communes_grouping_id'))

    op.drop_table('communes')
    with op.batch_alter_table('campaign_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_forms_campaign_id'))

    op.drop_table('campaign_forms')
    with op.batch_alter_table('groupings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groupings_province_id'))

    op.drop_table('groupings')
    with op.batch_alter_table('form_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_versions_form_id'))

    op.drop_table('form_versions')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_province_id'))

    op.drop_table('campaigns')
    op.drop_table('provinces')
    op.drop_table('organisations')
    op.drop_table('forms')
