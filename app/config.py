"""Configuration: every setting declared once (Settings), read and checked once at start.

Each value comes from, lowest first: its default here, the environment, instance/config.py, and
(in tests) the mapping given to create_app. Anything out of bounds stops the start with ConfigError,
one line naming the variable (app/boot.py prints it); the rest of the app reads `current_app.config`
without fallback defaults. Flask's own keys (SECRET_KEY, SQLALCHEMY_*, SESSION_*, ...) are derived here.
"""
import os
import re
import secrets
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.domain.qr import DEFAULT_ALLOWED_HOSTS, DEFAULT_CARD_NUMBER_PATTERN, DEFAULT_URL_PATTERNS


class ConfigError(RuntimeError):
    """Raised when the app cannot start with the configuration it was given."""


DEV_CARD_SERVICE_TOKEN = "dev-token"
# Values a start-up error never echoes (a log line or a terminal is no place for them).
SECRET_SETTINGS = {"SECRET_KEY", "DATABASE_URL", "CARD_SERVICE_TOKEN", "METRICS_TOKEN", "SMTP_PASSWORD",
                   "HMSREG_PASSWORD", "ELRAPP_API_KEY"}


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("ukjent tidssone / unknown time zone (e.g. Europe/Oslo)") from None
    return name


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error:
        raise ValueError("ikke et gyldig regulært uttrykk / not a valid regular expression") from None
    return pattern


def _hours(text: str) -> str:
    try:
        start, end = (time.fromisoformat(part) for part in text.split("-"))
    except ValueError:
        raise ValueError("skriv HH:MM-HH:MM / write HH:MM-HH:MM") from None
    if start >= end:
        raise ValueError("slutten må være etter starten / the end must come after the start")
    return text


def _weekdays(text: str) -> str:
    first, _, last = text.partition("-")
    if not (first.isdigit() and last.isdigit() and 1 <= int(first) <= int(last) <= 7):
        raise ValueError("skriv to ukedager 1-7, f.eks. 1-5 / write two weekdays 1-7, e.g. 1-5")
    return text


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _patterns(value):
    return tuple(_regex(p) for p in value) if value else DEFAULT_URL_PATTERNS


def _hosts(value):
    names = value.split(",") if isinstance(value, str) else value
    return tuple(name.strip().lower() for name in names if name.strip())


