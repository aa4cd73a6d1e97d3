"""infusion session records: vital-sign readings, observations, adverse events, discharge

What the clinic records while it watches a patient during an infusion (issue 18). Each row
belongs to an infusion and goes with it when the infusion is deleted.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def _common(table: str, *columns, unique_infusion: bool = False):
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('infusion_id', sa.Integer(), nullable=False),
        *columns,
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.ForeignKeyConstraint(['infusion_id'], ['infusion.id'],
                                name=op.f(f'fk_{table}_infusion_id_infusion'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f(f'fk_{table}_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        *([sa.UniqueConstraint('infusion_id', name=op.f(f'uq_{table}_infusion_id'))]
          if unique_infusion else []),
    )
    if not unique_infusion:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_infusion_id'), ['infusion_id'],
                                  unique=False)


def upgrade():
    _common('vital_reading',
            sa.Column('taken_at', TIME, nullable=False),
            sa.Column('phase', sa.String(length=16), nullable=False),
            sa.Column('systolic', sa.Integer(), nullable=True),
            sa.Column('diastolic', sa.Integer(), nullable=True),
            sa.Column('heart_rate', sa.Integer(), nullable=True),
            sa.Column('spo2', sa.Integer(), nullable=True),
            sa.Column('alert', sa.String(length=120), nullable=False))
    _common('session_observation',
            sa.Column('observed_at', TIME, nullable=False),
            sa.Column('dissociation', sa.String(length=8), nullable=False),
            sa.Column('sedation', sa.String(length=8), nullable=False))
    _common('session_adverse_event',
            sa.Column('occurred_at', TIME, nullable=False),
            sa.Column('what', sa.Text(), nullable=False),
            sa.Column('action_taken', sa.Text(), nullable=False))
    _common('session_discharge',
            sa.Column('discharged_at', TIME, nullable=False),
            sa.Column('stable', sa.Boolean(), nullable=False),
            sa.Column('driver_present', sa.Boolean(), nullable=False),
            unique_infusion=True)


def downgrade():
    for table in ('session_discharge', 'session_adverse_event', 'session_observation',
                  'vital_reading'):
        op.drop_table(table)
