"""sync state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mapping_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('table', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_mapping_tables_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_mapping_tables_updated_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mapping_tables_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_tables')),
    sa.UniqueConstraint('org_id', 'user_id', 'name', name='org_user_table')
    )
    with op.batch_alter_table('mapping_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_tables_org_id'), ['org_id'], unique=False)

    op.create_table('saved_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('sync_key', sa.String(length=64), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=True),
    sa.Column('record_id', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('first_saved_by', sa.Integer(), nullable=True),
    sa.Column('saved_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=1024), nullable=True),
    sa.ForeignKeyConstraint(['first_saved_by'], ['users.id'], name=op.f('fk_saved_emails_first_saved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_saved_emails_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_emails')),
    sa.UniqueConstraint('org_id', 'message_id', name='org_message_id')
    )
    op.create_table('id_map',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('sync_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('mailbox_item_id', sa.String(length=1024), nullable=True),
    sa.Column('uid', sa.String(length=1024), nullable=True),
    sa.Column('series_id', sa.String(length=1024), nullable=True),
    sa.Column('crm_id', sa.String(length=18), nullable=True),
    sa.Column('mailbox_version', sa.String(length=512), nullable=True),
    sa.Column('crm_version', sa.String(length=64), nullable=True),
    sa.Column('mailbox_hash', sa.String(length=64), nullable=True),
    sa.Column('crm_hash', sa.String(length=64), nullable=True),
    sa.Column('field_hashes', sa.JSON(), nullable=False),
    sa.Column('pending', sa.String(length=32), nullable=True),
    sa.Column('pending_writes', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('unlinked', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('synced_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_id_map_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_id_map_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_id_map')),
    sa.UniqueConstraint('mailbox_id', 'sync_key', name='mailbox_sync_key')
    )
    with op.batch_alter_table('id_map', schema=None) as batch_op:
        batch_op.create_index('ix_id_map_mailbox_kind', ['mailbox_id', 'kind'], unique=False)
        batch_op.create_index('ix_id_map_org_crm', ['org_id', 'crm_id'], unique=False)

    op.create_table('saved_email_savers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('saved_email_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('relation_done', sa.Boolean(), nullable=False),
    sa.Column('saved_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['saved_email_id'], ['saved_emails.id'], name=op.f('fk_saved_email_savers_saved_email_id_saved_emails'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_email_savers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_email_savers')),
    sa.UniqueConstraint('saved_email_id', 'user_id', name='saved_email_user')
    )
    op.create_table('sync_cursors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('stream', sa.String(length=128), nullable=False),
    sa.Column('cursor', sa.Text(), nullable=True),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_sync_cursors_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_cursors')),
    sa.UniqueConstraint('mailbox_id', 'stream', name='mailbox_stream')
    )
    op.create_table('sync_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.Enum('scheduled', 'forced', 'push', 'retry', name='sync_trigger', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'partial', 'failed', name='sync_session_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.Column('started_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.Column('failure', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_sync_sessions_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_sync_sessions_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_sessions'))
    )
    with op.batch_alter_table('sync_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sync_sessions_mailbox', ['mailbox_id', 'id'], unique=False)

    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailboxes_next_sync_at'), ['next_sync_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailboxes_next_sync_at'))

    with op.batch_alter_table('sync_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_sessions_mailbox')

    op.drop_table('sync_sessions')
    op.drop_table('sync_cursors')
    op.drop_table('saved_email_savers')
    with op.batch_alter_table('id_map', schema=None) as batch_op:
        batch_op.drop_index('ix_id_map_org_crm')
        batch_op.drop_index('ix_id_map_mailbox_kind')

    op.drop_table('id_map')
    op.drop_table('saved_emails')
    with op.batch_alter_table('mapping_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_tables_org_id'))

    op.drop_table('mapping_tables')
