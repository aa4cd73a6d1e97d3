"""push subscriptions belong to the signed-in session (device) that saved them

Ending a session removes its subscriptions, so a signed-out phone stops getting prompts.
Subscriptions saved before this have no session; they are removed whenever the account's
other sessions end (the device that holds one saves it again, tied to its session).

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-26 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_push_subscription_auth_session_id'),
                              ['auth_session_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_push_subscription_auth_session_id_auth_session'), 'auth_session',
            ['auth_session_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_push_subscription_auth_session_id_auth_session'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_push_subscription_auth_session_id'))
        batch_op.drop_column('auth_session_id')
