"""One order everywhere (issue 15, item 3 and its "Done when"): the day's control page, the PDF, the CSV
and the share view list the same people in the same order, the § 15 list's Norwegian order."""
import re
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import utcnow
from app.domain.localtime import local_date
from app.extensions import db
from app.services import access_links, lists, scans
from tests.support.builders import attend, card_of, make_company, make_person, make_site
from tests.support.pdftext import pdf_pages
from tests.support.web import login_as, make_user

LETTERS = "abcdeghijklmnoprstuvyzæøåüäöéłżźśćńąęóčšžėįųū"


def _today(app) -> date:
    return local_date(utcnow(), app.config["PORTVAKT_TZ"])


def _signed_in(app, user):
    client = app.test_client()
    client.set_cookie("portvakt_lang", "en")
    login_as(client, user)
    return client


def _in_order(text: str, cards: list[str]) -> list[str]:
    """The card numbers in the order they appear in `text` (each card is one person's row)."""
    assert all(card in text for card in cards), [card for card in cards if card not in text]
    return sorted(cards, key=text.index)


def _share_url(site, user, day) -> str:
    made = access_links.create_share_link(site.id, user, day, day, utcnow() + timedelta(days=2), utcnow())
    db.session.commit()
    return f"/share/{made.token}/{day.isoformat()}"


def _orders(app, client, site, user, day, cards) -> dict[str, list[str]]:
    page = client.get(f"/sites/{site.id}/lists/{day.isoformat()}").get_data(as_text=True)
    pdf = " ".join(pdf_pages(lists.daily_pdf(site.id, day, utcnow()).content))
    csv = lists.daily_csv(site.id, day, utcnow()).content.decode("utf-8-sig")
    share = app.test_client().get(_share_url(site, user, day)).get_data(as_text=True)
    return {name: _in_order(text, cards) for name, text in
            {"page": page, "pdf": pdf, "csv": csv, "share": share}.items()}


def _world(app, people):
    """A site with one day: (first name, last name, employer index) per person, three employers."""
    site = make_site()
    employers = [make_company("Ås Bygg AS"), make_company("Østfold Stål AS"), make_company("Żuraw Sp. z o.o.")]
    cards = []
    for first, last, which in people:
        person = make_person(first, last, employers[which])
        attend(site, person, _today(app), employers[which])
        cards.append(card_of(person).number)
    db.session.commit()
    return site, cards


def test_the_control_page_numbers_rows_as_the_pdf_does(app):
    site, cards = _world(app, [("Per", "Żak", 0), ("Ola", "Ødegård", 0), ("Kari", "Aas", 0),
                               ("Åse", "Ålien", 0), ("Jonas", "Müller", 0), ("Lina", "Myhre", 0)])
    user = make_user("builder_rep", site)
    orders = _orders(app, _signed_in(app, user), site, user, _today(app), cards)
    # Müller is Myller, after Myhre; Żak is z; Aas is Ås, after Ålien
    assert orders["pdf"] == [cards[i] for i in (5, 4, 0, 1, 3, 2)]
    assert orders["page"] == orders["pdf"] == orders["csv"] == orders["share"]


def test_removed_rows_come_after_the_live_rows_struck_through(app):
    site, cards = _world(app, [("Anna", "Berg", 0), ("Bo", "Aas", 0), ("Cato", "Dahl", 0)])
    user = make_user("builder_rep", site)
    removed = next(row for row in _day_rows(site) if row.person.last_name == "Berg")
    scans.remove_registration(removed.id, user, "Feil person", utcnow())
    db.session.commit()
    page = _signed_in(app, user).get(f"/sites/{site.id}/lists/{_today(app).isoformat()}").get_data(as_text=True)
    assert _in_order(page, cards) == [cards[2], cards[1], cards[0]]
    assert page.index('class="removed"') > page.index(cards[1])


def _day_rows(site):
    from app.models import AttendanceDay

    return AttendanceDay.query.filter_by(site_id=site.id).all()


def test_share_view_says_the_list_changed_since_the_checked_version(app):
    site, _cards = _world(app, [("Anna", "Berg", 0)])
    user = make_user("builder_rep", site)
    lists.check_day(site.id, _today(app), user, utcnow())
    url = _share_url(site, user, _today(app))
    reader = app.test_client()
    reader.set_cookie("portvakt_lang", "en")
    assert "Changed since version" not in reader.get(url).get_data(as_text=True)
    company = make_company("Nye Bygg AS")
    attend(site, make_person("Bjørn", "Dahl", company), _today(app), company)
    db.session.commit()
    page = reader.get(url).get_data(as_text=True)
    assert "Changed since version 1" in page and "Checked version 1 (PDF)" in page


def test_person_pickers_are_in_list_order_without_a_stray_zero(app):
    site, _cards = _world(app, [("Kari", "Aas", 0), ("Ola", "Ødegård", 0), ("Per", "Żak", 0),
                                ("Jonas", "Müller", 0)])
    client = _signed_in(app, make_user("builder_rep", site))
    page = client.get(f"/sites/{site.id}/self-service").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert options == ["–", "Müller, Jonas", "Żak, Per", "Ødegård, Ola", "Aas, Kari"]
    assert not re.search(r">\s*0\s*<", page)


NAME = st.builds(lambda prefix, rest: (prefix + rest).capitalize(),
                 st.sampled_from(["", "", "Aa", "Ø", "Å", "Ü", "Ż", "Ł", "Č"]),
                 st.text(alphabet=LETTERS, min_size=1, max_size=10))
PEOPLE = st.lists(st.tuples(NAME, NAME, st.integers(0, 2)), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=PEOPLE)
def test_page_pdf_csv_and_share_view_list_the_same_people_in_the_same_order(app, people):
    site, cards = _world(app, people)
    user = make_user("builder_rep", site, email=f"rep-{site.id}@test.portvakt.no")
    orders = _orders(app, _signed_in(app, user), site, user, _today(app), cards)
    assert orders["page"] == orders["pdf"] == orders["csv"] == orders["share"]


def test_the_crew_list_is_in_list_order(app):
    from app.services import crews

    site, _cards = _world(app, [("Kari", "Aas", 0), ("Ola", "Ødegård", 0), ("Per", "Żak", 0),
                                ("Jonas", "Müller", 1), ("Lina", "Myhre", 1)])
    names = [e.person.last_name for e in crews.site_crew(site.id)]
    assert names == ["Myhre", "Müller", "Żak", "Ødegård", "Aas"]  # Østfold Stål's people, then Ås Bygg's
