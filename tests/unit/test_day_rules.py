"""Day rules (app/domain/days.py) that the list pages and their services share."""
from datetime import date

import pytest

from app.domain.days import can_check_day
from app.domain.manual import day_open_for_manual

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


@pytest.mark.parametrize("day, open_", [
    (date(2026, 3, 10), True),
    (date(2026, 3, 3), True),  # a week back: the oldest day the office may still register
    (date(2026, 3, 2), False),
    (date(2026, 3, 11), False),  # the future
])
def test_the_days_the_office_may_register_by_hand(day, open_):
    assert day_open_for_manual(day, TODAY) is open_
