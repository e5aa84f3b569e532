"""merge the parallel revisions of this release into one head

0004a (connectors), 0004b (notifications), 0004c (visitors and induction) and 0004d (longer names)
were written side by side, each on 0003; this revision joins them. It changes no schema.

Revision ID: 0005
Revises: 0004a, 0004b, 0004c, 0004d
Create Date: 2026-12-06 06:00:00

"""

revision = '0005'
down_revision = ('0004a', '0004b', '0004c', '0004d')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
