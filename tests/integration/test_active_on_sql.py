""""Active on a date" has one rule (app/domain/attendance.active_on) and one SQL form
(app/models/periods.active_on); they agree on every kind of period."""
from datetime import date

import pytest
from sqlalchemy import Date, literal, null, select

from app.domain.attendance import active_on
from app.extensions import db
from app.models import periods

DAY = date(2026, 3, 10)


def _column(value):
    return null() if value is None else literal(value, Date)


@pytest.mark.parametrize("active_from, active_to", [
    (None, None), (DAY, DAY), (date(2026, 3, 1), None), (None, date(2026, 3, 31)),
    (date(2026, 3, 11), None), (None, date(2026, 3, 9)), (date(2026, 3, 1), date(2026, 3, 9)),
    (date(2026, 3, 11), date(2026, 3, 20)), (date(2026, 3, 1), DAY), (DAY, date(2026, 3, 20)),
])
def test_the_sql_form_agrees_with_the_rule(db_session, active_from, active_to):
    clause = periods.active_on(_column(active_from), _column(active_to), DAY)
    assert bool(db.session.scalar(select(clause))) is active_on(active_from, active_to, DAY)
