"""The daily § 15 PDF, read back as text: every field, the letters, the header on every page, the pages."""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.daily import render_daily_list
from reports.data import CompanyInfo, ControlStatus, DailyListReport, EmployerGroup, ListRow, SiteInfo
from tests.support.pdftext import pdf_fonts, pdf_pages

OSLO = ZoneInfo("Europe/Oslo")
DAY = date(2026, 11, 25)
SITE = SiteInfo("Kvartal Løkkeveien", "Løkkeveien 10, 4008 Stavanger", "Fjordbygg Eiendom AS")
MAIN = CompanyInfo("Nordbygg Entreprenør AS", "912345674")
AGENCY = CompanyInfo("Bemanning Nord AS", "999888702")
LT = CompanyInfo("UAB Statybų Grupė", "LT 304567891")
HASH = "3f" * 32


def at(hour, minute=0):
    return datetime(2026, 11, 25, hour, minute, tzinfo=OSLO)


ROWS = {
    AGENCY: [ListRow("Ærlend", "Ødegård-Åsheim", date(1988, 2, 29), AGENCY, MAIN, "40007919", None, at(7), at(15, 30))],
    MAIN: [ListRow("Åse", "Bakkeløkken", date(1970, 1, 5), MAIN, None, "40015838", None, at(9, 15), at(13, 5),
                   ("manual",)),
           ListRow("Ola", "Nordmann <&> Sønn", date(2001, 11, 11), MAIN, None, "40023757", None, at(6, 45), None,
                   ("no_exit_recorded", "unverified"))],
    LT: [ListRow("Rūta", "Jankauskienė", date(1991, 6, 30), LT, None, "40031676", None, at(7), at(15),
                 ("possible_copied_card",)),
         ListRow("Łukasz", "Brzęczyszczykiewicz", date(1979, 12, 1), LT, None, "40039595", None, at(7), at(16))],
}


def report(groups=None, control=ControlStatus(), show_times=True) -> DailyListReport:
    groups = groups or tuple(EmployerGroup(e, tuple(rows)) for e, rows in ROWS.items())
    return DailyListReport(SITE, DAY, groups, HASH, at(18, 4), show_times, control)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pages():
    return pdf_pages(render_daily_list(report()))


def test_title_site_builder_date_and_hash(pages):
    first = flat(pages[0])
    for text in ["Oversiktsliste – byggherreforskriften § 15", "List of persons working on the construction site",
                 "Kvartal Løkkeveien, Løkkeveien 10, 4008 Stavanger", "Fjordbygg Eiendom AS", "25.11.2026", HASH,
                 "IKKE KONTROLLERT / NOT CHECKED", "Generert / generated 25.11.2026 18:04"]:
        assert text in first, text


@pytest.mark.parametrize("employer", list(ROWS), ids=lambda c: c.name)
def test_every_person_with_every_section_15_field(pages, employer):
    text = flat(" ".join(pages))
    for row in ROWS[employer]:
        assert f"{row.last_name}, {row.first_name}" in text
        assert row.birth_date.strftime("%d.%m.%Y") in text
        assert row.card_number in text
    assert employer.name in text and employer.identifier in text


def test_hired_in_worker_names_the_innleievirksomhet(pages):
    text = flat(pages[0])
    assert "Innleid av (innleievirksomhet)" in text and "Hired in by" in text
    row = text[text.index("Ødegård-Åsheim, Ærlend"):]
    assert row.index("Bemanning Nord AS") < row.index("Nordbygg Entreprenør AS 912345674")


def test_times_and_flags_in_both_languages(pages):
    text = flat(" ".join(pages))
    for flag in ["Manuell registrering / manual registration", "Utgang ikke registrert / no exit recorded",
                 "Ikke verifisert / not verified", "Mulig kopiert kort / possible copied card"]:
        assert flag in text
    assert "06:45" in text and "13:05" in text


def test_subtotals_and_total(pages):
    text = flat(" ".join(pages))
    assert "Sum Bemanning Nord AS: 1 person" in text
    assert "Sum Nordbygg Entreprenør AS: 2 personer / persons" in text
    assert "Sum UAB Statybų Grupė: 2 personer" in text
    assert "Totalt / total: 5 personer / persons" in text


