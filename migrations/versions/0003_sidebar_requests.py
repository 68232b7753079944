"""sidebar requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blocklist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('entry', sa.String(length=320), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_blocklist_entries_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_blocklist_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_entries')),
    sa.UniqueConstraint('org_id', 'user_id', 'entry', name='blocklist_scope_entry')
    )
    with op.batch_alter_table('blocklist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocklist_entries_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blocklist_entries_user_id'), ['user_id'], unique=False)

    op.create_table('compose_saves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('who_ids', sa.JSON(), nullable=False),
    sa.Column('what_id', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_compose_saves_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_compose_saves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compose_saves')),
    sa.UniqueConstraint('user_id', 'marker', name='compose_save_user_marker')
    )
    with op.batch_alter_table('compose_saves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compose_saves_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compose_saves_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_saves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ical_uid', sa.String(length=1024), nullable=True),
    sa.Column('item_ref', sa.String(length=1024), nullable=True),
    sa.Column('who_ids', sa.JSON(), nullable=False),
    sa.Column('what_id', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_meeting_saves_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_saves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_saves'))
    )
    with op.batch_alter_table('meeting_saves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_saves_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_saves_user_id'), ['user_id'], unique=False)

    op.create_table('thread_autosaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.String(length=512), nullable=False),
    sa.Column('created_at', app.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_thread_autosaves_org_id_orgs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_autosaves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_autosaves')),
    sa.UniqueConstraint('user_id', 'thread_id', name='thread_autosave_user_thread')
    )
    with op.batch_alter_table('thread_autosaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_autosaves_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_thread_autosaves_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('thread_autosaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_autosaves_user_id'))
        batch_op.drop_index(batch_op.f('ix_thread_autosaves_org_id'))

    op.drop_table('thread_autosaves')
    with op.batch_alter_table('meeting_saves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_saves_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_saves_org_id'))

    op.drop_table('meeting_saves')
    with op.batch_alter_table('compose_saves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compose_saves_user_id'))
        batch_op.drop_index(batch_op.f('ix_compose_saves_org_id'))

    op.drop_table('compose_saves')
    with op.batch_alter_table('blocklist_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocklist_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_blocklist_entries_org_id'))

    op.drop_table('blocklist_entries')
