"""The attendance rules: direction, repeat reads, copied cards, the day's first in / last out, closing."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.attendance import (
    NO_ENTRY_RECORDED, NO_EXIT_RECORDED, POSSIBLE_COPIED_CARD, ClockError, DayState, PastScan,
    active_on, apply_scan, check_clock, choose_direction, close_day, closing_is_due, is_repeat_read, looks_copied,
    parse_scanned_at, rebuild_day,
)

T0 = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize("requested, mode, present, expected", [
    ("auto", "auto", False, "in"),
    ("auto", "auto", True, "out"),
    ("in", "auto", True, "in"),
    ("out", "auto", False, "out"),
    ("auto", "in", True, "in"),
    ("out", "in", False, "in"),
    ("in", "out", False, "out"),
])
def test_direction(requested, mode, present, expected):
    assert choose_direction(requested, mode, present) == expected


@pytest.mark.parametrize("seconds, repeat", [(0, True), (29.9, True), (-10, True), (30, False), (600, False)])
def test_repeat_read_within_debounce(seconds, repeat):
    assert is_repeat_read(T0, T0 + timedelta(seconds=seconds), 30) is repeat


@pytest.mark.parametrize("text", [
    "2026-11-25T07:30:00+01:00", "2026-11-25T06:30:00Z", "2026-11-25T06:30:00.123456+00:00",
])
def test_scanned_at_with_offset_parses(text):
    assert parse_scanned_at(text) == T0.replace(microsecond=parse_scanned_at(text).microsecond)


@pytest.mark.parametrize("text", [
    "2026-11-25T06:30:00", "yesterday", "", None, 1764052200, "2026-13-25T06:30:00Z",
    "2026-11-25T06:30:00+25:00", "x" * 100,
])
def test_scanned_at_malformed_or_without_offset_is_refused(text):
    with pytest.raises(ClockError):
        parse_scanned_at(text)


@pytest.mark.parametrize("offset, queued, late", [
    (timedelta(minutes=4), False, False),
    (timedelta(0), False, False),
    (timedelta(minutes=-4), False, False),
    (timedelta(minutes=-6), False, True),
    (timedelta(days=-6), True, True),
    (timedelta(0), True, True),
])
def test_clock_accepts_and_flags_late(offset, queued, late):
    assert check_clock(T0 + offset, T0, queued) is late


@pytest.mark.parametrize("offset", [timedelta(minutes=5, seconds=1), timedelta(days=-7, seconds=-1)])
def test_clock_refuses_the_future_and_the_too_old(offset):
    with pytest.raises(ClockError):
        check_clock(T0 + offset, T0, queued=True)


def scan(site=1, kiosk=1, direction="in", minutes=0.0):
    return PastScan(site_id=site, kiosk_id=kiosk, direction=direction, scanned_at=at(minutes))


@pytest.mark.parametrize("others, direction, copied", [
    ([], "in", False),
    ([scan(site=2, minutes=-119)], "in", True),
    ([scan(site=2, minutes=-121)], "in", False),
    ([scan(site=2, direction="out", minutes=30)], "out", True),  # a late upload from the other site
    ([scan(kiosk=2, minutes=-9)], "in", True),
    ([scan(kiosk=2, minutes=-11)], "in", False),
    ([scan(kiosk=2, minutes=-9), scan(kiosk=2, direction="out", minutes=-5)], "in", False),
    ([scan(kiosk=1, minutes=-3)], "in", False),  # the same gate twice is a repeat, not a copy
    ([scan(kiosk=None, minutes=-3)], "in", False),  # a manual registration is not a second card
    ([scan(kiosk=2, minutes=-3)], "out", False),
    ([scan(kiosk=2, minutes=4)], "in", True),  # out of order: the other "in" arrived first
])
def test_copied_card_rules(others, direction, copied):
    assert looks_copied(1, 1, direction, at(0), others) is copied


def test_first_in_last_out_and_presence_follow_the_scans():
    day = apply_scan(None, "in", at(0))
    assert (day.first_in, day.last_out, day.is_present) == (at(0), None, True)
    day = apply_scan(day, "out", at(240))
    day = apply_scan(day, "in", at(270))
    assert (day.first_in, day.last_out, day.is_present) == (at(0), at(240), True)
    day = apply_scan(day, "out", at(540))
    assert (day.first_in, day.last_out, day.is_present, day.flags) == (at(0), at(540), False, ())


def test_a_late_scan_moves_times_but_not_presence():
    day = apply_scan(apply_scan(None, "in", at(60)), "out", at(120))
    day = apply_scan(day, "in", at(180))
    late = apply_scan(day, "out", at(100))  # an offline gate uploads an older exit
    assert late.is_present and late.last_out == at(120) and late.last_scan_at == at(180)
    earlier = apply_scan(day, "in", at(0))
    assert earlier.first_in == at(0) and earlier.is_present


def test_an_exit_without_entry_is_flagged_until_the_entry_turns_up():
    day = apply_scan(None, "out", at(600))
    assert day.first_in is None and not day.is_present and day.flags == (NO_ENTRY_RECORDED,)
    day = apply_scan(day, "in", at(0))
    assert day.flags == () and not day.is_present


def test_copied_flag_sticks_to_the_day():
    day = apply_scan(None, "in", at(0), copied=True)
    assert POSSIBLE_COPIED_CARD in apply_scan(day, "out", at(60)).flags


def test_closing_takes_people_off_site_and_flags_them():
    closed = close_day(apply_scan(None, "in", at(0)))
    assert not closed.is_present and closed.flags == (NO_EXIT_RECORDED,)
    gone = apply_scan(None, "out", at(10))
    assert close_day(gone) == gone
    # The exit arrives from an offline queue after closing: the flag goes.
    assert apply_scan(closed, "out", at(480)).flags == ()


def test_rebuild_day_is_the_scans_in_time_order():
    scans = [("out", at(240), False), ("in", at(0), False), ("in", at(300), True)]
    day = rebuild_day(scans)
    assert (day.first_in, day.last_out, day.is_present, day.flags) == (at(0), at(240), True, (POSSIBLE_COPIED_CARD,))
    assert rebuild_day([]) is None


@pytest.mark.parametrize("day_date, now_local, due", [
    (date(2026, 11, 24), datetime(2026, 11, 25, 0, 5), True),
    (date(2026, 11, 25), datetime(2026, 11, 25, 23, 58), False),
    (date(2026, 11, 25), datetime(2026, 11, 25, 23, 59), True),
    (date(2026, 11, 26), datetime(2026, 11, 25, 23, 59), False),
])
def test_closing_is_due_at_the_closing_time(day_date, now_local, due):
    assert closing_is_due(day_date, time(23, 59), now_local) is due


def test_day_state_default_is_absent():
    assert DayState().is_present is False


passages = st.lists(st.tuples(st.sampled_from(["in", "out"]), st.integers(0, 24 * 60)), min_size=1, max_size=12,
                    unique_by=lambda p: p[1])


@given(passages, st.randoms())
def test_arrival_order_does_not_change_the_day(scans, rng):
    """Offline queues deliver late: any arrival order gives the day that time order gives."""
    in_time_order = rebuild_day((d, at(m), False) for d, m in scans)
    shuffled = list(scans)
    rng.shuffle(shuffled)
    day = None
    for direction, minute in shuffled:
        day = apply_scan(day, direction, at(minute))
    assert day == in_time_order
    latest = max(scans, key=lambda s: s[1])
    assert day.is_present is (latest[0] == "in")
    ins = [m for d, m in scans if d == "in"]
    assert day.first_in == (at(min(ins)) if ins else None)


@pytest.mark.parametrize("active_from, active_to, expected", [
    (None, None, True),
    (date(2026, 12, 6), None, True),  # from its first day
    (date(2026, 12, 7), None, False),
    (None, date(2026, 12, 6), True),  # to and with its last day
    (None, date(2026, 12, 5), False),
    (date(2026, 12, 1), date(2026, 12, 31), True),
])
def test_an_engagement_is_active_on_both_of_its_end_days(active_from, active_to, expected):
    assert active_on(active_from, active_to, date(2026, 12, 6)) is expected


def test_the_scan_window_reads_this_sites_scans_only_near_the_new_one():
    from app.domain import attendance as rules

    scanned_at = T0
    window = rules.scan_window(scanned_at, timedelta(seconds=30))
    assert (window.start, window.end) == (T0 - rules.OTHER_SITE_WINDOW, T0 + rules.OTHER_SITE_WINDOW)
    assert (window.here_start, window.here_end) == (T0 - rules.DOUBLE_ENTRY_WINDOW, T0 + rules.DOUBLE_ENTRY_WINDOW)
    assert (window.repeat_start, window.repeat_end) == (T0 - timedelta(seconds=30), T0 + timedelta(seconds=30))
    long_debounce = rules.scan_window(scanned_at, timedelta(minutes=15))  # repeat reads have their own window
    assert (long_debounce.repeat_start, long_debounce.repeat_end) == (T0 - timedelta(minutes=15),
                                                                      T0 + timedelta(minutes=15))
    assert long_debounce.here_start == T0 - rules.DOUBLE_ENTRY_WINDOW
