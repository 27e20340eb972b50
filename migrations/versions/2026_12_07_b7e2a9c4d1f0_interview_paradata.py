"""interview paradata: device timings of field interviews, batch and typist of paper sheets

Revision ID: b7e2a9c4d1f0
Revises: 5e1f0c7a9b2d
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2a9c4d1f0'
down_revision = '5e1f0c7a9b2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interview_paradata',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Enum('offline', 'web', 'paper', 'import', name='paradatasource',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('device_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('device_ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('clock_offset_seconds', sa.Integer(), nullable=True),
        sa.Column('seconds_per_question', sa.JSON(), nullable=True),
        sa.Column('answer_changes', sa.JSON(), nullable=True),
        sa.Column('answer_changes_total', sa.Integer(), nullable=True),
        sa.Column('entry_batch', sa.String(length=36), nullable=True),
        sa.Column('import_batch_id', sa.Integer(), nullable=True),
        sa.Column('typist_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'],
                                name=op.f('fk_interview_paradata_import_batch_id_import_batches')),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'],
                                name=op.f('fk_interview_paradata_response_id_responses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['typist_id'], ['users.id'],
                                name=op.f('fk_interview_paradata_typist_id_users')),
        sa.PrimaryKeyConstraint('response_id', name=op.f('pk_interview_paradata')),
    )
    with op.batch_alter_table('interview_paradata', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_paradata_entry_batch'), ['entry_batch'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_interview_paradata_import_batch_id'),
                              ['import_batch_id'], unique=False)


def downgrade():
    op.drop_table('interview_paradata')
