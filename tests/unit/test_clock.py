"""The one clock (app/clock.py) and the day arithmetic under it, across Europe/Oslo's DST changes.

In 2026 summer time starts on Sunday 29 March (02:00 CET → 03:00 CEST, at 01:00 UTC) and ends on
Sunday 25 October (03:00 CEST → 02:00 CET, at 01:00 UTC).
"""
import ast
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask

from app import clock
from app.domain.localtime import day_start, local_date, local_moment

ROOT = Path(__file__).resolve().parents[2]
OSLO = "Europe/Oslo"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, day", [
    (utc(2026, 3, 28, 22, 59), date(2026, 3, 28)),  # 23:59 CET
    (utc(2026, 3, 28, 23, 0), date(2026, 3, 29)),  # 00:00 CET, the short day begins
    (utc(2026, 3, 29, 0, 59), date(2026, 3, 29)),  # 01:59 CET, just before the change
    (utc(2026, 3, 29, 1, 0), date(2026, 3, 29)),  # 03:00 CEST, just after
    (utc(2026, 3, 29, 21, 59), date(2026, 3, 29)),  # 23:59 CEST
    (utc(2026, 3, 29, 22, 0), date(2026, 3, 30)),  # midnight is an hour earlier in UTC now
    (utc(2026, 10, 24, 21, 59), date(2026, 10, 24)),  # 23:59 CEST
    (utc(2026, 10, 24, 22, 0), date(2026, 10, 25)),  # 00:00 CEST, the long day begins
    (utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),  # 02:30 CEST, the first 02:30
    (utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),  # 02:30 CET, the second
    (utc(2026, 10, 25, 22, 59), date(2026, 10, 25)),  # 23:59 CET
    (utc(2026, 10, 25, 23, 0), date(2026, 10, 26)),
])
def test_the_local_day_of_a_moment_at_the_dst_changes(moment, day):
    assert local_date(moment, OSLO) == day


@pytest.mark.parametrize("day, start, hours", [
    (date(2026, 3, 28), utc(2026, 3, 27, 23, 0), 24),
    (date(2026, 3, 29), utc(2026, 3, 28, 23, 0), 23),  # the spring change: a 23-hour day
    (date(2026, 3, 30), utc(2026, 3, 29, 22, 0), 24),
    (date(2026, 10, 25), utc(2026, 10, 24, 22, 0), 25),  # the autumn change: a 25-hour day
    (date(2026, 10, 26), utc(2026, 10, 25, 23, 0), 24),
])
def test_a_day_begins_at_local_midnight_and_lasts_23_24_or_25_hours(day, start, hours):
    assert day_start(day, OSLO) == start
    assert day_start(day + timedelta(days=1), OSLO) - day_start(day, OSLO) == timedelta(hours=hours)


@pytest.mark.parametrize("day, clock_time, moment", [
    (date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 0, 59)),
    (date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30)),  # skipped: read as 03:30 summer time
    (date(2026, 3, 29), time(3, 0), utc(2026, 3, 29, 1, 0)),
    (date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # twice: the first (summer time)
    (date(2026, 10, 25), time(3, 0), utc(2026, 10, 25, 2, 0)),
    (date(2026, 7, 1), time(7, 0), utc(2026, 7, 1, 5, 0)),
    (date(2026, 1, 5), time(7, 0), utc(2026, 1, 5, 6, 0)),
])
def test_a_wall_clock_time_on_a_day_as_utc(day, clock_time, moment):
    assert local_moment(day, clock_time, OSLO) == moment
    assert local_date(local_moment(day, clock_time, OSLO), OSLO) == day


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 29, 12, 0), OSLO)


@pytest.fixture
def site_app():
    app = Flask(__name__)
    app.config["PORTVAKT_TZ"] = OSLO
    with app.app_context():
        yield app


@pytest.mark.parametrize("moment", [utc(2026, 3, 28, 23, 0), utc(2026, 10, 25, 22, 59), utc(2026, 6, 30, 21, 59)])
def test_the_clock_answers_in_the_configured_zone(site_app, moment):
    assert clock.site_zone() == OSLO
    assert clock.local_day(moment) == clock.site_today(moment) == local_date(moment, OSLO)
    assert clock.day_start(clock.local_day(moment)) <= moment < clock.day_start(clock.local_day(moment) + timedelta(days=1))
    assert clock.to_site_time(moment).utcoffset() in (timedelta(hours=1), timedelta(hours=2))


def test_another_zone_gives_another_day(site_app):
    site_app.config["PORTVAKT_TZ"] = "America/New_York"
    assert clock.site_today(utc(2026, 3, 29, 2, 0)) == date(2026, 3, 28)
    assert clock.local_moment(date(2026, 3, 28), time(22, 0)) == utc(2026, 3, 29, 2, 0)


def test_now_is_aware_utc():
    assert clock.utcnow().utcoffset() == timedelta(0)


# --- one clock, one reader of the zone ---------------------------------------------------------

CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
               ("time", "monotonic"), ("time", "perf_counter"), ("clock", "utcnow")}


@pytest.mark.parametrize("path", sorted((ROOT / "app" / "domain").rglob("*.py")), ids=str)
def test_the_domain_never_reads_the_clock(path):
    calls = [f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in CLOCK_READS]
    assert calls == [], f"{path}: time is passed in, never read ({calls})"



# Who may ask the wall clock or the zone: the clock itself, the settings, and Babel's set-up of the
# templates' time zone (app/i18n.py), which hands the zone to flask_babel once at start.
MAY_READ_THE_CLOCK = {"app/clock.py", "app/config.py", "app/i18n.py"}


def test_only_the_clock_reads_the_wall_clock_or_the_zone():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in MAY_READ_THE_CLOCK:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{name}: {needle}" for needle in ("datetime.now(", "date.today(", "datetime.utcnow(",
                                                        "\"PORTVAKT_TZ\"", "'PORTVAKT_TZ'") if needle in text]
    assert offenders == [], "use app/clock.py (utcnow, site_today, local_day, site_zone)"
