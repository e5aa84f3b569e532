"""The e-mails, in bokmål: they go out from `flask notify run`, outside any request and its language,
to Norwegian site staff. Codes and times only; no name, birth date or card number leaves in a mail
(the link leads to the page where the recipient may see who it was)."""
from dataclasses import dataclass

REASON_WORDS = {"card_lost": "meldt tapt", "card_stolen": "meldt stjålet", "card_blocked": "sperret"}


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def kiosk_silent(site: str, kiosk: str, since: str, url: str) -> Mail:
    return Mail(f"Portvakt: kiosken «{kiosk}» på {site} svarer ikke",
                f"Kiosken «{kiosk}» på byggeplassen {site} har ikke meldt seg siden {since}.\n"
                "Sjekk strøm, nett og skjerm ved porten. Skanninger lagres i kiosken og sendes når den er "
                f"tilbake, men porten er uten kontroll så lenge den er nede.\n\n{url}\n")


def kiosk_back(site: str, kiosk: str, url: str) -> Mail:
    return Mail(f"Portvakt: kiosken «{kiosk}» på {site} er tilbake",
                f"Kiosken «{kiosk}» på byggeplassen {site} melder seg igjen.\n\n{url}\n")


def card_service_down(since: str) -> Mail:
    return Mail("Portvakt: HMS-kortregisteret svarer ikke",
                f"Portvakt har ikke fått svar fra HMS-kortregisteret siden {since}.\n"
                "Kioskene slipper inn etter byggeplassens reserveregel, og skanningene kontrolleres "
                "på nytt når registeret svarer igjen.\n")


def card_service_back() -> Mail:
    return Mail("Portvakt: HMS-kortregisteret svarer igjen",
                "HMS-kortregisteret svarer igjen. Skanninger fra bruddet kontrolleres på nytt.\n")


def list_unchecked(site: str, day: str, url: str) -> Mail:
    return Mail(f"Portvakt: listen for {day} på {site} er ikke kontrollert",
                f"Oversiktslisten (byggherreforskriften § 15) for {day} på {site} er ikke kontrollert ennå.\n"
                f"Kontroller den her:\n{url}\n")


def list_checked(site: str, day: str, url: str) -> Mail:
    return Mail(f"Portvakt: listen for {day} på {site} er kontrollert",
                f"Oversiktslisten for {day} på {site} er nå kontrollert.\n\n{url}\n")


def card_rejected(site: str, kiosk: str, at: str, reason: str, url: str) -> Mail:
    words = REASON_WORDS.get(reason, "avvist")
    return Mail(f"Portvakt: kort {words} ved porten på {site}",
                f"Et HMS-kort som er {words}, ble skannet ved «{kiosk}» på {site} kl. {at}.\n"
                "Personen er bedt om å gå til byggeplasskontoret. Kontroller legitimasjonen.\n\n"
                f"Avviste skanninger:\n{url}\n")


def followup_opened(site: str, at: str, url: str) -> Mail:
    return Mail(f"Portvakt: ny oppfølging på {site}",
                f"En oppfølging etter HMS-kortforskriften § 8 ble åpnet på {site} kl. {at}.\n"
                f"Se oppfølgingene:\n{url}\n")


def digest(day: str, mails: list[tuple[str, str]]) -> Mail:
    parts = [f"Sammendrag fra Portvakt for {day}: {len(mails)} varsler.\n"]
    for subject, body in mails:
        parts.append(f"— {subject}\n{body}")
    return Mail(f"Portvakt: dagens sammendrag ({len(mails)} varsler)", "\n".join(parts))
