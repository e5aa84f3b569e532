"""The muster (evacuation) list: who is on site now, by employer, large type, a tick box each."""
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, LongTable, SimpleDocTemplate, Spacer, TableStyle

from reports.canvas import numbered_canvas
from reports.data import MusterPerson, MusterReport, MusterVisitor
from reports.fonts import BOLD, REGULAR
from reports.styles import GRID, GROUP, nb_datetime, nb_time, para, styles

TITLE = "Evakueringsliste – oppmøte"
TITLE_EN = "Muster list – evacuation"
TICK_BOX = "\u2610"  # ☐, drawn in DejaVu Sans
SIZE = 13


def render_muster_list(report: MusterReport) -> bytes:
    """Render the muster list to PDF bytes (A4 portrait)."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=TITLE, author="Portvakt")
    s = styles(SIZE)
    story = [
        para(TITLE, s["title"]), para(TITLE_EN, s["subtitle"]),
        para(f"{report.site.name}, {report.site.address}", s["bold"]),
        para(f"Utskrevet / printed {nb_datetime(report.generated_at)} · På byggeplassen nå / on site now: "
             f"{report.present_count}", s["body"]),
        Spacer(1, 4 * mm),
    ]
    for group in report.present:
        story.append(_group_table(f"{group.employer.name} ({len(group.people)})", group.people, doc.width))
        story.append(Spacer(1, 3 * mm))
    if report.visitors:
        story.append(_visitor_table(report.visitors, doc.width))
        story.append(Spacer(1, 3 * mm))
    if not report.present and not report.visitors:
        story.append(para("Ingen registrert på byggeplassen nå. / Nobody is registered on site now.", s["body"]))
    if report.left_today:
        story += [Spacer(1, 4 * mm), para("Gått for dagen / left today", s["bold"])]
        story += [para(_line(p), styles(SIZE - 3)["body"]) for p in report.left_today]
    if report.expected:
        # Engaged for today but not registered at the gate: in a roll call, ask about them too.
        story += [Spacer(1, 4 * mm), para(f"Ventet, ikke registrert i dag / expected, not registered today "
                                          f"({len(report.expected)})", s["bold"])]
        story += [para(_line(p), styles(SIZE - 3)["body"]) for p in report.expected]
    footer = f"{report.site.name} · {TITLE} / {TITLE_EN}"
    doc.build(story, canvasmaker=numbered_canvas(footer, f"Utskrevet / printed {nb_datetime(report.generated_at)}"))
    return buffer.getvalue()


def _line(person: MusterPerson) -> str:
    """A name on the left-today and expected lists, with the phone to call in a roll call."""
    return f"{person.sort_name} – {person.employer.name}" + (f" – tlf. {person.phone}" if person.phone else "")


def _visitor_table(visitors: tuple[MusterVisitor, ...], width: float):
    """Visitors, marked as such, with their host and phone for the roll call."""
    data = [[f"Besøkende / visitors ({len(visitors)})", "", "", ""]]
    data += [[TICK_BOX, para(f"{v.name}" + (f" ({v.company})" if v.company else "") + " – Besøkende",
                            styles(SIZE - 2)["body"]),
              para(f"Vert / host: {v.host}", styles(SIZE - 3)["body"]), v.phone] for v in visitors]
    table = LongTable(data, colWidths=[12 * mm, width - 102 * mm, 55 * mm, 35 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, SIZE - 2),
        ("FONT", (0, 0), (-1, 0), BOLD, SIZE),
        ("FONT", (0, 1), (0, -1), REGULAR, SIZE + 5),
        ("BACKGROUND", (0, 0), (-1, 0), GROUP),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return KeepTogether([table]) if len(visitors) < 8 else table


def _group_table(heading: str, people: tuple[MusterPerson, ...], width: float):
    data = [[heading, "", "", "", ""]]
    data += [[TICK_BOX, p.sort_name, p.card_number or "", p.phone or "", nb_time(p.first_in)] for p in people]
    table = LongTable(data, colWidths=[12 * mm, width - 97 * mm, 32 * mm, 35 * mm, 18 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, SIZE),
        ("FONT", (0, 0), (-1, 0), BOLD, SIZE),
        ("FONT", (0, 1), (0, -1), REGULAR, SIZE + 5),
        ("BACKGROUND", (0, 0), (-1, 0), GROUP),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return KeepTogether([table]) if len(people) < 8 else table
