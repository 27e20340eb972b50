"""one live collection point per commune, form and counter: a unique index behind the check

Revision ID: cc1523edd35d
Revises: ba823a6ff4bf
Create Date: 2026-12-01 21:47:29.043314

"""
from alembic import op
import sqlalchemy as sa


revision = 'cc1523edd35d'
down_revision = 'ba823a6ff4bf'
branch_labels = None
depends_on = None

LIVE = sa.text('retired_at IS NULL')


def upgrade():
    with op.batch_alter_table('collection_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_key', sa.String(length=120), server_default='', nullable=False))
    # The key is the label case-folded in Python (SQLite's lower() knows ASCII only), as
    # models.collection_points.label_key makes it.
    points = sa.table('collection_points', sa.column('id', sa.Integer),
                      sa.column('label', sa.String), sa.column('label_key', sa.String))
    connection = op.get_bind()
    for point_id, label in connection.execute(
            sa.select(points.c.id, points.c.label).where(points.c.label.is_not(None))):
        connection.execute(points.update().where(points.c.id == point_id)
                           .values(label_key=label.strip().casefold()))
    with op.batch_alter_table('collection_points', schema=None) as batch_op:
        batch_op.create_index('uq_collection_points_live_counter', ['commune_id', 'form_id', 'label_key'], unique=True, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    with op.batch_alter_table('collection_points', schema=None) as batch_op:
        batch_op.drop_index('uq_collection_points_live_counter', sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_column('label_key')
