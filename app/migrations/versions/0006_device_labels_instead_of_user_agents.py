"""device labels instead of full User-Agent strings on sessions

Sessions used to keep the browser's full User-Agent; they now keep a coarse label such as
"Chrome on Android" (app/auth/devices.py). Existing rows are relabelled; there is no way
back to the full strings, so the downgrade leaves the labels in place.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-21 13:05:00

"""
import sqlalchemy as sa
from alembic import op

from app.auth.devices import device_label

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

auth_session = sa.table("auth_session", sa.column("id", sa.Integer),
                        sa.column("device", sa.String))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(auth_session.c.id, auth_session.c.device)).all()
    for row in rows:
        if row.device and "/" not in row.device:
            continue  # already a label (User-Agents always carry product/version tokens)
        label = device_label(row.device)
        if label != row.device:
            connection.execute(auth_session.update().where(auth_session.c.id == row.id)
                               .values(device=label))


def downgrade():
    pass
