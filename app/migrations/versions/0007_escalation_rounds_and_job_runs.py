"""escalation rounds for re-opened flags, and job runs

A flag now keeps when it was last opened (``opened_at``) and how many times
(``times_opened``); each escalation notification carries the round it belongs to, so a
flag opened again by new evidence escalates again instead of failing on the old
(flag, user) unique constraint. ``job_run`` keeps each job's last success and failure.

Existing flags: opened_at = created_at; a flag that was escalated and has since been opened
again (escalation pushes exist, escalated_at is empty) is in its second round and escalates
on the next run; its first round's pushes are round 1.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_run',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=80), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_run')),
    )
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('times_opened', sa.Integer(), nullable=True))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_round', sa.Integer(), nullable=True))

    escalated = ("EXISTS (SELECT 1 FROM notification n WHERE n.flag_id = flag.id "
                 "AND n.kind = 'escalation')")
    op.execute(f"UPDATE flag SET opened_at = created_at, times_opened = CASE WHEN {escalated} "
               "AND escalated_at IS NULL THEN 2 ELSE 1 END")
    op.execute("UPDATE notification SET escalation_round = 1 WHERE flag_id IS NOT NULL")

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.alter_column('opened_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('times_opened', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_flag_escalation')
        batch_op.create_index('ix_flag_escalation',
                              ['status', 'priority', 'escalated_at', 'opened_at'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notification_flag_id_user_id'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_notification_flag_id_user_id_escalation_round'),
            ['flag_id', 'user_id', 'escalation_round'])


def downgrade():
    # Only the latest round's pushes fit the old (flag, user) constraint.
    op.execute("DELETE FROM notification WHERE flag_id IS NOT NULL AND escalation_round < "
               "(SELECT MAX(m.escalation_round) FROM notification m "
               "WHERE m.flag_id = notification.flag_id AND m.user_id = notification.user_id)")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_notification_flag_id_user_id_escalation_round'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_notification_flag_id_user_id'),
                                          ['flag_id', 'user_id'])
        batch_op.drop_column('escalation_round')
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index('ix_flag_escalation')
        batch_op.create_index('ix_flag_escalation',
                              ['status', 'priority', 'escalated_at', 'created_at'], unique=False)
        batch_op.drop_column('times_opened')
        batch_op.drop_column('opened_at')
    op.drop_table('job_run')
