"""Rate limits on sign-in and kiosk enrollment, counted in the database so they hold across every
gunicorn worker and every app server (README "Scaling out": they share only the database).

Flask-Limiter keeps its counters in a `limits` storage; `limits` ships memory (one per process),
Redis, Memcached and MongoDB. Portvakt has none of those servers, so `DatabaseStorage` is a small
`limits` storage on the app's own database: one row per fixed window, bumped by a single atomic
INSERT … ON CONFLICT DO UPDATE … RETURNING (SQLite ≥ 3.35 and PostgreSQL alike).
"""
import random
import time

from flask import request
from flask_babel import gettext
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

# Per client address, and per account (the e-mail typed) whatever the address.
LOGIN_PER_ADDRESS = "20 per minute;200 per hour"
LOGIN_PER_ACCOUNT = "10 per minute;100 per hour"
# Enrollment codes are 8 characters of 31 (~8.5e11) valid 15 minutes; per address, and for the whole
# installation, so that many addresses together cannot guess either.
ENROLL_PER_ADDRESS = "10 per minute;60 per hour"
ENROLL_EVERYWHERE = "120 per minute"

_INCR = text("""
INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount
               ELSE rate_limit_counter.count + :amount END,
  expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :now + :expiry
                    ELSE rate_limit_counter.expires_at END
RETURNING count
""")


def _engine():
    from app.extensions import db  # the app's engine: the storage is used inside a request

    return db.engine


class DatabaseStorage(Storage):
    """A `limits` storage on the app's database (URI `portvakt+db://`), fixed windows only.

    It uses its own connection and commits at once, apart from the request's session."""

    STORAGE_SCHEME = ["portvakt+db"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with _engine().begin() as conn:
            count = conn.execute(_INCR, {"key": key, "amount": amount, "now": now, "expiry": float(expiry)}).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long over
                conn.execute(text("DELETE FROM rate_limit_counter WHERE expires_at < :now"), {"now": now})
        return count

    def get(self, key: str) -> int:
        with _engine().connect() as conn:
            count = conn.execute(text("SELECT count FROM rate_limit_counter WHERE key = :key AND expires_at > :now"),
                                 {"key": key, "now": time.time()}).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with _engine().connect() as conn:
            expires = conn.execute(text("SELECT expires_at FROM rate_limit_counter WHERE key = :key"),
                                   {"key": key}).scalar()
        return expires or time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with _engine().begin() as conn:
            return conn.execute(text("DELETE FROM rate_limit_counter")).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as conn:
            conn.execute(text("DELETE FROM rate_limit_counter WHERE key = :key"), {"key": key})


def client_address() -> str:
    return request.remote_addr or "unknown"


def account_typed() -> str:
    """The account a sign-in is for, as typed (normalised the way the login looks it up)."""
    return "account:" + (request.form.get("email") or "").strip().lower()


def everyone() -> str:
    return "everyone"


def too_many_sign_ins() -> str:
    return gettext("Too many sign-in attempts. Wait a minute and try again.")
