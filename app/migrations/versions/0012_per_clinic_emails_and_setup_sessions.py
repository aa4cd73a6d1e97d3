"""emails unique per clinic; setup links opened into a cookie-bound setup session

An email is unique within one clinic instead of across all of them, so enrolling someone does
not reveal whether the address has an account in another clinic. A setup link records when it
was opened and the hash of the setup-session secret its opening browser keeps.

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-27 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_clinic_id_email'),
                                          ['clinic_id', 'email'])
        batch_op.create_index(batch_op.f('ix_user_account_email'), ['email'], unique=False)
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_setup_link_session_hash'),
                                          ['session_hash'])


def downgrade():
    with op.batch_alter_table('setup_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_setup_link_session_hash'), type_='unique')
        batch_op.drop_column('session_hash')
        batch_op.drop_column('opened_at')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_email'))
        batch_op.drop_constraint(batch_op.f('uq_user_account_clinic_id_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_email'), ['email'])