class Settings(BaseSettings):
    """Every setting of the app: its type, default, bounds and meaning (README: Configuration)."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True,
                                      validate_default=True)

    PORTVAKT_ENV: Literal["development", "production"] = Field(
        "development", description="production refuses to start without SECRET_KEY and CARD_SERVICE_TOKEN")
    SECRET_KEY: str | None = Field(None, description="signs sessions and CSRF tokens; else kept in instance/")
    DATABASE_URL: str | None = Field(None, description="sqlite:// or postgresql://; else instance/portvakt.db")
    DATABASE_POOL_SIZE: int = Field(5, ge=1, le=64, description="database connections a process keeps open")
    DATABASE_POOL_OVERFLOW: int = Field(10, ge=0, le=64, description="more connections for a peak, closed after")
    PORTVAKT_TZ: Annotated[str, AfterValidator(_time_zone)] = Field(
        "Europe/Oslo", description="a site's day is its local calendar date in this zone")

    CARD_SERVICE_URL: str = Field("http://127.0.0.1:8100", description="the HMS card service")
    CARD_SERVICE_TOKEN: str | None = Field(None, description="bearer token for the card service")
    CARD_SERVICE_KIND: str = Field("http", description="the backend: a name in BACKENDS (app/adapters/cardservice.py)")
    CARD_SERVICE_BUDGET_S: float = Field(2.0, gt=0, le=30, description="the whole lookup, retry and waiting included")
    CARD_SERVICE_CONNECT_TIMEOUT_S: float = Field(0.5, gt=0, le=30, description="connect timeout, inside the budget")
    CARD_SERVICE_CACHE_VALID_S: float = Field(
        600.0, ge=0, le=3600, description="how long a valid answer is reused: a card's status changes, so minutes")
    CARD_SERVICE_CACHE_NEGATIVE_S: float = Field(60.0, ge=0, le=60, description="unknown cards and other statuses")
    CARD_SERVICE_BREAKER_FAILURES: int = Field(5, ge=1, description="failures in a row that open the breaker")
    CARD_SERVICE_BREAKER_OPEN_S: float = Field(30.0, ge=0, description="how long the breaker stays open")
    CARD_SERVICE_MAX_CONCURRENT: int = Field(1, ge=1, description="card-service calls in flight per process")
    CARD_SERVICE_SLOT_WAIT_S: float = Field(0.25, ge=0, description="the most a lookup waits for a busy slot")
    CARDSIM_DATA: str | None = Field(None, description="the emulator's cards (flask demo seed); else instance/")

    QR_ALLOWED_HOSTS: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_hosts)] = Field(
        DEFAULT_ALLOWED_HOSTS, min_length=1, description="hosts an HMS-card QR URL may have, comma-separated")
    QR_URL_PATTERNS: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_patterns)] = Field(
        DEFAULT_URL_PATTERNS, description="regular expressions for the QR URL's path (instance/config.py)")
    CARD_NUMBER_PATTERN: Annotated[str, AfterValidator(_regex)] = Field(
        DEFAULT_CARD_NUMBER_PATTERN, description="a bare card number (typed, or from a handheld scanner)")
    SCAN_DEBOUNCE_S: int = Field(30, ge=0, le=3600, description="the same card at a kiosk within this is one scan")
    VISITOR_RETENTION_DAYS: int = Field(30, ge=1, description="visitor records are deleted this many days after")

    METRICS_TOKEN: str | None = Field(None, description="/metrics needs this bearer token; unset: loopback only")
    PORTVAKT_BASE_URL: str = Field("http://127.0.0.1:8000", description="the address links in e-mails point at")
    NOTIFY_WORK_HOURS: Annotated[str, AfterValidator(_hours)] = Field(
        "06:00-18:00", description="local working hours for the silent-kiosk and card-service messages")
    NOTIFY_WORK_DAYS: Annotated[str, AfterValidator(_weekdays)] = Field(
        "1-5", description="working weekdays, ISO numbers (1 = Monday)")
    SMTP_HOST: str | None = Field(None, description="without it, e-mail waits in the database")
    SMTP_PORT: int | None = Field(None, ge=1, le=65535, description="default 465 with ssl, 587 with starttls, else 25")
    SMTP_USER: str | None = Field(None, description="SMTP login; unset: no login")
    SMTP_PASSWORD: str | None = Field(None, description="SMTP password")
    SMTP_FROM: str = Field("portvakt@localhost", description="the sender address")
    SMTP_TLS: Annotated[Literal["starttls", "ssl", "off"], BeforeValidator(_lower)] = Field(
        "starttls", description="how the SMTP connection is encrypted")

    CONNECTORS_BUDGET_S: float = Field(10.0, gt=0, description="time budget per delivery to HMSREG or ELRAPP")
    CONNECTORS_LEASE_S: float = Field(300.0, gt=0, description="a delivery in flight is retried after this")
    CONNECTORS_RETRY_BASE_S: float = Field(60.0, gt=0, description="the first backoff after a failed delivery")
    CONNECTORS_MAX_ATTEMPTS: int = Field(8, ge=1, description="failed deliveries before a row is given up (dead)")
    # Unset: the register emulator's values in development (app/adapters/registers.py), a refusal to
    # deliver in production.
    HMSREG_URL: str | None = Field(None, description="HMSREG's API")
    HMSREG_USER: str | None = Field(None, description="HMSREG's Basic authentication user")
    HMSREG_PASSWORD: str | None = Field(None, description="HMSREG's Basic authentication password")
    ELRAPP_URL: str | None = Field(None, description="Statens vegvesen's ELRAPP API")
    ELRAPP_API_KEY: str | None = Field(None, description="sent as Authorization: ApiKey ...")


SETTINGS = frozenset(Settings.model_fields)


def default(name: str):
    """A setting's default, for the adapters' own parameter objects (the one place it is written)."""
    return Settings.model_fields[name].default


def read_settings(overrides: dict | None = None) -> Settings:
    """The settings from the environment and `overrides` (instance/config.py, tests), or ConfigError."""
    given = {name: value for name, value in (overrides or {}).items() if name in SETTINGS}
    try:
        return Settings(**given)
    except ValidationError as error:
        raise ConfigError("; ".join(_problem(e) for e in error.errors())) from None


def _problem(error: dict) -> str:
    name = str(error["loc"][0]) if error["loc"] else "?"
    message = str(error["ctx"]["error"]) if error["type"] == "value_error" else _words(error)
    shown = "" if name in SECRET_SETTINGS else f"={error['input']!r}"
    return f"{name}{shown}: {message}"


def _words(error: dict) -> str:
    ctx = {key: f"{value:g}" if isinstance(value, float) else str(value).replace(" or ", ", ")
           for key, value in error.get("ctx", {}).items()}
    words = {
        "int_parsing": "må være et heltall / must be a whole number",
        "float_parsing": "må være et tall / must be a number",
        "greater_than": f"må være større enn {ctx.get('gt')} / must be greater than {ctx.get('gt')}",
        "greater_than_equal": f"må være minst {ctx.get('ge')} / must be at least {ctx.get('ge')}",
        "less_than_equal": f"må være høyst {ctx.get('le')} / must be at most {ctx.get('le')}",
        "literal_error": f"må være én av {ctx.get('expected')} / must be one of {ctx.get('expected')}",
        "too_short": "kan ikke være tom / cannot be empty",
    }
    return words.get(error["type"], f"ugyldig verdi / invalid value ({error['msg']})")


def _private_instance(instance_path: Path) -> None:
    """The instance folder holds the secret key, the SQLite database (and its -wal/-shm files) and
    the demo passwords: only the app's own user may read it. Made 0700; a folder or file from an
    older install that others could read is tightened (0700, files 0600) at every start. New files
    are private by the process umask (077) that `app/boot.py` and `scripts/run.sh` set; SQLite gives
    -wal and -shm the database file's own mode."""
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(instance_path, 0o700)
    for path in instance_path.iterdir():
        if path.is_file() and not path.is_symlink():
            _tighten(path, 0o600)


