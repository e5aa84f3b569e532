"""§ 8 follow-up rules (app/domain/followups.py): which status opens one, the notice's words, its recipients, order."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from app.domain.followups import opens_followup, reading_order, recipients, status_clause, status_text


@pytest.mark.parametrize("status, opens", [
    ("not_valid", True),  # unmet register duties: the byggherre reports them
    ("lost", False), ("stolen", False), ("blocked", False),  # an ID check at the office instead
    ("valid", False), ("expired", False), ("", False), (None, False),
])
def test_only_a_card_not_valid_opens_a_followup(status, opens):
    assert opens_followup(status) is opens


@pytest.mark.parametrize("kind, clause", [
    ("not_valid", "ikke er gyldig"),  # the negation before the verb
    ("lost", "er meldt tapt"),
    ("stolen", "er meldt stjålet"),
    ("unknown_card", "er ukjent i kortregisteret"),
    ("something_new", "er something_new"),  # an unknown kind is said as it is, never a crash
])
def test_the_status_as_a_norwegian_relative_clause(kind, clause):
    assert status_clause(kind) == clause


def test_the_status_text_is_bokmal():
    assert status_text("blocked") == "sperret" and status_text("odd") == "odd"


@pytest.mark.parametrize("kind, employer, expected", [
    ("not_valid", "Elektro Øst AS", ("Arbeidstilsynet", "Elektro Øst AS")),
    ("not_valid", None, ("Arbeidstilsynet",)),
    ("lost", "Elektro Øst AS", ("Elektro Øst AS",)),  # an older row of another kind: the employer only
    ("lost", None, ()),
])
def test_recipients(kind, employer, expected):
    assert recipients(kind, employer) == expected


def at(hour):
    return datetime(2026, 3, 10, hour, tzinfo=timezone.utc)


def test_open_items_oldest_first_then_done_ones_newest_first():
    late, early = SimpleNamespace(id=1, created_at=at(12), done_at=None), SimpleNamespace(id=2, created_at=at(8), done_at=None)
    tie = SimpleNamespace(id=3, created_at=at(8), done_at=None)
    old_done = SimpleNamespace(id=4, created_at=at(1), done_at=at(9))
    new_done = SimpleNamespace(id=5, created_at=at(2), done_at=at(11))
    assert [i.id for i in reading_order([old_done, late, new_done, tie, early])] == [2, 3, 1, 5, 4]