def test_text_that_looks_like_markup_is_shown_as_written(pages):
    assert "Nordmann <&> Sønn" in flat(" ".join(pages))


def test_only_the_embedded_dejavu_font_is_used():
    fonts = pdf_fonts(render_daily_list(report()))
    assert fonts and all("DejaVuSans" in font for font in fonts), fonts


def test_checked_list_says_who_and_when_and_its_version():
    control = ControlStatus(3, "Bjørn Byggleder", at(16, 2))
    text = flat(pdf_pages(render_daily_list(report(control=control)))[0])
    assert "Kontrollert av Bjørn Byggleder 25.11.2026 16:02" in text
    assert "IKKE KONTROLLERT" not in text
    assert re.search(r"Versjon / Version 3\b", text)


def test_no_time_columns_when_the_site_records_no_times():
    text = flat(pdf_pages(render_daily_list(report(show_times=False)))[0])
    assert "Inn In" not in text and "06:45" not in text
    assert "Brzęczyszczykiewicz, Łukasz" in text


def many(count: int) -> tuple:
    companies = [CompanyInfo(f"Firma {n:02d} AS", f"9{n:08d}") for n in range(25)]
    groups = []
    for n, company in enumerate(companies):
        rows = tuple(ListRow("Rūta", f"Jankauskienė {n:02d}-{i:04d}", date(1990, 1, 1), company,
                             companies[0] if i % 5 == 0 else None, f"{40000000 + n * 1000 + i}", None, at(7), at(15),
                             ("no_exit_recorded",) if i % 9 == 0 else ())
                     for i in range(count // len(companies)))
        groups.append(EmployerGroup(company, rows))
    return tuple(groups)


@pytest.fixture(scope="module")
def big_pages():
    return pdf_pages(render_daily_list(report(groups=many(2000))))


def test_a_2000_person_list_renders_with_everyone_on_it(big_pages):
    text = flat(" ".join(big_pages))
    assert len(big_pages) > 40
    assert "Totalt / total: 2000 personer / persons" in text
    assert len(re.findall(r"Jankauskienė \d\d-\d{4}, Rūta", text)) == 2000
    assert text.count("Sum Firma") == 25 and "Sum Firma 07 AS: 80 personer" in text


def test_header_row_and_page_numbers_on_every_page(big_pages):
    total = len(big_pages)
    for number, page in enumerate(big_pages, start=1):
        text = flat(page)
        assert "Fødselsdato Date of birth" in text, number
        assert "HMS-kortnr. HMS card no." in text, number
        assert f"Side {number} av {total}" in text, number
        assert "Generert / generated" in text, number


def test_rows_are_numbered_without_gaps_across_pages(big_pages):
    numbers = [int(n) for page in big_pages for n in re.findall(r"^(\d{1,4})$", page, flags=re.M)]
    people = [n for n in numbers if n <= 2000]
    assert sorted(set(people)) == list(range(1, 2001))


def test_very_long_names_wrap_inside_the_page():
    long_company = CompanyInfo("Entreprenørselskapet " + "Østlandets Bygg og Anlegg " * 8 + "AS", "912345674")
    row = ListRow("Ærlend Åsmund Øyvind Håkon", "Ødegård-Åsheim-" + "Brzęczyszczykiewicz-" * 4 + "Jankauskienė",
                  date(1988, 2, 29), long_company, long_company, "40007919", None, at(7), at(15))
    content = render_daily_list(report(groups=(EmployerGroup(long_company, (row,)),)))
    from io import BytesIO

    from pypdf import PdfReader

    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.fonts import BOLD

    page = PdfReader(BytesIO(content)).pages[0]
    ends = []

    def measure(text, cm, tm, font, size):
        if text.strip():  # where the text ends, measured in the wider (bold) face
            ends.append(tm[4] * cm[0] + cm[4] + stringWidth(text.strip(), BOLD, size * cm[0]))

    page.extract_text(visitor_text=measure)
    assert ends and max(ends) < float(page.mediabox.width)
    text = flat(" ".join(pdf_pages(content)))
    assert "Jankauskienė" in text and "Totalt / total: 1 person" in text