def _tighten(path: Path, private_mode: int) -> None:
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(private_mode)
    except OSError:  # not ours (a shared deployment folder): leave it to whoever owns it
        pass


def _secret_key(settings: Settings, instance_path: Path, production: bool) -> str:
    """SECRET_KEY as set, else one generated once and kept in instance/ (mode 0600)."""
    if settings.SECRET_KEY:
        return settings.SECRET_KEY
    if production:
        raise ConfigError("SECRET_KEY: må være satt / must be set when PORTVAKT_ENV=production")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:  # created 0600 at once (O_EXCL): never readable by others, not even before a chmod
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url(settings: Settings, instance_path: Path) -> str:
    url = settings.DATABASE_URL or f"sqlite:///{instance_path / 'portvakt.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("DATABASE_URL: ikke en gyldig database-URL / not a valid database URL") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("DATABASE_URL: må være en sqlite://- eller postgresql://-URL / "
                          "must be a sqlite:// or postgresql:// URL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def load_config(instance_path: str, overrides: dict | None = None) -> dict[str, Any]:
    """The app's configuration mapping: every setting, checked, and the Flask keys derived from them."""
    path = Path(instance_path)
    settings = read_settings(overrides)
    production = settings.PORTVAKT_ENV == "production"
    _private_instance(path)
    if production and not settings.CARD_SERVICE_TOKEN:
        raise ConfigError("CARD_SERVICE_TOKEN: må være satt / must be set when PORTVAKT_ENV=production")
    return {
        **settings.model_dump(),
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(settings, path, production),
        "SQLALCHEMY_DATABASE_URI": _database_url(settings, path),
        # hide_parameters: database errors in logs never carry names, birth dates or card numbers.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True,
                                      "pool_size": settings.DATABASE_POOL_SIZE,
                                      "max_overflow": settings.DATABASE_POOL_OVERFLOW},
        "CARD_SERVICE_TOKEN": settings.CARD_SERVICE_TOKEN or DEV_CARD_SERVICE_TOKEN,
        "CARDSIM_DATA": settings.CARDSIM_DATA or str(path / "cardsim.json"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
