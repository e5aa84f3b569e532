"""The site pages and the dashboard: what each role sees, scoped to the employer, escaped, and saved right."""
import uuid
from datetime import timedelta

import pytest

from app.clock import site_today, utcnow
from app.domain.secrets import hash_token
from app.extensions import db
from app.models import (
    AttendanceDay, AuditLog, Card, Company, DailyList, Engagement, FollowUp, Kiosk, ScanEvent, SiteCompany,
)
from app.services.audit import audit
from tests.support.web import login_as, make_company, make_person, make_site, make_user

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def attend(site, person, company, day, present=True, first_in=None, last_out=None, flags=(), removed=False):
    first_in = first_in or utcnow() - timedelta(hours=2)
    row = AttendanceDay(site_id=site.id, person_id=person.id, local_date=day, employer_id=company.id,
                        first_in=first_in, last_out=None if present else (last_out or utcnow()),
                        is_present=present, flags=list(flags),
                        removed_at=utcnow() if removed else None, removed_reason="feil" if removed else None)
    db.session.add(row)
    db.session.commit()
    return row


def scan(site, decision="accepted", reason="ok", verified=True, warnings=(), person=None, when=None):
    when = when or utcnow()
    event = ScanEvent(id=str(uuid.uuid4()), site_id=site.id, scanned_at=when, local_date=site_today(when),
                      decision=decision, reason=reason, direction="in", verified=verified, warnings=list(warnings),
                      card_number="12345678", person_id=person.id if person else None,
                      message={"nb": "Kortet er sperret", "en": "The card is blocked"})
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def crew(app):
    """A site with two employers, three people present, one gone, one expected, one barred."""
    site = make_site("Kaia Øst")
    elektro = make_company("Elektro Øst AS", "987654309", site)
    betong = make_company("Betong Vest AS", "933445518", site)
    today = site_today(utcnow())
    people = {}
    for key, first, last, company in [("ola", "Ola", "Nordmann", elektro), ("lukasz", "Łukasz", "Wiśniewski", betong),
                                      ("ruta", "Rūta", "Jankauskienė", betong), ("gone", "Åse", "Ødegård", elektro),
                                      ("expected", "Håkon", "Strøm", elektro), ("barred", "Bjørn", "Berg", betong)]:
        people[key] = make_person(first, last)
        db.session.add(Engagement(person_id=people[key].id, site_id=site.id, employer_id=company.id,
                                  barred=key == "barred"))
    db.session.commit()
    for key, company in [("ola", elektro), ("lukasz", betong), ("ruta", betong)]:
        attend(site, people[key], company, today)
    attend(site, people["gone"], elektro, today, present=False)
    return {"site": site, "elektro": elektro, "betong": betong, "people": people, "today": today}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_site_page_groups_the_people_on_site_by_employer(client, crew):
    login_as(client, make_user("coordinator", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}")
    assert body.index("Betong Vest AS") < body.index("Łukasz Wiśniewski") < body.index("Elektro Øst AS") \
        < body.index("Ola Nordmann")
    assert "Åse Ødegård" not in body  # left already
    assert "3 personer på byggeplassen." in body
    assert 'data-refresh-url="/sites/%d/present"' % crew["site"].id in body


def test_names_on_the_site_and_people_pages_are_in_norwegian_order(client, crew):
    # Code point order (and many databases' collations) would put Å before Æ and Ø.
    for last in ["Åsen", "Zahl", "Østby", "Aas", "Ærø"]:
        person = make_person("Per", last)
        db.session.add(Engagement(person_id=person.id, site_id=crew["site"].id, employer_id=crew["elektro"].id))
        attend(crew["site"], person, crew["elektro"], crew["today"])
    db.session.commit()
    login_as(client, make_user("coordinator", crew["site"]))
    expected = ["Per Zahl", "Per Ærø", "Per Østby", "Per Aas", "Per Åsen"]  # "Aa" is å (issue 15, item 3)
    for url in (f"/sites/{crew['site'].id}", f"/sites/{crew['site'].id}/people"):
        body = page(client, url)
        positions = [body.index(name) for name in expected]
        assert positions == sorted(positions), url


def test_the_refresh_fragment_is_the_presence_block_alone(client, crew):
    login_as(client, make_user("coordinator", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}/present")
    assert "Rūta Jankauskienė" in body and "<html" not in body


def test_the_presence_block_shows_card_number_and_who_hired_the_worker_in(client, crew):
    agency = make_company("Bemanning Nord AS", "921397445", crew["site"])
    person = make_person("Innleid", "Arbeider")
    card = Card(number="51234567", person_id=person.id, employer_id=agency.id)
    db.session.add(card)
    db.session.flush()
    row = attend(crew["site"], person, agency, crew["today"])
    row.hired_by_id, row.card_id = crew["elektro"].id, card.id
    db.session.commit()
    login_as(client, make_user("coordinator", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}/present")
    assert "Bemanning Nord AS" in body and "Innleid Arbeider" in body and "51234567" in body
    assert "innleid av Elektro Øst AS" in body


def test_a_removed_registration_is_not_on_site(client, crew):
    person = make_person("Feil", "Registrert")
    attend(crew["site"], person, crew["elektro"], crew["today"], removed=True)
    login_as(client, make_user("coordinator", crew["site"]))
    assert "Feil Registrert" not in page(client, f"/sites/{crew['site'].id}")


def test_an_employer_sees_only_its_own_people(client, crew):
    login_as(client, make_user("employer_viewer", crew["site"], crew["elektro"]))
    site_id = crew["site"].id
    for url in (f"/sites/{site_id}", f"/sites/{site_id}/present", f"/sites/{site_id}/people"):
        body = page(client, url)
        assert "Ola Nordmann" in body, url
        assert "Wiśniewski" not in body and "Jankauskienė" not in body, url
    assert client.get(f"/sites/{site_id}/people/{crew['people']['lukasz'].id}").status_code == 404
    assert client.get(f"/sites/{site_id}/people/{crew['people']['ola'].id}").status_code == 200
    assert client.get(f"/sites/{site_id}/muster").status_code == 403


def test_muster_lists_present_left_and_expected(client, crew):
    login_as(client, make_user("safety_rep", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}/muster")
    present = body.index("På byggeplassen nå (3)")
    expected = body.index("Ikke kommet, men ventet (1)")
    left = body.index("Gått for dagen (1)")
    assert present < body.index("Łukasz Wiśniewski") < expected < body.index("Håkon Strøm") < left \
        < body.index("Åse Ødegård")
    assert "Bjørn Berg" not in body  # barred: not expected on site
    assert "@media print" not in body and "portvakt.css" in body  # print rules live in the stylesheet


def test_an_engagement_that_has_ended_is_not_expected(client, crew):
    person = make_person("Gammel", "Jobb")
    db.session.add(Engagement(person_id=person.id, site_id=crew["site"].id, employer_id=crew["elektro"].id,
                              active_to=crew["today"] - timedelta(days=1)))
    db.session.commit()
    login_as(client, make_user("coordinator", crew["site"]))
    assert "Gammel Jobb" not in page(client, f"/sites/{crew['site'].id}/muster")


def test_dashboard_shows_todays_numbers_and_the_unchecked_flag(client, crew):
    site = crew["site"]
    yesterday = crew["today"] - timedelta(days=1)
    attend(site, crew["people"]["ola"], crew["elektro"], yesterday, present=False,
           first_in=utcnow() - timedelta(days=1, hours=3), last_out=utcnow() - timedelta(days=1))
    scan(site, "rejected", "card_blocked")
    scan(site, verified=False)
    scan(site, warnings=["possible_copied_card"])
    db.session.add_all([
        FollowUp(site_id=site.id, card_number="1", kind="stolen"),
        Kiosk(site_id=site.id, name="Sovende port", last_seen_at=utcnow() - timedelta(hours=1)),
        Kiosk(site_id=site.id, name="Våken port", last_seen_at=utcnow()),
    ])
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    body = page(client, "/")
    numbers = dict(_numbers(body))
    assert numbers == {"På byggeplassen nå": "3", "Personer i dag": "4", "Avviste skanninger": "1",
                       "Uverifiserte skanninger": "2", "Åpne oppfølgingssaker": "1", "Frakoblede kiosker": "1 / 2"}
    assert "Gårsdagens liste er ikke kontrollert." in body
    assert body.count("<svg") == 2
    assert f'href="/sites/{site.id}/muster"' in body  # one click to the evacuation list


def test_a_checked_yesterday_is_not_flagged(client, crew):
    site = crew["site"]
    yesterday = crew["today"] - timedelta(days=1)
    attend(site, crew["people"]["ola"], crew["elektro"], yesterday, present=False,
           first_in=utcnow() - timedelta(days=1, hours=3), last_out=utcnow() - timedelta(days=1))
    db.session.add(DailyList(site_id=site.id, local_date=yesterday, version=1, data_sha256="0" * 64,
                             pdf=b"%PDF", pdf_sha256="1" * 64))
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    assert "ikke kontrollert" not in page(client, "/")


def test_an_employers_dashboard_counts_only_its_people(client, crew):
    scan(crew["site"], "rejected", "card_blocked")
    login_as(client, make_user("employer_viewer", crew["site"], crew["elektro"]))
    body = page(client, "/")
    assert dict(_numbers(body)) == {"På byggeplassen nå": "1", "Personer i dag": "2"}
    assert "/muster" not in body


def test_the_dashboard_lists_only_the_users_sites(client, crew):
    make_site("Hemmelig tomt")
    login_as(client, make_user("coordinator", crew["site"]))
    body = page(client, "/")
    assert "Kaia Øst" in body and "Hemmelig tomt" not in body


def _numbers(body: str):
    import re

    for label, value in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", body):
        yield label, re.sub(r"<[^>]+>", "", value).strip()


def test_rejected_and_unverified_pages_say_why(client, crew):
    site = crew["site"]
    scan(site, "rejected", "card_stolen", person=crew["people"]["ola"])
    scan(site, verified=False, warnings=["late"], person=crew["people"]["ruta"])
    attend(site, make_person("Ute", "Glemt"), crew["elektro"], crew["today"], flags=["no_exit_recorded"])
    login_as(client, make_user("safety_rep", site))
    rejected = page(client, f"/sites/{site.id}/rejected")
    assert "kortet er meldt stjålet" in rejected and "Kortet er sperret" in rejected
    unverified = page(client, f"/sites/{site.id}/unverified")
    assert "Rūta Jankauskienė" in unverified and "mottatt forsinket fra kiosken" in unverified
    assert "Ute Glemt" in unverified and "utgang ikke registrert" in unverified
    assert page(client, f"/sites/{site.id}/rejected?day=not-a-date")  # a bad day falls back to today
    assert "Ingen avviste" in page(client, f"/sites/{site.id}/rejected?day=2020-01-01")


# --- the contract chain --------------------------------------------------------------------------

def add_company(client, site, **fields):
    data = {"name": "Nytt Firma AS", "org_number": "", "foreign_id": "", "country": "NO",
            "role": "subcontractor", "parent_id": ""} | fields
    return client.post(f"/sites/{site.id}/companies", data=data)


def test_a_company_with_a_valid_org_number_joins_the_chain_under_its_parent(client, crew):
    site = crew["site"]
    login_as(client, make_user("builder_rep", site))
    parent = db.session.scalar(db.select(SiteCompany).where(SiteCompany.company_id == crew["betong"].id))
    response = add_company(client, site, name="Bemanning AS", org_number="923 609 016", role="staffing_agency",
                           parent_id=str(parent.id))
    assert response.status_code == 302
    company = db.session.scalar(db.select(Company).where(Company.org_number == "923609016"))
    link = db.session.scalar(db.select(SiteCompany).where(SiteCompany.company_id == company.id))
    assert link.role == "staffing_agency" and link.parent_id == parent.id
    body = page(client, f"/sites/{site.id}/companies")
    assert "↳ Bemanning AS" in body and "Bemanningsforetak" in body
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "company.add_to_site")) is not None


@pytest.mark.parametrize("number", ["923609017", "12345678", "823609016x", "abc", "0" * 9])
def test_a_bad_org_number_is_refused_next_to_the_field(client, crew, number):
    login_as(client, make_user("builder_rep", crew["site"]))
    body = add_company(client, crew["site"], org_number=number).get_data(as_text=True)
    assert "Ikke et gyldig norsk organisasjonsnummer" in body
    assert db.session.scalar(db.select(Company).where(Company.name == "Nytt Firma AS")) is None


def test_a_foreign_company_needs_its_id_and_country(client, crew):
    login_as(client, make_user("builder_rep", crew["site"]))
    missing = add_company(client, crew["site"], country="PL")
    assert "Oppgi organisasjonsnummer, eller utenlandsk ID og land." in missing.get_data(as_text=True)
    bad_country = add_company(client, crew["site"], foreign_id="5213456789", country="Polen")
    assert "To bokstaver" in bad_country.get_data(as_text=True)
    assert add_company(client, crew["site"], foreign_id="5213456789", country="pl").status_code == 302
    company = db.session.scalar(db.select(Company).where(Company.foreign_id == "5213456789"))
    assert company.country == "PL" and company.org_number is None


def test_a_company_already_on_the_site_is_refused(client, crew):
    login_as(client, make_user("builder_rep", crew["site"]))
    body = add_company(client, crew["site"], org_number="987654309").get_data(as_text=True)
    assert "Firmaet er allerede på byggeplassen." in body


def test_a_parent_from_another_site_is_refused(client, crew):
    other = make_site("Annen tomt")
    foreign_parent = SiteCompany(site_id=other.id, company_id=crew["elektro"].id, role="main_contractor")
    db.session.add(foreign_parent)
    db.session.commit()
    login_as(client, make_user("builder_rep", crew["site"]))
    response = add_company(client, crew["site"], org_number="923609016", parent_id=str(foreign_parent.id))
    assert response.status_code == 200
    assert db.session.scalar(db.select(Company).where(Company.org_number == "923609016")) is None


def test_a_coordinator_reads_the_chain_without_the_form(client, crew):
    login_as(client, make_user("coordinator", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}/companies")
    assert "Elektro Øst AS" in body and 'name="org_number"' not in body
    assert add_company(client, crew["site"], org_number="923609016").status_code == 403


# --- kiosks --------------------------------------------------------------------------------------

def test_a_new_kiosks_token_is_shown_once_and_stored_as_a_hash(client, crew):
    site = crew["site"]
    login_as(client, make_user("builder_rep", site))
    response = client.post(f"/sites/{site.id}/kiosks", data={"name": "Port sør", "mode": "in"})
    body = response.get_data(as_text=True)
    token = body.split('<p class="secret">')[1].split("</p>")[0].strip()
    kiosk = db.session.scalar(db.select(Kiosk).where(Kiosk.name == "Port sør"))
    assert kiosk.token_hash == hash_token(token) and kiosk.mode == "in"
    assert token not in (response.headers.get("Set-Cookie") or "")
    assert token not in page(client, f"/sites/{site.id}/kiosks")


def test_a_kiosk_made_for_enrollment_gets_a_one_time_code_instead_of_a_token(client, crew):
    from app.services.kiosks import enroll_kiosk

    site = crew["site"]
    login_as(client, make_user("builder_rep", site))
    body = client.post(f"/sites/{site.id}/kiosks", data={"name": "Port vest", "mode": "auto", "enroll": "y"}) \
        .get_data(as_text=True)
    code = body.split('<p class="secret">')[1].split("</p>")[0].strip()
    kiosk = db.session.scalar(db.select(Kiosk).where(Kiosk.name == "Port vest"))
    assert kiosk.token_hash is None
    again = client.post(f"/sites/{site.id}/kiosks/{kiosk.id}/code").get_data(as_text=True)
    second = again.split('<p class="secret">')[1].split("</p>")[0].strip()
    assert second != code
    enrolled, token = enroll_kiosk(second.lower(), utcnow())  # what the gate does with the typed code
    assert enrolled.id == kiosk.id and enrolled.token_hash == hash_token(token)


def test_revoking_a_kiosk_stops_its_token(client, crew):
    site = crew["site"]
    kiosk = Kiosk(site_id=site.id, name="Port", token_hash=hash_token("t"))
    db.session.add(kiosk)
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    assert client.post(f"/sites/{site.id}/kiosks/{kiosk.id}/revoke").status_code == 302
    db.session.refresh(kiosk)
    assert kiosk.revoked_at is not None and kiosk.token_hash is None
    assert "trukket tilbake" in page(client, f"/sites/{site.id}/kiosks")


def test_a_kiosk_of_another_site_cannot_be_revoked_through_this_one(client, crew):
    other = make_site("Annen tomt")
    kiosk = Kiosk(site_id=other.id, name="Port", token_hash=hash_token("t"))
    db.session.add(kiosk)
    db.session.commit()
    login_as(client, make_user("builder_rep", crew["site"]))
    assert client.post(f"/sites/{crew['site'].id}/kiosks/{kiosk.id}/revoke").status_code == 404
    db.session.refresh(kiosk)
    assert kiosk.revoked_at is None


# --- people, audit, escaping ---------------------------------------------------------------------

def test_a_persons_page_shows_cards_and_days(client, crew):
    from app.models import Card

    ola = crew["people"]["ola"]
    db.session.add(Card(number="87654321", person_id=ola.id, employer_id=crew["elektro"].id, last_status="valid"))
    db.session.commit()
    login_as(client, make_user("builder_rep", crew["site"]))
    body = page(client, f"/sites/{crew['site'].id}/people/{ola.id}")
    assert "87654321" in body and "Elektro Øst AS" in body and crew["today"].strftime("%d.%m.%Y") in body
    search = page(client, f"/sites/{crew['site'].id}/people?q=wiś")
    assert "Łukasz Wiśniewski" in search and "Ola Nordmann" not in search


def test_the_site_audit_log_filters_and_stays_on_its_site(client, crew):
    site, other = crew["site"], make_site("Annen tomt")
    rep = make_user("builder_rep", site)
    audit("kiosk.create", rep, site_id=site.id, target_type="kiosk", target_id=1)
    audit("list.check", rep, site_id=site.id, at=utcnow() - timedelta(days=10))
    audit("kiosk.revoke", "cli", site_id=other.id)
    db.session.commit()
    login_as(client, rep)
    url = f"/sites/{site.id}/audit"
    everything = page(client, url)
    assert "kiosk.create" in everything and "list.check" in everything and "kiosk.revoke" not in everything
    only_kiosk = page(client, url + "?action=kiosk.create")
    assert "list.check" not in only_kiosk.split("<tbody>")[1]
    recent = page(client, url + f"?date_from={(crew['today'] - timedelta(days=2)).isoformat()}")
    assert "list.check" not in recent.split("<tbody>")[1] and "kiosk.create" in recent
    assert page(client, url + "?date_from=31.02&user=x&page=-1")  # nonsense filters are ignored


def test_what_people_type_is_shown_as_text(client, crew):
    site = crew["site"]
    login_as(client, make_user("builder_rep", site))
    add_company(client, site, name=XSS, org_number="923609016")
    person = make_person(XSS, "Ødegård")
    company = db.session.scalar(db.select(Company).where(Company.org_number == "923609016"))
    db.session.add(Engagement(person_id=person.id, site_id=site.id, employer_id=company.id))
    db.session.commit()
    attend(site, person, company, crew["today"])
    client.post(f"/sites/{site.id}/kiosks", data={"name": XSS, "mode": "auto"})
    for url in ("", "/present", "/muster", "/companies", "/kiosks", "/people", f"/people/{person.id}", "/audit"):
        body = page(client, f"/sites/{site.id}{url}")
        assert "<script>alert" not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page(client, f"/sites/{site.id}")


def test_the_enrollment_code_is_also_a_qr_code_the_kiosk_camera_reads(client, crew):
    import io

    import cv2
    import numpy as np

    from app.services.kiosks import enrollment_qr
    from scanner.decode import Decoder

    site = crew["site"]
    login_as(client, make_user("builder_rep", site))
    body = client.post(f"/sites/{site.id}/kiosks", data={"name": "Port øst", "mode": "in", "enroll": "y"}) \
        .get_data(as_text=True)
    code = body.split('<p class="secret">')[1].split("</p>")[0].strip()
    assert '<div class="qr"><svg' in body
    png = io.BytesIO()
    enrollment_qr(code).save(png, kind="png", scale=6)  # the same QR the page draws, as pixels
    image = cv2.imdecode(np.frombuffer(png.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert list(Decoder().decode(image).payloads) == [f"portvakt-enroll:{code}"]
