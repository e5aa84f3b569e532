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
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def one_of(column: str, codes: type[StrEnum]) -> CheckConstraint:
    """A CHECK that the column holds one of the enum's values (or NULL), named ck_<table>_<column>.

    The column stays a plain string, so rows read back as the strings every caller compares with."""
    allowed = ", ".join(f"'{code.value}'" for code in codes)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)
