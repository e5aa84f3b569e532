"""Configuration: safe defaults, then instance/config.py, then environment variables."""
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(RuntimeError):
    """Raised when the app cannot start with the configuration it was given."""


DEV_CARD_SERVICE_TOKEN = "dev-token"


def _env_int(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def _env_float(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None


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


def _secret_key(instance_path: Path, production: bool) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/ (mode 0600)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when PORTVAKT_ENV=production")
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


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portvakt.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("DATABASE_URL is not a valid database URL") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from defaults and the environment."""
    path = Path(instance_path)
    production = os.environ.get("PORTVAKT_ENV", "development") == "production"
    _private_instance(path)
    card_token = os.environ.get("CARD_SERVICE_TOKEN")
    if production and not card_token:
        raise ConfigError("CARD_SERVICE_TOKEN must be set when PORTVAKT_ENV=production")
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(path, production),
        "SQLALCHEMY_DATABASE_URI": _database_url(path),
        # hide_parameters: database errors in logs never carry names, birth dates or card numbers.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "CARD_SERVICE_URL": os.environ.get("CARD_SERVICE_URL", "http://127.0.0.1:8100"),
        "CARD_SERVICE_TOKEN": card_token or DEV_CARD_SERVICE_TOKEN,
        "CARD_SERVICE_BUDGET_S": _env_float("CARD_SERVICE_BUDGET_S", 2.0),
        "CARD_SERVICE_KIND": os.environ.get("CARD_SERVICE_KIND", "http"),
        "CARD_SERVICE_CONNECT_TIMEOUT_S": _env_float("CARD_SERVICE_CONNECT_TIMEOUT_S", 0.5),
        "CARD_SERVICE_CACHE_VALID_S": _env_float("CARD_SERVICE_CACHE_VALID_S", 600.0),
        "CARD_SERVICE_CACHE_NEGATIVE_S": _env_float("CARD_SERVICE_CACHE_NEGATIVE_S", 60.0),
        "CARD_SERVICE_BREAKER_FAILURES": _env_int("CARD_SERVICE_BREAKER_FAILURES", 5),
        "CARD_SERVICE_BREAKER_OPEN_S": _env_float("CARD_SERVICE_BREAKER_OPEN_S", 30.0),
        "CARD_SERVICE_MAX_CONCURRENT": _env_int("CARD_SERVICE_MAX_CONCURRENT", 1),
        "CARD_SERVICE_SLOT_WAIT_S": _env_float("CARD_SERVICE_SLOT_WAIT_S", 0.25),
        # The QR format on HMS cards is not public: hosts and the card-number shape are settings
        # (QR_URL_PATTERNS, a list of regular expressions, can be set in instance/config.py).
        "QR_ALLOWED_HOSTS": os.environ.get("QR_ALLOWED_HOSTS", "hmskort.no,www.hmskort.no"),
        "CARD_NUMBER_PATTERN": os.environ.get("CARD_NUMBER_PATTERN", r"\d{8}"),
        "PORTVAKT_TZ": os.environ.get("PORTVAKT_TZ", "Europe/Oslo"),
        "CARDSIM_DATA": os.environ.get("CARDSIM_DATA", str(path / "cardsim.json")),
        "SCAN_DEBOUNCE_S": _env_int("SCAN_DEBOUNCE_S", 30),
        "VISITOR_RETENTION_DAYS": _env_int("VISITOR_RETENTION_DAYS", 30),  # visitors: deleted by the retention purge
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
