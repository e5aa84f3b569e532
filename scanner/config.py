"""The kiosk's settings: defaults, then a TOML file, then PORTVAKT_SCANNER_* variables, then flags.

The later source wins. Keep the token in the file (mode 600) or the environment rather than on the
command line, where other users of the box can see it in `ps`.
"""
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

ENV_PREFIX = "PORTVAKT_SCANNER_"
DEFAULT_FILE = Path("/etc/portvakt/scanner.toml")


@dataclass(frozen=True)
class Config:
    server: str = "http://127.0.0.1:8000"
    token: str = ""
    source: str = "camera:0"
    display: str = "window"  # window | none
    languages: str = ""  # extra languages beyond nb,en; empty = what the server's kiosk config says
    outbox: str = str(Path.home() / ".local/state/portvakt/outbox.sqlite3")
    engines: str = "zxing,zbar"  # decoder order; see bench/README.md for why
    camera_width: int = 640
    camera_height: int = 480
    debounce_gap_s: float = 2.0
    batch_size: int = 100  # the server takes 500, but bodies are capped at 64 KiB
    backoff_min_s: float = 1.0
    backoff_max_s: float = 60.0
    sync_interval_s: float = 5.0  # heartbeat and queue check while all is well
    request_timeout_s: float = 3.0
    refused_keep_days: float = 14.0  # scans the server refused are kept this long for support, then deleted
    exit_when_done: bool = False
    drain_timeout_s: float = 30.0  # with exit_when_done: how long to wait for the queue to empty
    log_level: str = "INFO"

    def language_list(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.languages.split(",") if part.strip())

    def engine_list(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.engines.split(",") if part.strip())


class ConfigError(ValueError):
    """A setting has a value of the wrong kind."""


def load(file: str | None = None, environ=None, flags: dict | None = None) -> Config:
    """Build the configuration from all sources, later ones overriding earlier ones."""
    environ = os.environ if environ is None else environ
    config = Config()
    path = Path(file or environ.get(ENV_PREFIX + "CONFIG") or DEFAULT_FILE)
    if file or path.is_file():
        config = _apply(config, _read_file(path), f"file {path}")
    from_env = {f.name: environ[ENV_PREFIX + f.name.upper()] for f in fields(Config)
                if ENV_PREFIX + f.name.upper() in environ}
    config = _apply(config, from_env, "environment")
    return _apply(config, {k: v for k, v in (flags or {}).items() if v is not None}, "command line")


def _read_file(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle).get("scanner", {})
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None


def _apply(config: Config, values: dict, origin: str) -> Config:
    types = {f.name: f.type for f in fields(Config)}
    changes = {}
    for name, value in values.items():
        if name not in types:
            raise ConfigError(f"unknown setting {name!r} in {origin}")
        changes[name] = _coerce(name, value, types[name], origin)
    return replace(config, **changes)


def _coerce(name: str, value, kind, origin: str):
    try:
        if kind in (bool, "bool"):
            if isinstance(value, str):
                if value.lower() not in ("1", "true", "yes", "0", "false", "no"):
                    raise ValueError(value)
                return value.lower() in ("1", "true", "yes")
            return bool(value)
        if kind in (int, "int"):
            return int(value)
        if kind in (float, "float"):
            return float(value)
        return str(value)
    except ValueError:
        raise ConfigError(f"{name} in {origin} has an invalid value: {value!r}") from None
