"""The SQL form of app/domain/attendance.active_on, for queries that filter on it in the database: a
period with open ends (an engagement, a place on the contract chain) covers a day, both ends counted.
tests/integration/test_active_on_sql.py keeps the two forms in agreement."""
from datetime import date

from sqlalchemy import and_, or_


def active_on(active_from, active_to, day: date):
    """A WHERE clause: the period [active_from, active_to] (columns; NULL is an open end) covers `day`."""
    return and_(or_(active_from.is_(None), active_from <= day), or_(active_to.is_(None), active_to >= day))
