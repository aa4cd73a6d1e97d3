"""patients without an email

A patient may have only a phone: user_account.email becomes nullable. The unique
(clinic_id, email) constraint stays; SQLite and PostgreSQL both let several rows hold NULL
there. Staff still need an email (checked by their schema and service, not the database).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)


def downgrade():
    # The old schema needs an address: phone-only patients get one that can never be delivered
    # (RFC 2606 reserves .invalid), unique per account.
    op.execute("UPDATE user_account SET email = 'patient-' || id || '@phone-only.invalid' "
               "WHERE email IS NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
