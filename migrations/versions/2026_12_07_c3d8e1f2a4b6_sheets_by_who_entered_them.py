"""sheets by who entered them: an index for the list of sheets a field worker may correct

Revision ID: c3d8e1f2a4b6
Revises: 7e2a4c9d1b30
Create Date: 2026-12-07 06:30:00

The list (services/corrections) pages through a campaign's sheets entered by a person or an
organisation's people, newest first, and finds the page of one sheet. Without an index each
page read the campaign's every response. It holds sheets only (a citizen's QR response has
nobody who entered it), so the QR path's inserts do not maintain it.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3d8e1f2a4b6'
down_revision = '7e2a4c9d1b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_responses_entered_by', 'responses',
                    ['entered_by_id', 'campaign_id', 'received_at', 'id'], unique=False,
                    postgresql_where=sa.text('entered_by_id IS NOT NULL'),
                    sqlite_where=sa.text('entered_by_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_responses_entered_by', table_name='responses')
