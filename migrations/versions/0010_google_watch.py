"""Google push: Calendar watch channels and Gmail watches per mailbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

import app.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('google_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('server_profile_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=1024), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label_ids', sa.String(length=1024), nullable=False),
    sa.Column('history_id', sa.String(length=32), nullable=True),
    sa.Column('expires_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_google_watches_mailbox_id_mailboxes'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['server_profile_id'], ['server_profiles.id'],
                            name=op.f('fk_google_watches_server_profile_id_server_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_google_watches')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_google_watches_channel_id'))
    )
    with op.batch_alter_table('google_watches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_google_watches_mailbox_id'), ['mailbox_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('google_watches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_google_watches_mailbox_id'))
    op.drop_table('google_watches')
