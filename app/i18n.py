"""Bokmål first, English by a switch: the locale chooser, catalogues and date/time filters.

Two message domains share app/translations/<lang>/LC_MESSAGES/: `messages` (core pages) and
`workflows` (daily control, corrections, follow-ups, share links, self-service), so two people can
keep their catalogues without editing the same file.
"""
from datetime import timedelta

from flask import request
from flask_babel import format_date, format_datetime, format_time, to_user_timezone

from app.extensions import babel

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
DEFAULT_LANGUAGE = "nb"
LANG_COOKIE = "portvakt_lang"
DOMAINS = ("messages", "workflows")


def N_(message: str) -> str:
    """Mark a string for the catalogue; it is translated later, where it is shown."""
    return message


def select_locale() -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["PORTVAKT_TZ"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join("translations" for _ in DOMAINS))
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(local_dt=local_dt, local_time=local_time, local_date=local_date,
                                 last_valid_day=last_valid_day)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=select_locale)


# The filters take UTC datetimes from the database and show them in the site's zone.
def local_dt(moment) -> str:
    return format_datetime(moment, "dd.MM.yyyy HH:mm") if moment else ""


def local_time(moment) -> str:
    return format_time(moment, "HH:mm") if moment else ""


def local_date(day) -> str:
    return format_date(day, "dd.MM.yyyy") if day else ""


def last_valid_day(expires_at) -> str:
    """The last local day something that stops at `expires_at` still works: a link that stops at
    00:00 on the 12th works to and with the 11th, which is what a reader wants to know."""
    if not expires_at:
        return ""
    last_moment = to_user_timezone(expires_at) - timedelta(microseconds=1)
    return format_date(last_moment.date(), "dd.MM.yyyy")
