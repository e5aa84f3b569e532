"""CHECK constraints on the string columns that hold codes (roles, statuses, modes, directions …)

The sets were documented only by comments; the code now declares them in app/domain/enums.py (and
CardStatus/CardType in app/domain/cards.py) and the database refuses anything else. The values are
written out here, not imported: this revision must add the same constraints whenever it runs.

Existing rows: the card service's words (card.card_type, card.last_status, follow_up.kind) are mapped
the way the adapter reads them today, an unknown status to 'unknown' and another card scheme to
'other'. Every other column was only ever written from the code's own constants; if a database holds
a code outside its set anyway, the upgrade stops before changing anything and names table, column and
values, so a person decides what they meant.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CARD_STATUSES = ('valid', 'not_valid', 'expired', 'blocked', 'lost', 'stolen', 'confiscated', 'destroyed',
                 'unknown')

CODES = {
    'membership': {'role': ('admin', 'builder_rep', 'coordinator', 'safety_rep', 'employer_viewer',
                            'employer_rep')},
    'site': {'status': ('planned', 'active', 'completed'), 'outage_policy': ('strict', 'lenient')},
    'site_company': {'role': ('main_contractor', 'subcontractor', 'staffing_agency', 'sole_proprietor')},
    'card': {'card_type': ('construction', 'cleaning', 'other'), 'last_status': CARD_STATUSES},
    'engagement': {'registered_via': ('site_office', 'employer', 'import', 'gate')},
    'kiosk': {'mode': ('in', 'out', 'auto')},
    'scan_event': {'decision': ('accepted', 'rejected'), 'direction': ('in', 'out'),
                   'source': ('kiosk', 'manual')},
    'attendance_day': {'source': ('scan', 'manual')},
    'follow_up': {'kind': CARD_STATUSES},
    'access_link': {'kind': ('share', 'self_service')},
    'outbox_delivery': {'receiver': ('hmsreg', 'elrapp'), 'state': ('pending', 'sent', 'dead', 'withdrawn')},
    'site_induction': {'mode': ('refuse', 'warn', 'off')},
    'induction_completion': {'method': ('link', 'briefing')},
}

# What an unknown word from the card service means today (CardStatus/CardType.from_service).
SERVICE_WORDS = {('card', 'card_type'): 'other', ('card', 'last_status'): 'unknown', ('follow_up', 'kind'): 'unknown'}


def _allowed(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _strangers(conn, table: str, column: str, values) -> list[str]:
    rows = conn.execute(sa.text(f'SELECT DISTINCT {column} FROM "{table}" '
                                f'WHERE {column} IS NOT NULL AND {column} NOT IN ({_allowed(values)})'))
    return sorted(str(row[0]) for row in rows)


def upgrade():
    conn = op.get_bind()
    refused = []
    for table, columns in CODES.items():
        for column, values in columns.items():
            strangers = _strangers(conn, table, column, values)
            if strangers and (table, column) not in SERVICE_WORDS:
                refused.append(f"{table}.{column}: {', '.join(strangers)}")
    if refused:
        raise RuntimeError("portvakt: codes outside their set, nothing changed; correct these rows, then upgrade "
                           "again: " + "; ".join(refused))
    for (table, column), meaning in SERVICE_WORDS.items():
        op.execute(f'UPDATE "{table}" SET {column} = \'{meaning}\' '
                   f'WHERE {column} IS NOT NULL AND {column} NOT IN ({_allowed(CODES[table][column])})')
    for table, columns in CODES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), f"{column} IN ({_allowed(values)})")


def downgrade():
    for table, columns in CODES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
