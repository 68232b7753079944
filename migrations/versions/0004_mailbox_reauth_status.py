"""mailbox needs_reauth status and who set the status

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD = sa.Enum('active', 'suspended', 'disabled', name='mailbox_status', native_enum=False, create_constraint=True)
NEW = sa.Enum('active', 'suspended', 'disabled', 'needs_reauth', name='mailbox_status', native_enum=False,
              create_constraint=True)
SOURCE = sa.Enum('system', 'user', 'admin', name='mailbox_status_source', native_enum=False, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_set_by', SOURCE, nullable=True))
        batch_op.alter_column('status', existing_type=OLD, type_=NEW, existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE mailboxes SET status = 'suspended' WHERE status = 'needs_reauth'")
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=NEW, type_=OLD, existing_nullable=False)
        # a plain type first, so the column's CHECK constraint goes before the column does
        batch_op.alter_column('status_set_by', existing_type=SOURCE, type_=sa.String(16), existing_nullable=True)
    with op.batch_alter_table('mailboxes', schema=None) as batch_op:
        batch_op.drop_column('status_set_by')
