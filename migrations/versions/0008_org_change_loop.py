"""one Salesforce change loop per org: feed state per object and fanned-out mailbox work

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from app.models.base import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'org_feed_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('sobject', sa.String(length=64), nullable=False),
        sa.Column('polled_at', UtcDateTime(), nullable=False),
        sa.Column('seen', sa.JSON(), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_org_feed_states_org_id_orgs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_feed_states')),
        sa.UniqueConstraint('org_id', 'sobject', name='org_feed_object'),
    )
    op.create_table(
        'mailbox_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('sobject', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=18), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_mailbox_changes_mailbox_id_mailboxes'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_changes')),
    )
    op.create_index('ix_mailbox_changes_mailbox_object', 'mailbox_changes', ['mailbox_id', 'sobject', 'id'])


def downgrade() -> None:
    op.drop_index('ix_mailbox_changes_mailbox_object', table_name='mailbox_changes')
    op.drop_table('mailbox_changes')
    op.drop_table('org_feed_states')
