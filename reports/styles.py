"""Shared look and wording of the documents: fonts, paragraph styles, date formats, flag labels."""
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Paragraph

from reports.fonts import BOLD, REGULAR, register_fonts

GRID = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#e8edf2")
GROUP = colors.HexColor("#d5e3f0")
WARN = colors.HexColor("#b00020")

# Flags on an attendance day, with the words a reader sees (bokmål / English).
FLAG_LABELS = {
    "unverified": "Ikke verifisert / not verified",
    "not_verified": "Ikke verifisert / not verified",
    "possible_copied_card": "Mulig kopiert kort / possible copied card",
    "no_exit_recorded": "Utgang ikke registrert / no exit recorded",
    "manual": "Manuell registrering / manual registration",
    "invalid_on_reverify": "Ugyldig ved etterkontroll / invalid when re-checked",
    "no_entry_recorded": "Inngang ikke registrert / no entry recorded",
    "late": "Levert sent fra kiosk / delivered late by the kiosk",
    "needs_approval": "Venter på godkjenning / awaiting approval",
    "card_ordered": "HMS-kort bestilt / HMS card on order",
}


def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)


def nb_date(day: date | None) -> str:
    """dd.mm.åååå, the Norwegian way."""
    return day.strftime("%d.%m.%Y") if day else ""


def nb_time(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def nb_datetime(moment: datetime | None) -> str:
    return moment.strftime("%d.%m.%Y %H:%M") if moment else ""


def styles(size: float = 8) -> dict:
    """Paragraph styles in DejaVu Sans at the given base size."""
    register_fonts()
    leading = size * 1.2
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=size + 7, leading=size + 10),
        "subtitle": ParagraphStyle("subtitle", fontName=REGULAR, fontSize=size + 2, leading=size + 5,
                                   textColor=colors.HexColor("#444444")),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=size, leading=leading),
        "bold": ParagraphStyle("bold", fontName=BOLD, fontSize=size, leading=leading),
        "warn": ParagraphStyle("warn", fontName=BOLD, fontSize=size + 2, leading=size + 5, textColor=WARN),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=size, leading=leading),
    }


def para(text: str, style) -> Paragraph:
    """A Paragraph from plain text: escaped first, so "&", "<" in a name cannot break the markup."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def wrap_lines(text: str, width: float, font: str, size: float) -> str:
    """Text broken into lines that fit `width`, as one plain string with newlines.

    A table cell holding a plain string is drawn with drawString, several times faster than a
    Paragraph; on a 10,000-person list that is most of the rendering time. No markup is parsed,
    so nothing needs escaping.
    """
    lines = []
    for line in text.split("\n"):
        if stringWidth(line, font, size) <= width:
            lines.append(line)
        else:
            lines.extend(simpleSplit(line, font, size, width) or [""])
    return "\n".join(lines)
