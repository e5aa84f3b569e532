"""Issue 19: e-mails to the people on a site, read back from a real SMTP server (aiosmtpd).

Time is passed to notify.run, so a condition "lasts" by moving `now`, never by waiting.
"""
import email
import email.policy
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller

from app.config import read_settings
from app.extensions import db
from app.models import FollowUp, Kiosk, Membership, ScanEvent
from app.notifications import service
from tests.support.processes import free_port
from tests.support.workflow_data import make_site, make_user

MONDAY_0630_OSLO = datetime(2027, 3, 1, 5, 30, tzinfo=timezone.utc)  # 06:30 in Oslo


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self):
        self.messages, self._lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def take(self) -> list[tuple[str, str, str]]:
        with self._lock:
            taken, self.messages = self.messages, []
        return [(to[0], m["Subject"], m.get_content()) for to, m in taken]


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail(app, smtp, monkeypatch):
    controller, inbox = smtp
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port), "SMTP_TLS": "off",
                "SMTP_FROM": "portvakt@test.portvakt.no", "PORTVAKT_BASE_URL": "https://portvakt.example.no"}
    for name, value in read_settings(settings).model_dump(include=set(settings)).items():
        monkeypatch.setitem(app.config, name, value)  # the settings as a start would have read them
    monkeypatch.setattr(service, "card_service_reachable", lambda: True)
    inbox.take()
    return inbox


@pytest.fixture
def staff(app):
    site = make_site()
    rep = make_user("builder_rep", site, email="anne@byggherre.no", name="Anne Byggherre")
    coordinator = make_user("coordinator", site, email="kari@koordinator.no", name="Kari Koordinator")
    make_user("employer_viewer", site, email="ola@underentreprenor.no", company=None)
    kiosk = Kiosk(site=site, name="Hovedport", mode="auto", last_seen_at=MONDAY_0630_OSLO)
    db.session.add(kiosk)
    db.session.commit()
    return site, rep, coordinator, kiosk


def test_a_silent_kiosk_is_one_message_and_one_when_it_is_back(mail, staff):
    site, rep, coordinator, kiosk = staff
    start = MONDAY_0630_OSLO
    assert service.run(start + timedelta(minutes=5)).sent == 0
    service.run(start + timedelta(minutes=11))
    got = mail.take()
    assert [(to, subject) for to, subject, _ in got] == [("anne@byggherre.no",
                                                          "Portvakt: kiosken «Hovedport» på Kvartal Løkkeveien svarer ikke")]
    assert "har ikke meldt seg siden 06:30" in got[0][2] and "https://portvakt.example.no/sites/" in got[0][2]
    for minutes in (12, 30, 600):  # lasting all day: nothing more
        service.run(start + timedelta(minutes=minutes))
    assert mail.take() == []
    kiosk.last_seen_at = start + timedelta(minutes=601)
    db.session.commit()
    service.run(start + timedelta(minutes=602))
    service.run(start + timedelta(minutes=603))
    assert [(to, subject) for to, subject, _ in mail.take()] == [
        ("anne@byggherre.no", "Portvakt: kiosken «Hovedport» på Kvartal Løkkeveien er tilbake")]


def test_a_kiosk_silent_at_night_waits_for_working_hours(mail, staff):
    site, rep, coordinator, kiosk = staff
    night = MONDAY_0630_OSLO - timedelta(hours=5)  # 01:30
    kiosk.last_seen_at = night
    db.session.commit()
    service.run(night + timedelta(minutes=30))
    assert mail.take() == []
    service.run(MONDAY_0630_OSLO)
    assert len(mail.take()) == 1


def test_lost_or_stolen_card_goes_to_site_staff_once(mail, staff):
    site, rep, coordinator, kiosk = staff
    at = MONDAY_0630_OSLO
    db.session.add(ScanEvent(id="00000000-0000-4000-8000-000000000191", site_id=site.id, kiosk_id=kiosk.id,
                             card_number="40031676", scanned_at=at, received_at=at, local_date=date(2027, 3, 1),
                             decision="rejected", reason="card_stolen", direction="in", verified=True, warnings=[]))
    db.session.commit()
    kiosk.last_seen_at = at
    service.run(at + timedelta(minutes=1))
    service.run(at + timedelta(minutes=2))
    got = sorted(mail.take())
    assert [(to, subject) for to, subject, _ in got] == [
        ("anne@byggherre.no", "Portvakt: kort meldt stjålet ved porten på Kvartal Løkkeveien"),
        ("kari@koordinator.no", "Portvakt: kort meldt stjålet ved porten på Kvartal Løkkeveien")]
    assert "Kontroller legitimasjonen" in got[0][2] and "40031676" not in got[0][2]


