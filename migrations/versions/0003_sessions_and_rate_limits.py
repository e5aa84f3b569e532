"""sessions end server-side; rate-limit counters shared by every app server

Every user gets session_generation = 0. It is part of each session's id, so the sessions signed in
before this release (whose id has no generation) end once: everyone signs in again.
rate_limit_counter holds Flask-Limiter's fixed windows (app/ratelimit.py); it starts empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 05:16:08.101311

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

    op.drop_table('rate_limit_counter')
