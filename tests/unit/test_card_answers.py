"""The adapter reads the service's JSON strictly: anything unexpected is "unavailable", never valid."""
import copy
from datetime import datetime, timezone

import pytest

from app.adapters.cardservice import CardServiceUnavailable, card_check_from_answer
from app.config import ConfigError, read_settings
from app.domain.cards import CardRef, CardStatus, CardType, LookupOutcome

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)
BY_NUMBER = CardRef("card_number", "40007919")
ANSWER = {
    "card_number": "40007919", "card_type": "construction", "status": "valid", "status_reason": "",
    "issued_on": "2025-06-30", "valid_to": "2027-06-30",
    "holder": {"first_name": "Małgorzata", "last_name": "Żółkowska", "birth_date": "1979-12-31"},
    "employer": {"name": "Budimex-Pol Sp. z o.o.", "org_number": "5213456789"}, "checked_at": "2026-11-25T07:00:00Z",
}


def changed(path: str, value):
    answer = copy.deepcopy(ANSWER)
    *parents, last = path.split(".")
    target = answer
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return answer


def test_a_well_formed_answer():
    check = card_check_from_answer(ANSWER, BY_NUMBER, NOW)
    assert (check.outcome, check.status, check.last_name, check.checked_at) == (
        LookupOutcome.FOUND, CardStatus.VALID, "Żółkowska", NOW)


def test_optional_fields_may_be_missing():
    answer = changed("status_reason", KeyError)
    answer["issued_on"] = None
    assert card_check_from_answer(answer, BY_NUMBER, NOW).issued_on is None


@pytest.mark.parametrize("answer", [
    None, [], "valid", {"status": "valid"},
    changed("status", None), changed("status", ""), changed("card_type", 7), changed("card_type", None),
    changed("card_number", "40000000"),  # not the card asked about
    changed("card_number", 40007919), changed("card_number", "4000 7919"),
    changed("valid_to", "30.06.2027"), changed("valid_to", 20270630),
    changed("holder", None), changed("holder.first_name", ""), changed("holder.last_name", KeyError),
    changed("holder.birth_date", None), changed("holder.birth_date", "1979-13-01"),
    changed("employer", "Budimex"), changed("employer.org_number", None), changed("employer.name", " "),
])
def test_malformed_answers_are_unavailable(answer):
    with pytest.raises(CardServiceUnavailable):
        card_check_from_answer(answer, BY_NUMBER, NOW)


@pytest.mark.parametrize("field, word, expected", [
    ("status", "VALID", CardStatus.UNKNOWN), ("status", "ok", CardStatus.UNKNOWN),
    ("card_type", "office", CardType.OTHER), ("card_type", "transport", CardType.OTHER),
])
def test_a_word_we_do_not_know_is_an_answer_not_an_outage(field, word, expected):
    """Refused at the gate (app/domain/gate.py), never "the service is down" that a lenient site lets in."""
    check = card_check_from_answer(changed(field, word), BY_NUMBER, NOW)
    assert check.outcome is LookupOutcome.FOUND and getattr(check, field) is expected


def test_a_qr_answer_names_its_card():
    check = card_check_from_answer(changed("card_number", "40000000"), CardRef("qr_token", "abcdefghij"), NOW)
    assert check.card_number == "40000000"


@pytest.mark.parametrize("name, value", [
    ("CARD_SERVICE_BUDGET_S", 0), ("CARD_SERVICE_CACHE_VALID_S", 86_400), ("CARD_SERVICE_CACHE_NEGATIVE_S", 120),
    ("CARD_SERVICE_BREAKER_FAILURES", 0),
])
def test_settings_that_would_harm_the_gate_are_refused(name, value):
    """Checked once at start (app/config.py), with one line naming the variable."""
    with pytest.raises(ConfigError, match=f"^{name}="):
        read_settings({name: value})


@pytest.mark.parametrize("answer", [
    changed("holder", ["Małgorzata", "Żółkowska"]), changed("holder", "Małgorzata Żółkowska"),
    changed("employer", None), changed("employer", KeyError), changed("holder", KeyError),
    changed("card_number", KeyError), changed("card_number", ""), changed("card_number", "  "),
    changed("card_number", "4000-7919"), changed("status", KeyError), changed("card_type", KeyError),
    changed("status", "x" * 65), changed("status_reason", 1), changed("status_reason", ["lost"]),
    changed("status_reason", True), changed("issued_on", 2025), changed("issued_on", "2025-02-30"),
    changed("valid_to", {"date": "2027-06-30"}), changed("holder.birth_date", KeyError),
    changed("holder.first_name", None), changed("holder.first_name", 7), changed("employer.name", KeyError),
    changed("employer.org_number", 5213456789), changed("employer.org_number", ""),
])
def test_more_malformed_answers_are_unavailable(answer):
    with pytest.raises(CardServiceUnavailable):
        card_check_from_answer(answer, BY_NUMBER, NOW)


@pytest.mark.parametrize("value", [None, "", 0, False, [], {}])
def test_an_empty_status_reason_of_any_kind_is_none_given(value):
    assert card_check_from_answer(changed("status_reason", value), BY_NUMBER, NOW).status_reason == ""


def test_text_is_trimmed_and_cut_to_what_the_app_keeps():
    answer = changed("status_reason", "  " + "r" * 250 + "  ")
    answer["holder"] = {"first_name": "  Ola\t", "last_name": " " + "Ø" * 230, "birth_date": "1979-12-31"}
    answer["employer"] = {"name": "\n" + "E" * 220, "org_number": " " + "9" * 70 + " ", "extra": 1}
    answer["card_number"], answer["card_type"], answer["status"] = " 40007919\n", " construction ", " valid "
    answer["unknown_field"] = {"nested": [1, 2]}
    check = card_check_from_answer(answer, BY_NUMBER, NOW)
    assert (check.card_number, check.card_type, check.status) == ("40007919", CardType.CONSTRUCTION, CardStatus.VALID)
    assert (check.first_name, check.last_name, check.status_reason) == ("Ola", "Ø" * 200, "r" * 200)
    assert (check.employer_name, check.employer_org_number) == ("E" * 200, "9" * 64)
    assert check.birth_date.isoformat() == "1979-12-31" and check.valid_to.isoformat() == "2027-06-30"


def test_the_http_backend_reads_proxy_settings_once_at_start(monkeypatch):
    """The backend reads the environment once, when it is made (not requests' Session, per call): the
    proxy for the service's address, NO_PROXY respected."""
    from app.adapters.cardservice import HttpCardServiceBackend

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.byggherre.no:3128")
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    backend = HttpCardServiceBackend("https://api.hmskort.example", "token")
    assert backend.proxies == {"https": "http://proxy.byggherre.no:3128"}
    monkeypatch.setenv("NO_PROXY", "api.hmskort.example")
    assert HttpCardServiceBackend("https://api.hmskort.example", "token").proxies == {}
