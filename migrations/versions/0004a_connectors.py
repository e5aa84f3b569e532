"""connectors: the outbox for HMSREG and ELRAPP, and a site's connector settings

outbox_delivery starts empty: only scans and lists after this release are forwarded. Every
existing site has HMSREG and ELRAPP off (a builder turns them on in the site's settings).

Revision ID: 0004a
Revises: 0003
Create Date: 2026-12-06 05:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004a'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('receiver', sa.String(length=10), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_hashes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_outbox_delivery_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_delivery')),
    sa.UniqueConstraint('receiver', 'site_id', 'ref', name=op.f('uq_outbox_delivery_receiver'))
    )
    with op.batch_alter_table('outbox_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_delivery_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_delivery_site_state', ['site_id', 'state'], unique=False)

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hmsreg_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('hmsreg_project', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('elrapp_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('elrapp_enabled')
        batch_op.drop_column('hmsreg_project')
        batch_op.drop_column('hmsreg_enabled')

    with op.batch_alter_table('outbox_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_delivery_site_state')
        batch_op.drop_index('ix_outbox_delivery_due')

    op.drop_table('outbox_delivery')
