"""URL converters: an id in a URL is a database id, so one too large for any column is simply not found.

Werkzeug's <int:> accepts any number of digits; a 25-digit id then overflowed the database driver
(a 500 on PostgreSQL). Every <int:> route gets this bounded converter instead: out of range is a 404.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
