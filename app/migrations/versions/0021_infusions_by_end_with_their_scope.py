"""infusions by end date with the columns of the cohort's scope

``ix_infusion_ended`` (actual_end, series_id, patient_id, number, id) replaces
``ix_infusion_actual_end`` (actual_end): it serves every range on ``actual_end`` the old one
did, and the cohort's scope (issue 14) reads the window's infusions from it alone, without a
visit to each row in the table (an index-only scan on PostgreSQL, a covering index on SQLite):
at 10,000 patients those visits were most of the cohort queries' extra time.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 21:10:00

"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.create_index('ix_infusion_ended',
                              ['actual_end', 'series_id', 'patient_id', 'number', 'id'], unique=False)
        batch_op.drop_index('ix_infusion_actual_end')


def downgrade():
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.create_index('ix_infusion_actual_end', ['actual_end'], unique=False)
        batch_op.drop_index('ix_infusion_ended')
