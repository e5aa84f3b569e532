"""The site induction's pure rules (app/domain/induction.py): validity, the gate's outcome, the quiz format."""
from datetime import date, datetime, timezone

import pytest

from app.domain import induction as rules
from app.domain.cards import CardCheck, CardStatus, CardType, LookupOutcome
from app.domain.gate import GateFacts, decide_gate

TODAY = date(2027, 3, 15)


@pytest.mark.parametrize("completed, version, required, months, valid", [
    (date(2027, 3, 15), 1, 1, 12, True),
    (date(2026, 3, 16), 1, 1, 12, True),  # the last day of twelve months
    (date(2026, 3, 15), 1, 1, 12, False),
    (date(2027, 1, 1), 1, 2, 12, False),  # a new version everyone must take again
    (date(2027, 1, 1), 2, 2, 1, False),
])
def test_a_completion_counts_within_its_months_and_from_the_required_version(completed, version, required,
                                                                             months, valid):
    assert rules.has_valid([rules.Completion(version, completed)], required, months, TODAY) is valid


def test_month_ends_are_kept():
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


@pytest.mark.parametrize("mode, completed, outcome", [
    ("refuse", False, "refuse"), ("warn", False, "warn"), ("off", False, None), ("refuse", True, None),
])
def test_gate_outcome(mode, completed, outcome):
    assert rules.gate_outcome(mode, completed) == outcome


def _valid_card() -> CardCheck:
    return CardCheck(LookupOutcome.FOUND, datetime(2027, 3, 15, 7, tzinfo=timezone.utc), card_number="40000000",
                     status=CardStatus.VALID, card_type=CardType.CONSTRUCTION)


@pytest.mark.parametrize("induction, accepted, reason, warnings", [
    ("refuse", False, "induction_missing", ()),
    ("warn", True, "ok", ("induction_missing",)),
    (None, True, "ok", ()),
])
def test_the_gate_checks_the_induction_after_the_card(induction, accepted, reason, warnings):
    decision = decide_gate(_valid_card(), GateFacts(today=TODAY, induction=induction),
                           datetime(2027, 3, 15, 7, tzinfo=timezone.utc))
    assert (decision.accepted, decision.reason, decision.warnings) == (accepted, reason, warnings)
    if not accepted:
        assert "HMS-introduksjon" in decision.message["nb"]


def test_questions_are_parsed_with_their_right_answer():
    parsed = rules.parse_questions("Hjelm? | Helmet?\n- Nei | No\n* Ja | Yes\n\nMøteplass?\n* Porten\n- Kranen\n")
    assert parsed[0] == {"q": {"nb": "Hjelm?", "en": "Helmet?"},
                         "options": [{"nb": "Nei", "en": "No"}, {"nb": "Ja", "en": "Yes"}], "answer": 1}
    assert parsed[1]["q"] == {"nb": "Møteplass?", "en": "Møteplass?"} and parsed[1]["answer"] == 0
    assert rules.answers_right(parsed, [1, 0]) and not rules.answers_right(parsed, [1, 1])


@pytest.mark.parametrize("text", ["Hjelm?\n- Nei\n- Ja", "Hjelm?\n* Nei\n* Ja", "Hjelm?\n* Ja"])
def test_a_question_needs_options_and_one_right_answer(text):
    with pytest.raises(ValueError):
        rules.parse_questions(text)
