"""Bokmål first, English by a switch: the locale chooser, catalogues and date/time filters.

Two message domains share app/translations/<lang>/LC_MESSAGES/: `messages` (core pages) and
`workflows` (daily control, corrections, follow-ups, share links, self-service), so two people can
keep their catalogues without editing the same file.
"""
from flask import request
from flask_babel import format_date, format_datetime, format_time

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
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("PORTVAKT_TZ", "Europe/Oslo"))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join("translations" for _ in DOMAINS))
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(local_dt=local_dt, local_time=local_time, local_date=local_date)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=select_locale)


# The filters take UTC datetimes from the database and show them in the site's zone.
def local_dt(moment) -> str:
    return format_datetime(moment, "dd.MM.yyyy HH:mm") if moment else ""


def local_time(moment) -> str:
    return format_time(moment, "HH:mm") if moment else ""


def local_date(day) -> str:
    return format_date(day, "dd.MM.yyyy") if day else ""
