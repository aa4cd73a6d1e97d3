"""each person's language, and the language of each answer

``user_account.language``: "en" or "es" (issue 19); every existing account stays in English.
``phq9_response.language`` and ``checkin.language``: the language it was answered in (the
FHIR QuestionnaireResponse's ``language``); every earlier answer was in English.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 12:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


TABLES = ('user_account', 'phq9_response', 'checkin')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False,
                                          server_default='en'))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
