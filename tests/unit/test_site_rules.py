"""A site's settings and its end of life: validation, the deletion date, reopening."""
from dataclasses import replace
from datetime import date, time

import pytest

from app.domain import sites as rules
from app.domain.sites import SiteSettings

GOOD = SiteSettings(name="Kaia Øst", street="Kaigata 1", postcode="5003", city="Bergen", builder_name="Bergen kommune",
                    builder_org="964 338 531", contract_id=4255, closing_time=time(18, 0))


def codes(settings: SiteSettings) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in rules.setting_errors(rules.clean_settings(settings))}


def test_good_settings_have_no_errors_and_are_cleaned():
    cleaned = rules.clean_settings(replace(GOOD, name="  Kaia Øst ", kiosk_languages=("lt", "nb")))
    assert rules.setting_errors(cleaned) == []
    assert cleaned.name == "Kaia Øst" and cleaned.builder_org == "964338531"
    assert cleaned.kiosk_languages == ("nb", "en", "lt")  # bokmål and English always, in a fixed order


@pytest.mark.parametrize("change, expected", [
    ({"name": " "}, ("name", "required")),
    ({"builder_name": ""}, ("builder_name", "required")),
    ({"postcode": "503"}, ("postcode", "invalid_postcode")),
    ({"postcode": "５００３"}, ("postcode", "invalid_postcode")),  # full-width digits are not a postcode
    ({"builder_org": "964338532"}, ("builder_org", "invalid_org_number")),
    ({"start_date": date(2026, 5, 1), "planned_end": date(2026, 4, 30)}, ("planned_end", "end_before_start")),
    ({"contract_id": 0}, ("contract_id", "invalid_contract_id")),
    ({"contract_id": 2**31}, ("contract_id", "invalid_contract_id")),
    ({"outage_policy": "open"}, ("outage_policy", "unknown_outage_policy")),
    ({"outage_grace_hours": 73}, ("outage_grace_hours", "invalid_grace")),
    ({"outage_grace_hours": -1}, ("outage_grace_hours", "invalid_grace")),
    ({"kiosk_languages": ("nb", "de")}, ("kiosk_languages", "unknown_language")),
    ({"records_times": False, "prints_times": True}, ("prints_times", "times_not_recorded")),
])
def test_each_wrong_setting_is_named(change, expected):
    assert expected in codes(replace(GOOD, **change))


@pytest.mark.parametrize("text, expected", [("", None), (None, None), (" 4255 ", 4255)])
def test_contract_id_is_an_integer_or_nothing(text, expected):
    assert rules.parse_contract_id(text) == expected


@pytest.mark.parametrize("text", ["KV-2026-014", "12.5", "-3", "١٢٣", "99999999999"])
def test_contract_id_refuses_anything_else(text):
    with pytest.raises(ValueError):
        rules.parse_contract_id(text)


@pytest.mark.parametrize("completed, months, kept, deleted", [
    (date(2026, 5, 31), 6, date(2026, 11, 30), date(2026, 12, 1)),
    (date(2026, 8, 31), 6, date(2027, 2, 28), date(2027, 3, 1)),
    (date(2026, 6, 1), 3, date(2026, 12, 1), date(2026, 12, 2)),  # never fewer than six months
    (date(2026, 6, 1), 12, date(2027, 6, 1), date(2027, 6, 2)),
])
def test_the_list_is_deleted_the_day_after_six_months(completed, months, kept, deleted):
    assert rules.keep_list_until(completed, months) == kept
    assert rules.deletion_date(completed, months) == deleted


def test_a_site_without_completion_date_is_never_deleted():
    assert rules.deletion_date(None, 6) is None and rules.keep_list_until(None, 6) is None


@pytest.mark.parametrize("completion, start, expected", [
    (date(2026, 12, 7), None, "completion_in_future"),
    (date(2026, 12, 6), None, None),
    (date(2026, 1, 4), date(2026, 1, 5), "completion_before_start"),
    (date(2026, 1, 5), date(2026, 1, 5), None),
])
def test_completion_date_is_not_in_the_future_nor_before_the_start(completion, start, expected):
    assert rules.completion_error(completion, date(2026, 12, 6), start) == expected


@pytest.mark.parametrize("today, expected", [
    (date(2026, 12, 1), True), (date(2026, 12, 2), False),
])
def test_reopening_is_possible_until_the_list_is_due_for_deletion(today, expected):
    assert rules.may_reopen(date(2026, 6, 1), 6, today) is expected
    assert rules.may_reopen(None, 6, today) is False
