"""Shared look and wording of the documents: fonts, paragraph styles, date formats, flag labels."""
import unicodedata
from datetime import date, datetime
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
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
    "invalid_on_reverify": "Ugyldig ved ny kontroll / invalid when checked again",
    "no_entry_recorded": "Inngang ikke registrert / no entry recorded",
    "late": "Mottatt forsinket fra kiosken / delivered late by the kiosk",
    "needs_approval": "Må godkjennes / needs approval",
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
    return Paragraph(escape(printable(text)).replace("\n", "<br/>"), style)


def wrap_lines(text: str, width: float, font: str, size: float) -> str:
    """Text broken into lines that fit `width`, as one plain string with newlines.

    A table cell holding a plain string is drawn with drawString, several times faster than a
    Paragraph; on a 10,000-person list that is most of the rendering time. No markup is parsed,
    so nothing needs escaping.
    """
    lines = []
    for line in printable(text).split("\n"):
        if stringWidth(line, font, size) <= width:
            lines.append(line)
        else:
            for part in simpleSplit(line, font, size, width) or [""]:
                lines.extend(_break_word(part, width, font, size))
    return "\n".join(lines)


def _break_word(line: str, width: float, font: str, size: float) -> list[str]:
    """A line still too wide after breaking at spaces (a 100-letter surname) broken between letters,
    so it stays inside its column instead of running over the next one."""
    if stringWidth(line, font, size) <= width:
        return [line]
    pieces, current = [], ""
    for char in line:
        if current and stringWidth(current + char, font, size) > width:
            pieces.append(current)
            current = ""
        current += char
    return pieces + [current]


SUBSTITUTE = "?"
SILENT = {"Cf", "Mn", "Me"}  # joiners, variation selectors, combining marks the font cannot place


@cache
def _covered() -> frozenset:
    """The code points DejaVu Sans has a glyph for (regular and bold cover the same letters)."""
    register_fonts()
    return frozenset(pdfmetrics.getFont(REGULAR).face.charToGlyph)


def printable(text: str) -> str:
    """Text the embedded font can draw: a character DejaVu lacks becomes its plain form (𝓐 → A)
    when it has one, is dropped when it is invisible (zero-width joiner, emoji variation selector),
    and otherwise becomes "?" — never an empty box or a wrong glyph on the list."""
    covered = _covered()
    if all(ord(char) in covered for char in text):
        return text
    out = []
    for char in unicodedata.normalize("NFC", text):
        if ord(char) in covered or char in "\n":
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char)
        if plain != char and all(ord(c) in covered or unicodedata.category(c) in SILENT for c in plain):
            out.append("".join(c for c in plain if ord(c) in covered))
        elif unicodedata.category(char) not in SILENT:
            out.append(SUBSTITUTE)
    return "".join(out)
