"""Translations: every language file complete, every server reason code covered."""
import json

import pytest

from app.domain import cards
from scanner import i18n

LANGUAGES = i18n.available_languages()


def test_the_four_shipped_languages_exist():
    assert {"nb", "en", "pl", "lt"} <= set(LANGUAGES)


def test_reason_codes_are_the_servers_vocabulary():
    """The scanner keeps its own copy (it never imports app/); this keeps the copy honest."""
    assert i18n.ACCEPT_REASONS == cards.ACCEPT_REASONS
    assert i18n.REJECT_REASONS == cards.REJECT_REASONS
    assert set(cards.WARNINGS) <= set(i18n.WARNINGS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_file_has_every_key_of_the_bokmal_file(language):
    reference, other = i18n.catalogue("nb"), i18n.catalogue(language)
    assert set(other["ui"]) == set(reference["ui"])
    assert set(other["reasons"]) == set(reference["reasons"])
    assert set(other["warnings"]) == set(reference["warnings"])
    assert all(value["title"] for value in other["reasons"].values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_and_warning_is_translated(language):
    catalogue = i18n.catalogue(language)
    assert set(i18n.ACCEPT_REASONS + i18n.REJECT_REASONS) <= set(catalogue["reasons"])
    assert set(i18n.WARNINGS) <= set(catalogue["warnings"])


def test_offline_text_is_the_agreed_wording():
    assert i18n.ui("nb", "queued_offline") == "Registrert – sendes når nettet er tilbake"
    assert i18n.ui("en", "queued_offline") == "Registered – will be sent when the network is back"


def test_kiosk_languages_always_start_with_bokmal_and_english():
    assert i18n.kiosk_languages(["pl", "xx", "en"]) == ("nb", "en", "pl")
    assert i18n.kiosk_languages(None) == ("nb", "en")


def test_an_unknown_reason_falls_back_to_the_servers_message():
    message = {"nb": "Noe nytt", "en": "Something new"}
    assert i18n.reason("pl", "brand_new_code", message) == ("Something new", "")
    assert i18n.reason("nb", "brand_new_code", message) == ("Noe nytt", "")
    assert i18n.reason("nb", "brand_new_code", None) == ("brand_new_code", "")


def test_a_new_language_is_one_file(tmp_path, monkeypatch):
    for name in ("nb", "en"):
        (tmp_path / f"{name}.json").write_text((i18n.LOCALES / f"{name}.json").read_text(encoding="utf-8"))
    swedish = json.loads((i18n.LOCALES / "nb.json").read_text(encoding="utf-8"))
    swedish["ui"]["accepted"] = "GODKÄND"
    (tmp_path / "sv.json").write_text(json.dumps(swedish), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        assert i18n.kiosk_languages(["sv"]) == ("nb", "en", "sv")
        assert i18n.ui("sv", "accepted") == "GODKÄND"
    finally:
        i18n.catalogue.cache_clear()
