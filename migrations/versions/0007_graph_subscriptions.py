"""Graph change-notification subscriptions per mailbox and folder kind

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('graph_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('server_profile_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subscription_id', sa.String(length=255), nullable=False),
    sa.Column('resource', sa.String(length=1024), nullable=False),
    sa.Column('client_state_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_graph_subscriptions_mailbox_id_mailboxes'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['server_profile_id'], ['server_profiles.id'],
                            name=op.f('fk_graph_subscriptions_server_profile_id_server_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graph_subscriptions')),
    sa.UniqueConstraint('subscription_id', name=op.f('uq_graph_subscriptions_subscription_id'))
    )
    with op.batch_alter_table('graph_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graph_subscriptions_mailbox_id'), ['mailbox_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('graph_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graph_subscriptions_mailbox_id'))
    op.drop_table('graph_subscriptions')
