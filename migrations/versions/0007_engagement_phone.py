"""a worker's contact phone per engagement, for that site's evacuation roll call

One nullable column, nothing else changed: engagement.phone (normalised: digits with an optional
leading +), from the crew import's optional `phone` column or the crew form. Shown on the muster
list and in the worker's own record; deleted with the engagement by the retention purge.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:11:24.718174

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_column('phone')