def test_card_service_down_five_minutes_then_back(mail, staff, monkeypatch):
    site, rep, coordinator, kiosk = staff
    monkeypatch.setattr(service, "card_service_reachable", lambda: False)
    start = MONDAY_0630_OSLO
    service.run(start)
    service.run(start + timedelta(minutes=4))
    assert mail.take() == []
    service.run(start + timedelta(minutes=5))
    service.run(start + timedelta(minutes=6))
    assert sorted(s for _, s, _ in mail.take()) == ["Portvakt: HMS-kortregisteret svarer ikke"] * 2
    monkeypatch.setattr(service, "card_service_reachable", lambda: True)
    service.run(start + timedelta(minutes=7))
    service.run(start + timedelta(minutes=8))
    assert sorted(s for _, s, _ in mail.take()) == ["Portvakt: HMS-kortregisteret svarer igjen"] * 2


def test_yesterdays_list_not_checked_by_ten(mail, staff):
    from tests.support.workflow_data import make_attendance, make_person

    site, rep, coordinator, kiosk = staff
    person = make_person(site)
    make_attendance(site, person, day=date(2027, 2, 28), first_in=datetime(2027, 2, 28, 7, tzinfo=timezone.utc))
    db.session.commit()
    kiosk.last_seen_at = None
    db.session.commit()
    service.run(MONDAY_0630_OSLO)  # before 10:00
    assert mail.take() == []
    ten = MONDAY_0630_OSLO + timedelta(hours=3, minutes=30)
    service.run(ten)
    service.run(ten + timedelta(minutes=1))
    got = mail.take()
    assert [(to, subject) for to, subject, _ in got] == [
        ("anne@byggherre.no", "Portvakt: listen for 28.02.2027 på Kvartal Løkkeveien er ikke kontrollert")]
    assert "byggherreforskriften § 15" in got[0][2] and "/lists/2027-02-28" in got[0][2]


def test_each_kind_can_be_turned_off_and_a_digest_collects_the_rest(mail, staff):
    site, rep, coordinator, kiosk = staff
    service.save_preferences(rep.id, {kind: kind != "followup" for kind in service.KINDS})
    service.save_preferences(coordinator.id, {**{kind: True for kind in service.KINDS}, "digest": True})
    db.session.add(Membership(user=coordinator, site=site, role="builder_rep"))
    db.session.add(FollowUp(site_id=site.id, card_number="40031676", kind="not_valid",
                            created_at=MONDAY_0630_OSLO - timedelta(hours=1)))
    kiosk.last_seen_at = None  # a kiosk never seen is not watched: only the follow-up is news
    db.session.commit()
    service.run(MONDAY_0630_OSLO)  # 06:30: before the digest's 07:00
    assert mail.take() == []
    service.run(MONDAY_0630_OSLO + timedelta(minutes=31))
    service.run(MONDAY_0630_OSLO + timedelta(minutes=32))
    got = mail.take()
    assert [(to, subject) for to, subject, _ in got] == [
        ("kari@koordinator.no", "Portvakt: dagens sammendrag (1 varsler)")]
    assert "ny oppfølging på Kvartal Løkkeveien" in got[0][2]


def test_the_settings_page_saves_the_choices(app, staff):
    from tests.support.web import login_as

    site, rep, coordinator, kiosk = staff
    client = app.test_client()
    login_as(client, rep)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    answer = client.post("/account/notifications", data={"kiosk_silent": "y", "digest": "y"})
    assert answer.status_code == 302
    assert service.preferences(rep.id) == {"kiosk_silent": True, "card_service": False, "list_unchecked": False,
                                           "card_rejected": False, "followup": False, "digest": True}
