"""WebDAV-Push: Syncline's Web Push registrations on CalDAV/CardDAV collections

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dav_push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('collection_url', sa.String(length=2048), nullable=False),
    sa.Column('topic', sa.String(length=1024), nullable=False),
    sa.Column('registration_url', sa.String(length=2048), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('keys_enc', sa.Text(), nullable=False),
    sa.Column('expires_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'],
                            name=op.f('fk_dav_push_subscriptions_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dav_push_subscriptions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_dav_push_subscriptions_token_hash'))
    )
    with op.batch_alter_table('dav_push_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dav_push_subscriptions_mailbox_id'), ['mailbox_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dav_push_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dav_push_subscriptions_mailbox_id'))
    op.drop_table('dav_push_subscriptions')
