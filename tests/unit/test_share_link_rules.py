"""Share-link rules (app/domain/share_links.py): the days a link shows, its period, how long it works."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.domain.share_links import covers, days_shown, expiry, period_shown, request_refused

NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
TODAY = date(2026, 3, 10)
WEEK = NOW + timedelta(days=7)


@pytest.mark.parametrize("date_from, date_to, expires_at, refused", [
    (TODAY - timedelta(days=6), TODAY, WEEK, None),
    (date(202, 3, 1), TODAY, WEEK, "date_out_of_range"),  # 0202 for 2026: a typo
    (TODAY, TODAY + timedelta(days=367), WEEK, "date_out_of_range"),
    (TODAY, TODAY - timedelta(days=1), WEEK, "date_range_reversed"),
    (TODAY - timedelta(days=366), TODAY, WEEK, "date_range_too_long"),
    (TODAY - timedelta(days=365), TODAY, WEEK, None),  # a year of lists, both ends counted
    (TODAY, TODAY, NOW, "expiry_in_past"),
    (TODAY, TODAY, NOW + timedelta(days=90, seconds=1), "expiry_too_far"),
    (TODAY, TODAY, NOW + timedelta(days=90), None),
])
def test_what_a_share_link_request_may_ask_for(date_from, date_to, expires_at, refused):
    assert request_refused(date_from, date_to, expires_at, NOW) == refused


@pytest.mark.parametrize("day, shown", [
    (date(2026, 3, 1), True), (date(2026, 3, 5), True), (date(2026, 3, 7), True),
    (date(2026, 2, 28), False), (date(2026, 3, 8), False),
])
def test_a_link_shows_the_days_of_its_range_only(day, shown):
    assert covers(date(2026, 3, 1), date(2026, 3, 7), day) is shown


@pytest.mark.parametrize("date_from, date_to, today, expected", [
    (date(2026, 3, 1), date(2026, 3, 7), TODAY, (date(2026, 3, 1), date(2026, 3, 7))),
    (date(2026, 3, 1), date(2026, 3, 31), TODAY, (date(2026, 3, 1), TODAY)),  # never past today
    (TODAY, TODAY, TODAY, (TODAY, TODAY)),
    (date(2026, 3, 11), date(2026, 3, 20), TODAY, None),  # nothing has begun yet
])
def test_the_period_a_link_reports(date_from, date_to, today, expected):
    assert period_shown(date_from, date_to, today) == expected


def test_the_days_a_link_lists_newest_first_never_past_today():
    assert days_shown(date(2026, 3, 8), date(2026, 3, 31), TODAY) == [TODAY, date(2026, 3, 9), date(2026, 3, 8)]
    assert days_shown(date(2026, 3, 11), date(2026, 3, 31), TODAY) == []


@pytest.mark.parametrize("today, valid_days, expected", [
    (date(2026, 3, 10), 1, datetime(2026, 3, 10, 23, tzinfo=timezone.utc)),  # to midnight, Oslo winter time
    (date(2026, 3, 10), 7, datetime(2026, 3, 16, 23, tzinfo=timezone.utc)),
    (date(2026, 3, 28), 1, datetime(2026, 3, 28, 23, tzinfo=timezone.utc)),  # the night before summer time
    (date(2026, 3, 29), 1, datetime(2026, 3, 29, 22, tzinfo=timezone.utc)),  # summer time: UTC+2
])
def test_a_link_for_n_days_works_to_the_end_of_the_local_day(today, valid_days, expected):
    assert expiry(today, valid_days, "Europe/Oslo") == expected
