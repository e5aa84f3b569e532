"""visitors on the evacuation list; a site's safety induction (HMS-introduksjon) and who completed it

Three new tables, nothing changed in existing ones: visitor (deleted by the retention purge after
VISITOR_RETENTION_DAYS), site_induction (one row per site that has an induction; none means "off")
and induction_completion (per person and site, with the version of the text taken).

Revision ID: 0004c
Revises: 0003
Create Date: 2026-12-06 05:39:43.870250

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004c'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('induction_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('held_by', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_induction_completion_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_induction_completion_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_induction_completion_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_completion'))
    )
    with op.batch_alter_table('induction_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_induction_completion_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_induction_completion_site_id'), ['site_id'], unique=False)

    op.create_table('site_induction',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('valid_months', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('required_version', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_site_induction_site_id_site')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_induction'))
    )
    op.create_table('visitor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('expected_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user.id'], name=op.f('fk_visitor_registered_by_id_user')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_visitor_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visitor'))
    )
    with op.batch_alter_table('visitor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitor_site_id'), ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visitor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visitor_site_id'))
    op.drop_table('visitor')
    op.drop_table('site_induction')
    with op.batch_alter_table('induction_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_induction_completion_site_id'))
        batch_op.drop_index(batch_op.f('ix_induction_completion_person_id'))
    op.drop_table('induction_completion')
