"""infusion weight and confirmation of an unusual dose

Each infusion keeps the patient's weight (kg), so mg can be checked against mg/kg x weight,
and who confirmed a dose outside the usual range, and when. Infusions recorded before this
have no weight (it was never asked); they stay as they are.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-24 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight_kg', sa.Numeric(precision=5, scale=1),
                                      nullable=True))
        batch_op.add_column(sa.Column('dose_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dose_confirmed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_infusion_dose_confirmed_by_id_user_account'), 'user_account',
            ['dose_confirmed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_infusion_dose_confirmed_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('dose_confirmed_at')
        batch_op.drop_column('dose_confirmed_by_id')
        batch_op.drop_column('weight_kg')
