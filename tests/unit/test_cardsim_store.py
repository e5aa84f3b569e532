"""The emulator's register: a card is found by its QR token through an index, which must follow
every change to the register (cardsim/store.py)."""
from cardsim.store import CardStore


def card(number: str, token: str) -> dict:
    return {"card_number": number, "qr_token": token, "status": "valid", "issued_on": "2026-01-05",
            "holder": {"first_name": "Kari", "last_name": "Nordmann", "birth_date": "1980-01-01"},
            "employer": {"name": "Bygg AS", "org_number": "910000005"}}


def test_a_card_is_found_by_its_qr_token_and_by_its_number():
    store = CardStore([card("40000001", "tok-a"), card("40000002", "tok-b")])
    assert store.by_qr_token("tok-b")["card_number"] == "40000002"
    assert store.by_number("40000001")["qr_token"] == "tok-a"
    assert store.by_qr_token("tok-c") is None


def test_a_replaced_token_no_longer_names_the_card_and_a_deleted_card_is_gone():
    store = CardStore([card("40000001", "tok-a")])
    store.put(card("40000001", "tok-new"))
    assert store.by_qr_token("tok-a") is None
    assert store.by_qr_token("tok-new")["card_number"] == "40000001"
    assert store.delete("40000001")
    assert store.by_qr_token("tok-new") is None


def test_a_card_without_a_qr_token_is_found_by_number_only():
    store = CardStore([card("40000003", "")])
    assert store.by_number("40000003")["card_number"] == "40000003" and store.by_qr_token("") is None
