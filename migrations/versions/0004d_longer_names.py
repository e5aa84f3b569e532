"""longer names: a person's first and last name up to 200 characters (they were cut at 100)

The card service sends names as registered; a long double-barrelled or foreign name was cut
silently at 100. Widening keeps every existing row as it is.

Revision ID: 0004d
Revises: 0003
Create Date: 2026-12-06 05:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004d'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('first_name', existing_type=sa.String(length=100), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.alter_column('last_name', existing_type=sa.String(length=100), type_=sa.String(length=200),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('last_name', existing_type=sa.String(length=200), type_=sa.String(length=100),
                              existing_nullable=False)
        batch_op.alter_column('first_name', existing_type=sa.String(length=200), type_=sa.String(length=100),
                              existing_nullable=False)
