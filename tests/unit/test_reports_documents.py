"""Muster list, period report and demo cards, read back from the PDF."""
import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import numpy as np
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ContentStream

from reports.cards import render_demo_cards
from reports.data import (
    CompanyInfo, DemoCard, EmployerDays, MusterGroup, MusterPerson, MusterReport, PeriodReport, PersonDays, SiteInfo,
)
from reports.muster import render_muster_list
from reports.period import render_period_report
from tests.support.pdftext import pdf_fonts, pdf_pages

OSLO = ZoneInfo("Europe/Oslo")
SITE = SiteInfo("Nye Tromsø brannstasjon", "Stakkevollvegen 65, 9019 Tromsø", "Fjordbygg Eiendom AS")
MAIN = CompanyInfo("Nordbygg Entreprenør AS", "912345674")
PL = CompanyInfo("Budimex-Pol Sp. z o.o.", "PL 5213456789")
NOW = datetime(2026, 11, 25, 10, 17, tzinfo=OSLO)


def flat(pages) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


def test_muster_list_has_everyone_present_by_employer_with_a_tick_box():
    report = MusterReport(SITE, NOW, (
        MusterGroup(PL, (MusterPerson("Łukasz", "Brzęczyszczykiewicz", PL, "40000001", NOW),
                         MusterPerson("Małgorzata", "Żółkowska", PL, "40000002", NOW))),
        MusterGroup(MAIN, (MusterPerson("Ærlend", "Ødegård-Åsheim", MAIN, "40000003", NOW),)),
    ), left_today=(MusterPerson("Rūta", "Jankauskienė", MAIN),))
    content = render_muster_list(report)
    text = flat(pdf_pages(content))
    assert "Evakueringsliste – oppmøte" in text and "Muster list – evacuation" in text
    assert "På byggeplassen nå / on site now: 3" in text
    assert "Budimex-Pol Sp. z o.o. (2)" in text and "Nordbygg Entreprenør AS (1)" in text
    for name in ["Brzęczyszczykiewicz, Łukasz", "Żółkowska, Małgorzata", "Ødegård-Åsheim, Ærlend"]:
        assert name in text
    assert text.count("\u2610") == 3
    assert "Gått for dagen / left today" in text and "Jankauskienė, Rūta" in text
    assert all("DejaVuSans" in font for font in pdf_fonts(content))


def test_empty_muster_list_says_so():
    text = flat(pdf_pages(render_muster_list(MusterReport(SITE, NOW, ()))))
    assert "Ingen registrert på byggeplassen nå" in text and "on site now: 0" in text


def test_period_report_counts_person_days_per_employer_and_lists_the_days():
    report = PeriodReport(SITE, date(2026, 11, 1), date(2026, 11, 30), (
        EmployerDays(PL, (PersonDays("Łukasz", "Brzęczyszczykiewicz", date(1979, 12, 1), PL, MAIN, "40000001",
                                     (date(2026, 11, 2), date(2026, 11, 3))),
                          PersonDays("Małgorzata", "Żółkowska", date(1982, 4, 4), PL, None, "40000002",
                                     (date(2026, 11, 3),)))),
    ), NOW)
    text = flat(pdf_pages(render_period_report(report)))
    assert "Periode / period: 01.11.2026 – 30.11.2026" in text
    assert "Budimex-Pol Sp. z o.o. (PL 5213456789) 2 3" in text
    assert "Totalt / total 2 3" in text
    assert "Brzęczyszczykiewicz, Łukasz 01.12.1979 Budimex-Pol Sp. z o.o. 2 02.11, 03.11" in text


def card(number: int, last_name: str = "Ødegård-Åsheim") -> DemoCard:
    return DemoCard("Ærlend", last_name, date(1988, 2, 29), MAIN, f"{40000000 + number:08d}", date(2027, 6, 30),
                    f"https://hmskort.no/v/demo-token-{number:03d}")


def test_demo_cards_show_holder_employer_and_card_number():
    cards = [card(n) for n in range(11)] + [card(11, "Brzęczyszczykiewicz-Jankauskienė")]
    pages = pdf_pages(render_demo_cards(cards))
    assert len(pages) == 2  # ten to a page
    text = flat(pages)
    for c in cards:
        assert c.card_number in text and c.last_name in text
    assert "Nordbygg Entreprenør AS" in text and "912345674" in text and "HMS-KORT · DEMO" in text


def black_rectangles(content: bytes, page: int = 0) -> list[tuple[float, float, float, float]]:
    """The filled black rectangles the page draws (the QR modules), from its content stream."""
    reader = PdfReader(BytesIO(content))
    stream = ContentStream(reader.pages[page].get_contents(), reader)
    black, found = False, []
    for operands, operator in stream.operations:
        if operator == b"rg":
            black = all(float(v) == 0 for v in operands)
        elif operator == b"re" and black:
            found.append(tuple(float(v) for v in operands))
    return found


def test_the_qr_code_drawn_on_a_card_decodes_to_its_payload():
    content = render_demo_cards([card(7)])
    rects = black_rectangles(content)
    module = min(h for *_, h in rects)
    left, bottom = min(x for x, *_ in rects), min(y for _, y, *_ in rects)
    top = max(y + h for _, y, _, h in rects)
    scale = 8 / module  # eight pixels per module
    size = int((top - bottom) * scale) + 64
    image = np.full((size, size), 255, dtype=np.uint8)
    for x, y, w, h in rects:
        col, row = round((x - left) * scale) + 32, round((top - y - h) * scale) + 32
        image[row:row + round(h * scale), col:col + round(w * scale)] = 0
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == ["https://hmskort.no/v/demo-token-007"]
