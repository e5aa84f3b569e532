"""Configuration: defaults < TOML file < environment < flags, with clear errors."""
import pytest

from scanner.config import Config, ConfigError, load


def test_defaults_without_any_source(tmp_path):
    config = load(environ={})
    assert config == Config()


def test_later_sources_win(tmp_path):
    path = tmp_path / "scanner.toml"
    path.write_text('[scanner]\nserver = "https://file"\ntoken = "file-token"\nbatch_size = 50\n'
                    'source = "hid"\n', encoding="utf-8")
    config = load(str(path), environ={"PORTVAKT_SCANNER_TOKEN": "env-token", "PORTVAKT_SCANNER_BATCH_SIZE": "20"},
                  flags={"batch_size": None, "source": "images:/x"})
    assert (config.server, config.token, config.batch_size, config.source) == ("https://file", "env-token", 20, "images:/x")


def test_config_file_from_environment(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text('[scanner]\nlanguages = "pl, lt"\nexit_when_done = true\n', encoding="utf-8")
    config = load(environ={"PORTVAKT_SCANNER_CONFIG": str(path)})
    assert config.language_list() == ("pl", "lt") and config.exit_when_done is True


@pytest.mark.parametrize("environ, message", [
    ({"PORTVAKT_SCANNER_BATCH_SIZE": "many"}, "batch_size"),
    ({"PORTVAKT_SCANNER_EXIT_WHEN_DONE": "maybe"}, "exit_when_done"),
])
def test_bad_values_are_named(environ, message):
    with pytest.raises(ConfigError, match=message):
        load(environ=environ)


def test_unknown_setting_in_file_is_an_error(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text('[scanner]\ntokn = "typo"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="tokn"):
        load(str(path), environ={})


def test_missing_or_broken_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load(str(tmp_path / "missing.toml"), environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[scanner\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load(str(broken), environ={})


def test_enroll_saves_the_token_into_the_file_it_reads_back(tmp_path):
    from scanner.enroll import save_settings

    path = tmp_path / "etc" / "scanner.toml"
    path.parent.mkdir()
    path.write_text('[scanner]\nsource = "hid"\nbatch_size = 50\nexit_when_done = false\n', encoding="utf-8")
    save_settings(path, {"server": "https://portvakt.example.no", "token": 'a"b\\c'})
    config = load(str(path), environ={})
    assert (config.source, config.batch_size, config.token) == ("hid", 50, 'a"b\\c')
    assert path.stat().st_mode & 0o777 == 0o600


def test_enrollment_code_is_found_only_in_an_enrollment_qr():
    from scanner.enroll import code_from_payloads

    assert code_from_payloads(["https://hmskort.no/v/abc", "portvakt-enroll:AB12CD34"]) == "AB12CD34"
    assert code_from_payloads(["https://hmskort.no/v/abc"]) is None
