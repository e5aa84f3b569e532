"""pictures for a site's induction text (HMS-introduksjon)

One new table, nothing changed in existing ones: induction_image (PNG, JPEG or WebP, at most 2 MB
each, the type read from the bytes), which the text refers to as `bilde:ID`; deleted with the
site's list by the retention purge.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:00:22.109131

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('induction_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_induction_image_site_id_site')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_induction_image_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_image'))
    )
    with op.batch_alter_table('induction_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_induction_image_site_id'), ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('induction_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_induction_image_site_id'))

    op.drop_table('induction_image')
