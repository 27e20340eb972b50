"""unit figures (population, yearly one-stop transactions), former unit names, one-time passwords

Revision ID: 5c1d7e9a3b20
Revises: 3f6b2c8d9e41
Create Date: 2026-12-06 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '5c1d7e9a3b20'
down_revision = '3f6b2c8d9e41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('yearly_transactions', sa.Integer(), nullable=True))

    op.create_table('commune_former_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_commune_former_names_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_former_names')),
    sa.UniqueConstraint('commune_id', 'until', name=op.f('uq_commune_former_names_commune_id_until'))
    )
    with op.batch_alter_table('commune_former_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_former_names_commune_id'), ['commune_id'], unique=False)

    # Accounts made before the flag chose their own password.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('commune_former_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_former_names_commune_id'))

    op.drop_table('commune_former_names')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_column('yearly_transactions')
        batch_op.drop_column('population')
