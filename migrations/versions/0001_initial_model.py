"""initial model

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('orgs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sf_org_id', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('instance_url', sa.String(length=255), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orgs')),
    sa.UniqueConstraint('sf_org_id', name=op.f('uq_orgs_sf_org_id'))
    )
    op.create_table('server_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.Enum('graph', 'ews', 'gmail', 'imap', name='provider_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('endpoints', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_server_profiles_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_profiles')),
    sa.UniqueConstraint('org_id', 'name', name='org_profile_name')
    )
    with op.batch_alter_table('server_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_profiles_org_id'), ['org_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('sf_user_id', sa.String(length=18), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('sf_admin', sa.Boolean(), nullable=False),
    sa.Column('admin_granted', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('auto_sync_enabled', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_users_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('org_id', 'sf_user_id', name='org_sf_user')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_org_id'), ['org_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_events_actor_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_audit_events_org_id_orgs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_org_created', ['org_id', 'id'], unique=False)

    op.create_table('mailboxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('server_profile_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('username', sa.String(length=320), nullable=False),
    sa.Column('credentials_enc', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('active', 'suspended', 'disabled', name='mailbox_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status_reason', sa.String(length=1024), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('last_sync_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_sync_at', app.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_mailboxes_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['server_profile_id'], ['server_profiles.id'], name=op.f('fk_mailboxes_server_profile_id_server_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mailboxes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailboxes')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mailboxes_user_id'))
    )
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailboxes_org_id'), ['org_id'], unique=False)

    op.create_table('salesforce_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('instance_url', sa.String(length=255), nullable=False),
    sa.Column('access_token_enc', sa.Text(), nullable=False),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('scope', sa.String(length=512), nullable=True),
    sa.Column('status', sa.Enum('connected', 'needs_reauth', 'revoked', name='connection_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status_reason', sa.String(length=512), nullable=True),
    sa.Column('is_org_default', sa.Boolean(), nullable=False),
    sa.Column('issued_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_salesforce_connections_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_salesforce_connections_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salesforce_connections')),
    sa.UniqueConstraint('user_id', name=op.f('uq_salesforce_connections_user_id'))
    )
    with op.batch_alter_table('salesforce_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salesforce_connections_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('salesforce_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salesforce_connections_org_id'))

    op.drop_table('salesforce_connections')
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailboxes_org_id'))

    op.drop_table('mailboxes')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_org_created')

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_org_id'))
        batch_op.drop_index(batch_op.f('ix_users_email'))

    op.drop_table('users')
    with op.batch_alter_table('server_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_profiles_org_id'))

    op.drop_table('server_profiles')
    op.drop_table('orgs')
