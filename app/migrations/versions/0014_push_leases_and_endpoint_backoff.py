"""push claims are leases; endpoints that keep failing are backed off

A claimed notification carries the moment its lease ends (renewed by the sending run), so a
dead process's rows are taken again within about a minute. A push subscription counts its
consecutive failures and is skipped until its next attempt is due.

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-28 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
    # Rows claimed before leases existed: their lease ends now, so they are taken again.
    op.execute("UPDATE notification SET lease_expires_at = claimed_at WHERE status = 'sending'")


def downgrade():
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('failures')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
