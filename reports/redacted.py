"""The page that replaces an archived list whose in/out times expired when the list itself could not be
re-made as it was (it changed after that version was checked): what it was, and its hashes."""
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from reports.fonts import BOLD, REGULAR, register_fonts
from reports.styles import nb_date, nb_datetime


@dataclass(frozen=True)
class RedactedVersion:
    site_name: str
    site_address: str
    builder_name: str
    day: date
    version: int
    checked_by: str
    checked_at: datetime
    data_sha256: str
    original_pdf_sha256: str
    removed_on: date
    passage_retention_days: int


def render_redacted_version(item: RedactedVersion) -> bytes:
    """One A4 page: which checked version this was, why its PDF was replaced, and the hashes to match."""
    register_fonts()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=REGULAR, invariant=1)
    pdf.setTitle(f"Oversiktsliste {item.site_name} {nb_date(item.day)} – versjon {item.version}")
    y = A4[1] - 25 * mm
    lines = [
        (BOLD, 14, f"Oversiktsliste – {item.site_name}, {nb_date(item.day)}, versjon {item.version}"),
        (REGULAR, 10, f"{item.site_address} · byggherre {item.builder_name}"),
        (REGULAR, 10, f"Kontrollert av {item.checked_by} {nb_datetime(item.checked_at)}"),
        (REGULAR, 10, ""),
        (REGULAR, 10, f"Inn- og utpasseringstider slettes etter {item.passage_retention_days} dager. Denne versjonen"),
        (REGULAR, 10, "inneholdt slike tider, og listen er endret siden den ble kontrollert, så den kunne ikke lages"),
        (REGULAR, 10, f"på nytt uten tidene. PDF-en ble derfor erstattet {nb_date(item.removed_on)}."),
        (REGULAR, 9, f"In/out times are deleted after {item.passage_retention_days} days; this version held them and"),
        (REGULAR, 9, "could not be re-made without them (the list changed since), so its PDF was replaced."),
        (REGULAR, 10, ""),
        (REGULAR, 10, "Listens data, SHA-256 / data hash:"),
        (REGULAR, 9, item.data_sha256),
        (REGULAR, 10, "Den opprinnelige PDF-ens SHA-256 / the original PDF's SHA-256:"),
        (REGULAR, 9, item.original_pdf_sha256),
    ]
    for font, size, line in lines:
        pdf.setFont(font, size)
        pdf.drawString(20 * mm, y, line)
        y -= size * 0.5 * mm + 3 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
