"""Timestamps read back from either database are aware and in UTC (models/_types.UTCDateTime), and a
PostgreSQL connection works in UTC so that none needs converting on the way in."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select, text

from app.extensions import db
from app.models._types import UTCDateTime

OSLO = ZoneInfo("Europe/Oslo")


def test_a_timestamp_comes_back_in_utc(app):
    at_the_gate = datetime(2026, 12, 6, 7, 15, 30, 123456, tzinfo=OSLO)
    value = db.session.execute(select(literal(at_the_gate, type_=UTCDateTime()))).scalar_one()
    assert value == at_the_gate and value.tzinfo is timezone.utc


def test_a_postgresql_session_is_in_utc(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no time zone: its timestamps are stored in UTC (UTCDateTime)")
    assert db.session.execute(text("SHOW TimeZone")).scalar_one() == "UTC"
