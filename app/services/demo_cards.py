"""The demo people's HMS cards as printable data, read from the emulator's card file.

The QR token lives only in the card-service emulator's data (the app never stores QR text), so
the printable cards are made from that file, the same one `flask demo seed` writes.
"""
import json
from datetime import date
from pathlib import Path

from reports.data import CompanyInfo, DemoCard

QR_BASE = "https://hmskort.no/v/"


class NoDemoData(FileNotFoundError):
    """The emulator's card file is missing or unreadable: run `flask demo seed` first."""


def load_demo_cards(path: str) -> list[DemoCard]:
    """Every card in the emulator's file, as DemoCard values in the file's order."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return [_card(entry) for entry in document["cards"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NoDemoData(f"Fant ingen demokort / no demo cards in {path}: {error.__class__.__name__}") from None


def _card(entry: dict) -> DemoCard:
    holder, employer = entry["holder"], entry["employer"]
    return DemoCard(
        first_name=holder["first_name"], last_name=holder["last_name"],
        birth_date=date.fromisoformat(holder["birth_date"]),
        employer=CompanyInfo(employer["name"], employer.get("org_number") or ""),
        card_number=entry["card_number"], valid_to=date.fromisoformat(entry["valid_to"]),
        qr_payload=QR_BASE + entry["qr_token"], status=entry.get("status", "valid"))
