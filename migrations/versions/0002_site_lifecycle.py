"""site lifecycle: planned end, printed times, kiosk languages, card orders

Existing sites get prints_times = false: § 15 needs no in/out times, and until now they were printed
whenever a site recorded them. The times stay recorded; already archived PDFs keep what they printed.
Existing engagements get registered_via = NULL (nobody recorded how they were made).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 05:00:03.771811

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('hired_by_id', sa.Integer(), nullable=True),
    sa.Column('order_reference', sa.String(length=100), nullable=True),
    sa.Column('receipt', sa.LargeBinary(), nullable=True),
    sa.Column('receipt_filename', sa.String(length=200), nullable=True),
    sa.Column('receipt_mimetype', sa.String(length=100), nullable=True),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_card_order_card_id_card')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_card_order_created_by_id_user')),
    sa.ForeignKeyConstraint(['employer_id'], ['company.id'], name=op.f('fk_card_order_employer_id_company')),
    sa.ForeignKeyConstraint(['hired_by_id'], ['company.id'], name=op.f('fk_card_order_hired_by_id_company')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_card_order_person_id_person')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_card_order_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_order'))
    )
    with op.batch_alter_table('card_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_order_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_order_site_id'), ['site_id'], unique=False)

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_via', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('prints_times', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('kiosk_languages', sa.String(length=50), server_default='nb,en,pl,lt', nullable=False))



def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('kiosk_languages')
        batch_op.drop_column('prints_times')
        batch_op.drop_column('planned_end')

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_column('created_at')
        batch_op.drop_column('registered_via')

    with op.batch_alter_table('card_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_order_site_id'))
        batch_op.drop_index(batch_op.f('ix_card_order_person_id'))

    op.drop_table('card_order')
