"""The settings model (app/config.py): each setting once, with its default and bounds, checked at start."""
import re

import pytest

from app.config import SECRET_SETTINGS, SETTINGS, ConfigError, Settings, load_config, read_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("name, value", [
    ("PORTVAKT_ENV", "development"), ("PORTVAKT_TZ", "Europe/Oslo"), ("CARD_SERVICE_URL", "http://127.0.0.1:8100"),
    ("CARD_SERVICE_KIND", "http"), ("CARD_SERVICE_BUDGET_S", 2.0), ("CARD_SERVICE_CONNECT_TIMEOUT_S", 0.5),
    ("CARD_SERVICE_CACHE_VALID_S", 600.0), ("CARD_SERVICE_CACHE_NEGATIVE_S", 60.0),
    ("CARD_SERVICE_BREAKER_FAILURES", 5), ("CARD_SERVICE_BREAKER_OPEN_S", 30.0),
    ("QR_ALLOWED_HOSTS", ("hmskort.no", "www.hmskort.no")), ("CARD_NUMBER_PATTERN", r"\d{8}"),
    ("SCAN_DEBOUNCE_S", 30), ("VISITOR_RETENTION_DAYS", 30), ("METRICS_TOKEN", None),
    ("PORTVAKT_BASE_URL", "http://127.0.0.1:8000"), ("NOTIFY_WORK_HOURS", "06:00-18:00"), ("NOTIFY_WORK_DAYS", "1-5"),
    ("SMTP_HOST", None), ("SMTP_PORT", None), ("SMTP_FROM", "portvakt@localhost"), ("SMTP_TLS", "starttls"),
    ("CONNECTORS_BUDGET_S", 10.0), ("CONNECTORS_LEASE_S", 300.0), ("CONNECTORS_RETRY_BASE_S", 60.0),
    ("CONNECTORS_MAX_ATTEMPTS", 8), ("HMSREG_URL", None), ("ELRAPP_API_KEY", None),
])
def test_the_defaults(name, value):
    assert getattr(read_settings(), name) == value


def test_every_setting_says_what_it_is():
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


@pytest.mark.parametrize("name, value", [
    ("PORTVAKT_ENV", "prod"),  # a typo must not quietly run production with development secrets
    ("PORTVAKT_TZ", "Europe/Osl"),
    ("CARD_SERVICE_BUDGET_S", "abc"), ("CARD_SERVICE_BUDGET_S", "0"), ("CARD_SERVICE_BUDGET_S", "31"),
    ("CARD_SERVICE_CONNECT_TIMEOUT_S", "0"),
    ("CARD_SERVICE_CACHE_VALID_S", "3601"), ("CARD_SERVICE_CACHE_VALID_S", "-1"),
    ("CARD_SERVICE_CACHE_NEGATIVE_S", "61"),
    ("CARD_SERVICE_BREAKER_FAILURES", "0"), ("CARD_SERVICE_BREAKER_FAILURES", "2.5"),
    ("CARD_SERVICE_BREAKER_OPEN_S", "-1"),
    ("CARD_SERVICE_MAX_CONCURRENT", "0"), ("CARD_SERVICE_SLOT_WAIT_S", "-0.1"),
    ("QR_ALLOWED_HOSTS", " , "), ("CARD_NUMBER_PATTERN", "(\\d"),
    ("SCAN_DEBOUNCE_S", "-1"), ("SCAN_DEBOUNCE_S", "ten"), ("VISITOR_RETENTION_DAYS", "0"),
    ("NOTIFY_WORK_HOURS", "18:00-06:00"), ("NOTIFY_WORK_HOURS", "6-18"), ("NOTIFY_WORK_DAYS", "0-5"),
    ("NOTIFY_WORK_DAYS", "5-1"), ("SMTP_PORT", "70000"), ("SMTP_TLS", "tls"),
    ("CONNECTORS_BUDGET_S", "0"), ("CONNECTORS_LEASE_S", "x"), ("CONNECTORS_RETRY_BASE_S", "0"),
    ("CONNECTORS_MAX_ATTEMPTS", "0"),
])
def test_a_bad_value_stops_the_start_with_one_line_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        read_settings()
    message = str(refused.value)
    assert message.startswith(f"{name}=") and "\n" not in message
    assert " / " in message  # bokmål / English


