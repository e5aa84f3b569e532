"""Printable demo HMS cards, credit-card size, ten to an A4 page, each with a QR code a kiosk reads.

For trying a kiosk with a webcam and a printer. They say DEMO on them: they are not HMS cards.
"""
from io import BytesIO

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from reports.data import DemoCard
from reports.fonts import BOLD, REGULAR, register_fonts
from reports.styles import nb_date

CARD_W, CARD_H = 85.6 * mm, 54 * mm  # ISO/IEC 7810 ID-1, the size of a bank card
COLUMNS, ROWS = 2, 5
QR_SIZE = 28 * mm
BAR = colors.HexColor("#1f4e79")


def render_demo_cards(cards: list[DemoCard]) -> bytes:
    """Render the cards to PDF bytes, ten per A4 page, with cutting frames."""
    register_fonts()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=REGULAR)
    pdf.setTitle("Portvakt demo HMS cards")
    page_w, page_h = A4
    left = (page_w - COLUMNS * CARD_W - 8 * mm) / 2
    top = page_h - 12 * mm
    for index, card in enumerate(cards):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            pdf.showPage()
        x = left + (slot % COLUMNS) * (CARD_W + 8 * mm)
        y = top - (slot // COLUMNS + 1) * CARD_H - (slot // COLUMNS) * 3 * mm
        _draw_card(pdf, card, x, y)
    if not cards:
        pdf.setFont(REGULAR, 12)
        pdf.drawString(20 * mm, page_h - 30 * mm, "Ingen demokort / no demo cards (run `flask demo seed`).")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_card(pdf: canvas.Canvas, card: DemoCard, x: float, y: float) -> None:
    pdf.saveState()
    pdf.setStrokeColor(colors.grey)
    pdf.roundRect(x, y, CARD_W, CARD_H, 3 * mm)
    pdf.setFillColor(BAR)
    pdf.rect(x, y + CARD_H - 9 * mm, CARD_W, 9 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(BOLD, 9)
    pdf.drawString(x + 3 * mm, y + CARD_H - 6 * mm, "HMS-KORT · DEMO")
    pdf.setFont(REGULAR, 6)
    pdf.drawRightString(x + CARD_W - 3 * mm, y + CARD_H - 6 * mm, "Ikke et ekte kort / not a real card")
    _photo_placeholder(pdf, x + 3 * mm, y + CARD_H - 29 * mm, 15 * mm, 18 * mm)
    text_width = CARD_W - QR_SIZE - 6 * mm
    _name(pdf, card, x + 20 * mm, y + CARD_H - 15 * mm, text_width - 17 * mm)
    _details(pdf, card, x + 3 * mm, y + CARD_H - 33 * mm, text_width)
    _qr(pdf, card.qr_payload, x + CARD_W - QR_SIZE - 2 * mm, y + 3 * mm)
    pdf.restoreState()


def _photo_placeholder(pdf, x, y, w, h) -> None:
    pdf.setStrokeColor(colors.grey)
    pdf.setFillColor(colors.HexColor("#eeeeee"))
    pdf.rect(x, y, w, h, fill=1)
    pdf.setFillColor(colors.grey)
    pdf.setFont(REGULAR, 5.5)
    pdf.drawCentredString(x + w / 2, y + h / 2, "Foto / photo")


def _fitted(pdf, text: str, x: float, y: float, font: str, size: float, width: float) -> None:
    """Draw text on one line, shrinking the type until it fits (long Polish surnames do occur)."""
    while size > 4 and stringWidth(text, font, size) > width:
        size -= 0.25
    pdf.setFont(font, size)
    pdf.drawString(x, y, text)


def _name(pdf, card: DemoCard, x: float, y: float, width: float) -> None:
    pdf.setFillColor(colors.black)
    _fitted(pdf, card.first_name, x, y, BOLD, 9, width)
    _fitted(pdf, card.last_name, x, y - 11, BOLD, 9, width)
    _fitted(pdf, f"Født / born {nb_date(card.birth_date)}", x, y - 22, REGULAR, 6.5, width)


def _details(pdf, card: DemoCard, x: float, y: float, width: float) -> None:
    lines = [card.employer.name, f"Org.nr. {card.employer.identifier}",
             f"Kortnr. / card no. {card.card_number}", f"Gyldig til / valid to {nb_date(card.valid_to)}"]
    if card.status != "valid":
        lines.append(f"Demo-status: {card.status}")
    for number, line in enumerate(lines):
        _fitted(pdf, line, x, y - number * 8, BOLD if number == 2 else REGULAR, 6.5, width)


def _qr(pdf, payload: str, x: float, y: float) -> None:
    """The QR code as filled squares, one run of dark modules at a time (segno makes the matrix)."""
    matrix = segno.make(payload, error="m", micro=False).matrix
    quiet = 2  # modules of white border; the card's white face adds more
    module = QR_SIZE / (len(matrix) + 2 * quiet)
    pdf.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        top = y + QR_SIZE - (row_index + quiet + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(x + (start + quiet) * module, top, (column - start) * module, module, stroke=0, fill=1)
