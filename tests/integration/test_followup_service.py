"""§ 8 follow-ups: listed for the site, a bokmål notice ready to send, closed only with a note."""
from datetime import timedelta

import pytest

from app.models import AuditLog, FollowUp, ScanEvent
from app.services import followups
from app.services.followups import FollowUpError
from tests.support.workflow_data import NOW, TODAY, make_person, make_site, make_user


@pytest.fixture
def site(db_session):
    return make_site()


def add_followup(site, person, kind="lost", created_at=NOW, rejected=True):
    card = person.cards[0]
    event = ScanEvent(id=f"00000000-0000-4000-8000-{len(FollowUp.query.all()):012d}", site_id=site.id,
                      card_id=card.id, card_number=card.number, person_id=person.id,
                      scanned_at=created_at - timedelta(seconds=2), local_date=TODAY,
                      decision="rejected" if rejected else "accepted", reason=f"card_{kind}", direction="in")
    item = FollowUp(site_id=site.id, card_id=card.id, card_number=card.number, person_id=person.id,
                    scan_event_id=event.id, kind=kind, created_at=created_at)
    from app.extensions import db

    db.session.add_all([event, item])
    db.session.commit()
    return item


def test_notice_names_site_builder_card_holder_employer_and_local_time(site):
    item = add_followup(site, make_person(site), kind="not_valid")
    notice = followups.draft_notice(item, site, "Europe/Oslo", "Bjørn Byggleder")
    assert notice.recipients == ("Arbeidstilsynet", "Elektro Øst AS")  # § 8: unmet register duties
    assert "ikke er gyldig" in notice.subject and "Kvartal Løkkeveien" in notice.subject
    body = notice.body
    for expected in ("Fjordbygg Eiendom AS", "Løkkeveien 10, 4008 Stavanger", "40007919", "Łukasz Żółkowski",
                     "Elektro Øst AS (org.nr.", "10.03.2026 kl. 10:29", "KV-2026-014",
                     "fikk ikke adgang", "Bjørn Byggleder"):
        assert expected in body, expected


@pytest.mark.parametrize("kind, words", [
    ("not_valid", "et HMS-kort som ikke er gyldig, ble vist"), ("blocked", "som er sperret, ble vist"),
    ("lost", "som er meldt tapt, ble vist"), ("stolen", "meldt stjålet"),
])
def test_notice_says_what_the_card_service_said(site, kind, words):
    item = add_followup(site, make_person(site), kind=kind, rejected=False)
    notice = followups.draft_notice(item, site, "Europe/Oslo", "B")
    assert words in notice.body and "fikk ikke adgang" not in notice.body


def test_a_stolen_card_is_no_report_to_arbeidstilsynet(site):
    """An older follow-up of another kind (from before § 8 notices were for "not valid" only)."""
    notice = followups.draft_notice(add_followup(site, make_person(site), kind="stolen"), site, "Europe/Oslo", "B")
    assert notice.recipients == ("Elektro Øst AS",)


def test_open_items_come_first_oldest_first(site):
    person = make_person(site)
    late = add_followup(site, person, created_at=NOW)
    early = add_followup(site, person, created_at=NOW - timedelta(hours=3))
    done = add_followup(site, person, created_at=NOW - timedelta(hours=5))
    followups.mark_done(site.id, done.id, make_user("builder_rep", site), "Sendt e-post", NOW)
    assert [f.id for f in followups.site_followups(site.id)] == [early.id, late.id, done.id]
    assert [f.id for f in followups.site_followups(site.id, open_only=True)] == [early.id, late.id]


@pytest.mark.parametrize("note, code", [("", "note_required"), ("   ", "note_required"), ("x" * 2001, "note_too_long")])
def test_marking_done_needs_a_sensible_note(site, note, code, db_session):
    item = add_followup(site, make_person(site))
    with pytest.raises(FollowUpError) as refused:
        followups.mark_done(site.id, item.id, make_user("builder_rep", site), note, NOW)
    assert refused.value.code == code and db_session.get(FollowUp, item.id).done_at is None


def test_mark_done_keeps_who_when_and_note_and_audits_without_names(site, db_session):
    item = add_followup(site, make_person(site))
    rep = make_user("builder_rep", site)
    followups.mark_done(site.id, item.id, rep, "Meldt til Arbeidstilsynet 10.03, sak 2026/123", NOW)
    stored = db_session.get(FollowUp, item.id)
    assert (stored.done_by_id, stored.done_at, stored.note) == (rep.id, NOW, "Meldt til Arbeidstilsynet 10.03, sak 2026/123")
    row = AuditLog.query.filter_by(action="followup.done").one()
    assert row.target_id == str(item.id) and "Łukasz" not in repr(row.details) and "40007919" not in repr(row.details)
    with pytest.raises(FollowUpError) as again:
        followups.mark_done(site.id, item.id, rep, "igjen", NOW)
    assert again.value.code == "already_done"


def test_another_sites_followup_is_not_found(site):
    other = make_site(name="Nye Tromsø brannstasjon", org_prefix=98765430)
    item = add_followup(site, make_person(site))
    with pytest.raises(FollowUpError) as refused:
        followups.get_followup(other.id, item.id)
    assert refused.value.code == "not_found"
