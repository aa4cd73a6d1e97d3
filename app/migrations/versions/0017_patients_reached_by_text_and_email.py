"""patients reached by text and email

A patient has a phone (E.164), a preferred and a fallback channel, the consent to texts (who
recorded it, when) and their STOP state; a message records the channel it is going by, its
link and when the link was opened (a sign-in or setup link encrypted until sent); each attempt its channel, provider id, status and reason.
Inbound keywords, sign-in links and the demo's local outbox get tables of their own.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 11:02:09

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('local_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('to', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_message'))
    )
    op.create_table('sign_in_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_link_token_hash'))
    )
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_link_user_id'), ['user_id'], unique=False)

    op.create_table('sms_keyword',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('keyword', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_sms_keyword_patient_id_patient'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_keyword'))
    )
    with op.batch_alter_table('sms_keyword', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_keyword_phone'), ['phone'], unique=False)

    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='push', nullable=False))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_delivery_attempt_provider_id'), ['provider_id'])

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('fell_back', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('link_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sealed_link', sa.String(length=512), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_notification_link_token'), ['link_token'])

    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('preferred_channel', sa.String(length=8), server_default='auto', nullable=False))
        batch_op.add_column(sa.Column('fallback_channel', sa.String(length=8), server_default='auto', nullable=False))
        batch_op.add_column(sa.Column('sms_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sms_consent_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sms_stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_patient_sms_consent_by_id_user_account'), 'user_account', ['sms_consent_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_patient_sms_consent_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('email_stopped_at')
        batch_op.drop_column('sms_stopped_at')
        batch_op.drop_column('sms_consent_by_id')
        batch_op.drop_column('sms_consent_at')
        batch_op.drop_column('fallback_channel')
        batch_op.drop_column('preferred_channel')
        batch_op.drop_column('phone')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notification_link_token'), type_='unique')
        batch_op.drop_column('sealed_link')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('link_token')
        batch_op.drop_column('fell_back')
        batch_op.drop_column('channel')

    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_delivery_attempt_provider_id'), type_='unique')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('reason')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('sms_keyword', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_keyword_phone'))

    op.drop_table('sms_keyword')
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_link_user_id'))

    op.drop_table('sign_in_link')
    op.drop_table('local_message')
