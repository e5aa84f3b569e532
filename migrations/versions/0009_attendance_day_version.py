"""attendance_day.version: the gate writes a person's day only if nobody wrote it since its read

A scan used to lock the day row (SELECT ... FOR UPDATE) between reading and writing it. Now the
scan reads without a lock and its one write carries the check: UPDATE ... WHERE version = the
version read, and version + 1 (app/services/gate_queries.py); a lost race is read and decided
again. Every ORM change to a day bumps the version too (app/models/attendance.py). Existing rows
start at 0.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance_day', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('attendance_day', schema=None) as batch_op:
        batch_op.drop_column('version')
