"""Partial indexes of the ID map's unfinished rows (held mid-write, failed)

An idle session and the batched idle check look for these few rows in every mailbox; with only
(mailbox_id, kind) indexed they walked all of a mailbox's rows, 20,000 for a large one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

PARTIAL = {"ix_id_map_pending": "pending IS NOT NULL", "ix_id_map_failed": "last_error IS NOT NULL"}


def upgrade() -> None:
    for name, where in PARTIAL.items():
        op.create_index(name, 'id_map', ['mailbox_id', 'kind'], unique=False,
                        sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    for name in PARTIAL:
        op.drop_index(name, table_name='id_map')
