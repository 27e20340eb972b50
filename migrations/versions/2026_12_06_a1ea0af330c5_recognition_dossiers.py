"""recognition: registrations, dossiers with scores, evidence and events, decisions, deadlines

Revision ID: a1ea0af330c5
Revises: 71603abf00f0
Create Date: 2026-12-06 15:38:03.869045

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1ea0af330c5'
down_revision = '71603abf00f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recognition_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_recognition_deadlines_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_deadlines'))
    )
    with op.batch_alter_table('recognition_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_deadlines_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('recognition_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('signer_title', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_recognition_decisions_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recognition_decisions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_decisions')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_recognition_decisions_campaign_id'))
    )
    op.create_table('recognition_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_recognition_registrations_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_recognition_registrations_commune_id_communes')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_recognition_registrations_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_registrations')),
    sa.UniqueConstraint('campaign_id', 'commune_id', name=op.f('uq_recognition_registrations_campaign_id_commune_id'))
    )
    with op.batch_alter_table('recognition_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_registrations_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_registrations_commune_id'), ['commune_id'], unique=False)

    op.create_table('recognition_report_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_recognition_report_filings_commune_id_communes')),
    sa.ForeignKeyConstraint(['deadline_id'], ['recognition_deadlines.id'], name=op.f('fk_recognition_report_filings_deadline_id_recognition_deadlines')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_recognition_report_filings_filed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_report_filings')),
    sa.UniqueConstraint('deadline_id', 'commune_id', name=op.f('uq_recognition_report_filings_deadline_id_commune_id'))
    )
    with op.batch_alter_table('recognition_report_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_report_filings_deadline_id'), ['deadline_id'], unique=False)

    op.create_table('recognition_dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'reviewed', 'approved', 'rejected', 'returned', name='dossierstate', native_enum=False, length=16), nullable=False),
    sa.Column('rulebook_version_id', sa.Integer(), nullable=True),
    sa.Column('rulebook_version', sa.Integer(), nullable=True),
    sa.Column('survey_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('survey_rates', sa.JSON(), nullable=True),
    sa.Column('survey_met', sa.Boolean(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_recognition_dossiers_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_recognition_dossiers_commune_id_communes')),
    sa.ForeignKeyConstraint(['decision_id'], ['recognition_decisions.id'], name=op.f('fk_recognition_dossiers_decision_id_recognition_decisions')),
    sa.ForeignKeyConstraint(['rulebook_version_id'], ['rulebook_versions.id'], name=op.f('fk_recognition_dossiers_rulebook_version_id_rulebook_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_dossiers')),
    sa.UniqueConstraint('campaign_id', 'commune_id', name=op.f('uq_recognition_dossiers_campaign_id_commune_id'))
    )
    with op.batch_alter_table('recognition_dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_dossiers_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_dossiers_commune_id'), ['commune_id'], unique=False)

    op.create_table('recognition_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('old_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('new_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['recognition_dossiers.id'], name=op.f('fk_recognition_events_dossier_id_recognition_dossiers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recognition_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_events'))
    )
    with op.batch_alter_table('recognition_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_events_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('recognition_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['recognition_dossiers.id'], name=op.f('fk_recognition_evidence_dossier_id_recognition_dossiers')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_recognition_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_recognition_evidence_stored_name'))
    )
    with op.batch_alter_table('recognition_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_evidence_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('recognition_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('self_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['recognition_dossiers.id'], name=op.f('fk_recognition_scores_dossier_id_recognition_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_scores')),
    sa.UniqueConstraint('dossier_id', 'code', name=op.f('uq_recognition_scores_dossier_id_code'))
    )
    with op.batch_alter_table('recognition_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_scores_dossier_id'), ['dossier_id'], unique=False)



def downgrade():
    with op.batch_alter_table('recognition_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_scores_dossier_id'))

    op.drop_table('recognition_scores')
    with op.batch_alter_table('recognition_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_evidence_dossier_id'))

    op.drop_table('recognition_evidence')
    with op.batch_alter_table('recognition_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_events_dossier_id'))

    op.drop_table('recognition_events')
    with op.batch_alter_table('recognition_dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_dossiers_commune_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_dossiers_campaign_id'))

    op.drop_table('recognition_dossiers')
    with op.batch_alter_table('recognition_report_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_report_filings_deadline_id'))

    op.drop_table('recognition_report_filings')
    with op.batch_alter_table('recognition_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_registrations_commune_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_registrations_campaign_id'))

    op.drop_table('recognition_registrations')
    op.drop_table('recognition_decisions')
    with op.batch_alter_table('recognition_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_deadlines_campaign_id'))

    op.drop_table('recognition_deadlines')
