"""The § 15 list's order, totals and data hash (pure domain, no app)."""
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from app.domain.oversiktsliste import (
    Company, Entry, Header, build_oversiktsliste, canonical_bytes, collation_key, data_sha256,
)

HEADER = Header(7, "Kvartal Løkkeveien", "Løkkeveien 10, 4008 Stavanger", "Fjordbygg Eiendom AS", date(2026, 11, 25))
OST = Company("Elektro Øst AS", "987654320")
VEST = Company("Betong Vest AS", "933445506")
LT = Company("UAB Statybų Grupė", "LT 304567891")


def entry(first, last, employer, **fields) -> Entry:
    return Entry(first, last, fields.pop("birth_date", date(1980, 1, 1)), employer, **fields)


ENTRIES = [
    entry("Åse", "Åsheim", OST),
    entry("Ola", "Nordmann", OST),
    entry("Ærlend", "Ødegård", OST),
    entry("Rūta", "Jankauskienė", LT),
    entry("Łukasz", "Brzęczyszczykiewicz", VEST),
    entry("Kari", "Zahl", OST),
    entry("Petras", "Kazlauskas", LT),
]


def test_groups_by_employer_name_then_people_by_surname_in_norwegian_order():
    liste = build_oversiktsliste(HEADER, ENTRIES)
    assert [g.employer.name for g in liste.groups] == ["Betong Vest AS", "Elektro Øst AS", "UAB Statybų Grupė"]
    assert [e.last_name for e in liste.groups[1].entries] == ["Nordmann", "Zahl", "Ødegård", "Åsheim"]
    assert [e.last_name for e in liste.groups[2].entries] == ["Jankauskienė", "Kazlauskas"]


def test_subtotals_and_total():
    liste = build_oversiktsliste(HEADER, ENTRIES)
    assert [g.subtotal for g in liste.groups] == [1, 4, 2]
    assert liste.total == 7 == len(liste.entries)


def test_empty_day_is_an_empty_list():
    liste = build_oversiktsliste(HEADER, [])
    assert liste.groups == () and liste.total == 0


@pytest.mark.parametrize("text, before", [("Zahl", "Ødegård"), ("Ødegård", "Åsheim"), ("Ærlend", "Ødegård"),
                                          ("ola", "Åse"), ("Élise", "Frank"), ("Łukasz", "Mantas")])
def test_collation_key_follows_the_norwegian_alphabet(text, before):
    assert collation_key(text) < collation_key(before)


def test_hash_does_not_depend_on_input_order():
    forward = build_oversiktsliste(HEADER, ENTRIES)
    backward = build_oversiktsliste(HEADER, list(reversed(ENTRIES)))
    assert data_sha256(forward) == data_sha256(backward)
    assert len(data_sha256(forward)) == 64


@pytest.mark.parametrize("change", [
    lambda e: replace(e, first_name="Åsa"),
    lambda e: replace(e, birth_date=date(1980, 1, 2)),
    lambda e: replace(e, employer=VEST),
    lambda e: replace(e, hired_by=VEST),
    lambda e: replace(e, card_number="40000001"),
    lambda e: replace(e, flags=("no_exit_recorded",)),
])
def test_any_change_to_a_listed_fact_changes_the_hash(change):
    before = build_oversiktsliste(HEADER, ENTRIES)
    after = build_oversiktsliste(HEADER, [change(ENTRIES[0])] + ENTRIES[1:])
    assert data_sha256(before) != data_sha256(after)


def test_canonical_bytes_are_utf8_json_with_the_letters_intact():
    text = canonical_bytes(build_oversiktsliste(HEADER, ENTRIES)).decode("utf-8")
    assert "Brzęczyszczykiewicz" in text and "Løkkeveien" in text and '"total":7' in text


def test_in_out_times_are_not_in_the_hash_so_their_expiry_changes_nothing():
    timed = replace(ENTRIES[0], first_in=datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc),
                    last_out=datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc))
    cleared = replace(timed, first_in=None, last_out=None)
    assert data_sha256(build_oversiktsliste(HEADER, [timed])) == data_sha256(build_oversiktsliste(HEADER, [cleared]))
