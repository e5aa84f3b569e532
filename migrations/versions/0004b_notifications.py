"""e-mail notifications: each user's choices, open conditions, and one message per event and recipient

New tables only; nothing existing changes. A user without preference rows gets every kind (the
settings page turns each off), immediately rather than as a daily digest.

Revision ID: 0004b
Revises: 0003
Create Date: 2026-12-06 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004b'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id'))
    )
    op.create_table('notification_condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_notification_condition_site_id_site'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_condition')),
    sa.UniqueConstraint('kind', 'subject', name=op.f('uq_notification_condition_kind'))
    )
    op.create_table('notification_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('digest', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_notification_message_site_id_site'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_message_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_message')),
    sa.UniqueConstraint('user_id', 'event_key', name=op.f('uq_notification_message_user_id'))
    )
    with op.batch_alter_table('notification_message', schema=None) as batch_op:
        batch_op.create_index('ix_notification_message_unsent', ['sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notification_message', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_message_unsent')

    op.drop_table('notification_message')
    op.drop_table('notification_condition')
    op.drop_table('notification_preference')
