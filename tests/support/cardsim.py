"""Drive a running card-service emulator from tests: cards, fault modes and the lookup count."""
import requests

QR_BASE = "https://hmskort.no/v/"


def card_record(number: str, status: str = "valid", *, qr_token: str | None = None, card_type: str = "construction",
                first_name: str = "Åse", last_name: str = "Ødegård", birth_date: str = "1980-02-03",
                employer: tuple[str, str] = ("Elektro Øst AS", "987654325"), valid_to: str = "2027-06-30",
                status_reason: str = "") -> dict:
    return {"card_number": number, "card_type": card_type, "status": status, "status_reason": status_reason,
            "issued_on": "2025-06-30", "valid_to": valid_to, "qr_token": qr_token,
            "holder": {"first_name": first_name, "last_name": last_name, "birth_date": birth_date},
            "employer": {"name": employer[0], "org_number": employer[1]}}


class SimControl:
    """The emulator's /_sim/ test controls."""

    def __init__(self, url: str):
        self.url = url

    def put_card(self, number: str, status: str = "valid", **fields) -> dict:
        record = card_record(number, status, **fields)
        requests.put(f"{self.url}/_sim/cards/{number}", json=record, timeout=5).raise_for_status()
        return record

    def delete_card(self, number: str) -> None:
        requests.delete(f"{self.url}/_sim/cards/{number}", timeout=5)

    def faults(self, mode: str = "ok", **extra) -> None:
        requests.put(f"{self.url}/_sim/faults", json={"mode": mode, **extra}, timeout=5).raise_for_status()

    def calls(self) -> int:
        return requests.get(f"{self.url}/_sim/calls", timeout=5).json()["calls"]
