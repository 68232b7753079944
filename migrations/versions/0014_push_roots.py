"""The public URL each Graph subscription and Google Calendar channel notifies

Recorded when one is made, so a changed SYNCLINE_PUBLIC_URL replaces those made under the old
address (a Graph renewal keeps its notificationUrl; they would push to the old address for good).
Existing rows stay NULL: not recorded, taken as current.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('graph_subscriptions', 'google_watches')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('push_root', sa.String(length=2048), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('push_root')
