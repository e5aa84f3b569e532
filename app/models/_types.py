"""Column helpers shared by the models."""
from datetime import timezone
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return _as_utc(value)

    def result_processor(self, dialect, coltype):
        """_as_utc itself, when the driver's value needs no conversion of its own first (psycopg's
        and sqlite3's do not): a TypeDecorator otherwise wraps it in two more calls per value, and a
        big site's presence list reads six thousand of them (bench/README.md, "Big-site history")."""
        if self.impl_instance.result_processor(dialect, coltype) is None:
            return _as_utc
        return super().result_processor(dialect, coltype)


def _as_utc(value):
    if value is None or value.tzinfo is timezone.utc:
        return value
    if value.tzinfo is None:  # SQLite keeps no offset: its timestamps are stored in UTC
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def one_of(column: str, codes: type[StrEnum]) -> CheckConstraint:
    """A CHECK that the column holds one of the enum's values (or NULL), named ck_<table>_<column>.

    The column stays a plain string, so rows read back as the strings every caller compares with."""
    allowed = ", ".join(f"'{code.value}'" for code in codes)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)