@pytest.mark.parametrize("name, value, expected", [
    ("CARD_SERVICE_BUDGET_S", "30", 30.0), ("CARD_SERVICE_CACHE_VALID_S", "3600", 3600.0),
    ("CARD_SERVICE_CACHE_VALID_S", "0", 0.0), ("CARD_SERVICE_CACHE_NEGATIVE_S", "60", 60.0),
    ("CARD_SERVICE_BREAKER_FAILURES", "1", 1), ("CARD_SERVICE_SLOT_WAIT_S", "0", 0.0), ("SCAN_DEBOUNCE_S", "0", 0),
    ("VISITOR_RETENTION_DAYS", "1", 1), ("NOTIFY_WORK_DAYS", "1-7", "1-7"), ("SMTP_PORT", "465", 465),
])
def test_values_on_the_bounds_are_taken(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    assert getattr(read_settings(), name) == expected


def test_values_are_typed_and_normalised(monkeypatch):
    monkeypatch.setenv("CARD_SERVICE_MAX_CONCURRENT", "4")
    monkeypatch.setenv("QR_ALLOWED_HOSTS", "Kort.Example.no, www.kort.example.no,")
    monkeypatch.setenv("SMTP_TLS", "SSL")
    settings = read_settings()
    assert settings.CARD_SERVICE_MAX_CONCURRENT == 4
    assert settings.QR_ALLOWED_HOSTS == ("kort.example.no", "www.kort.example.no")
    assert settings.SMTP_TLS == "ssl"


def test_an_empty_variable_reads_as_unset(monkeypatch):
    monkeypatch.setenv("SCAN_DEBOUNCE_S", "")
    assert read_settings().SCAN_DEBOUNCE_S == 30


def test_instance_config_and_test_config_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("SCAN_DEBOUNCE_S", "10")
    assert read_settings().SCAN_DEBOUNCE_S == 10
    assert read_settings({"SCAN_DEBOUNCE_S": 5, "TESTING": True}).SCAN_DEBOUNCE_S == 5


def test_a_bad_value_from_instance_config_is_refused_too():
    with pytest.raises(ConfigError, match=r"^QR_URL_PATTERNS="):
        read_settings({"QR_URL_PATTERNS": ["/v/(?P<qr_token>"]})


@pytest.mark.parametrize("name", sorted(SECRET_SETTINGS - {"DATABASE_URL"}))
def test_a_refused_secret_is_never_echoed(name):
    with pytest.raises(ConfigError) as refused:
        read_settings({name: 12345})
    assert str(refused.value).startswith(f"{name}:") and "12345" not in str(refused.value)


def test_every_problem_is_on_the_one_line(monkeypatch):
    monkeypatch.setenv("CARD_SERVICE_BUDGET_S", "0")
    monkeypatch.setenv("SCAN_DEBOUNCE_S", "x")
    message = str(pytest.raises(ConfigError, read_settings).value)
    assert re.fullmatch(r"CARD_SERVICE_BUDGET_S=.*; SCAN_DEBOUNCE_S=.*", message)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "CARD_SERVICE_TOKEN"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, monkeypatch, missing):
    monkeypatch.setenv("PORTVAKT_ENV", "production")
    for name in {"SECRET_KEY", "CARD_SERVICE_TOKEN"} - {missing}:
        monkeypatch.setenv(name, "set")
    with pytest.raises(ConfigError, match=missing):
        load_config(str(tmp_path))


def test_the_flask_keys_come_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://portvakt@db.example/portvakt")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portvakt@db.example/portvakt"
    assert config["CARD_SERVICE_TOKEN"] == "dev-token" and config["SESSION_COOKIE_SECURE"] is False
    assert config["CARDSIM_DATA"] == str(tmp_path / "cardsim.json")
    assert SETTINGS <= set(config)  # every setting is there: nothing reads one with a fallback default
