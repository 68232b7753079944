"""why each mirrored record's Who/What were chosen (the resolution ladder's reasons)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('id_map', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_reasons', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('id_map', schema=None) as batch_op:
        batch_op.drop_column('link_reasons')
