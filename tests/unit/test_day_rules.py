"""Day rules (app/domain/days.py) that the list pages and their services share."""
from datetime import date

import pytest

from app.domain.days import can_check_day

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("day, checkable", [
    (date(2026, 3, 10), True),  # today may be checked (and again later, as a new version)
    (date(2026, 3, 9), True),
    (date(2000, 1, 1), True),
    (date(2026, 3, 11), False),  # a day that has not begun cannot be checked
    (date(2099, 12, 31), False),
])
def test_a_day_that_has_not_begun_cannot_be_checked(day, checkable):
    assert can_check_day(day, TODAY) is checkable
