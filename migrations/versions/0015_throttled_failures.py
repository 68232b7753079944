"""How many of a mailbox's consecutive failed sessions were throttled

A session a service told to wait (429, a quota, a spent request budget, an org paused near its
Salesforce API limit) fails without anything being wrong with the mailbox; those failures are
counted apart so they never suspend it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailboxes') as batch:
        batch.add_column(sa.Column('throttled_failures', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('mailboxes') as batch:
        batch.drop_column('throttled_failures')
