"""autoresolve: what it created per session (for the list and the undo)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'autoresolved_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('sobject', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=18), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('system_modstamp', sa.String(length=40), nullable=False),
        sa.Column('last_modified', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=255), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_autoresolved_records_org_id_orgs'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'],
                                name=op.f('fk_autoresolved_records_mailbox_id_mailboxes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['sync_sessions.id'],
                                name=op.f('fk_autoresolved_records_session_id_sync_sessions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_autoresolved_records')),
    )
    op.create_index(op.f('ix_autoresolved_records_org_id'), 'autoresolved_records', ['org_id'])
    op.create_index('ix_autoresolved_mailbox_session', 'autoresolved_records', ['mailbox_id', 'session_id'])


def downgrade() -> None:
    op.drop_index('ix_autoresolved_mailbox_session', table_name='autoresolved_records')
    op.drop_index(op.f('ix_autoresolved_records_org_id'), table_name='autoresolved_records')
    op.drop_table('autoresolved_records')
