"""Share links and self-service links: made once, stored as a hash, stop at expiry, revocation or use."""
from datetime import date, timedelta

import pytest

from app.domain.secrets import hash_token
from app.models import AccessLink, AuditLog
from app.services import access_links
from app.services.access_links import LinkError
from tests.support.workflow_data import NOW, TODAY, make_person, make_site, make_user, site_company


@pytest.fixture
def site(db_session):
    return make_site()


@pytest.fixture
def rep(site):
    return make_user("builder_rep", site)


def share(site, rep, **overrides):
    args = dict(date_from=TODAY - timedelta(days=6), date_to=TODAY, expires_at=NOW + timedelta(days=7),
                now=NOW, recipient="Arbeidstilsynet, inspektør Åse")
    args.update(overrides)
    return access_links.create_share_link(site.id, rep, **args)


def test_share_link_token_is_long_random_and_stored_only_as_hash(site, rep, db_session):
    first, second = share(site, rep), share(site, rep)
    assert len(first.token) >= 43 and first.token != second.token
    stored = db_session.get(AccessLink, first.link.id)
    assert stored.token_hash == hash_token(first.token)
    assert first.token not in {link.token_hash for link in AccessLink.query}


def test_share_link_opens_until_it_expires(site, rep):
    made = share(site, rep)
    assert access_links.open_share_link(made.token, NOW + timedelta(days=6, hours=23)).id == made.link.id
    with pytest.raises(LinkError) as refused:
        access_links.open_share_link(made.token, NOW + timedelta(days=7))
    assert refused.value.code == "expired"


def test_revoked_share_link_stops_at_once(site, rep):
    made = share(site, rep)
    access_links.revoke_link(site.id, made.link.id, rep, NOW + timedelta(minutes=1))
    with pytest.raises(LinkError) as refused:
        access_links.open_share_link(made.token, NOW + timedelta(minutes=2))
    assert refused.value.code == "revoked"


def test_revoking_another_sites_link_is_not_found(site, rep, db_session):
    other = make_site(name="Nye Tromsø brannstasjon", org_prefix=98765430)
    made = share(site, rep)
    with pytest.raises(LinkError) as refused:
        access_links.revoke_link(other.id, made.link.id, rep, NOW)
    assert refused.value.code == "not_found" and db_session.get(AccessLink, made.link.id).revoked_at is None


@pytest.mark.parametrize("overrides, code", [
    ({"date_from": TODAY, "date_to": TODAY - timedelta(days=1)}, "date_range_reversed"),
    ({"date_from": date(1, 1, 1), "date_to": date(1, 1, 2)}, "date_out_of_range"),
    ({"date_from": TODAY, "date_to": date(9999, 12, 31)}, "date_out_of_range"),
    ({"date_from": TODAY - timedelta(days=400)}, "date_range_too_long"),
    ({"expires_at": NOW}, "expiry_in_past"),
    ({"expires_at": NOW + timedelta(days=91)}, "expiry_too_far"),
    ({"company_id": 999999}, "company_not_on_site"),
])
def test_share_link_requests_that_make_no_sense_are_refused(site, rep, overrides, code):
    with pytest.raises(LinkError) as refused:
        share(site, rep, **overrides)
    assert refused.value.code == code and AccessLink.query.count() == 0


def test_employer_share_link_keeps_its_company(site, rep):
    made = share(site, rep, company_id=site_company(site).id)
    assert access_links.open_share_link(made.token, NOW).company_id == site_company(site).id


def test_unknown_or_garbage_tokens_are_not_found(site, rep):
    share(site, rep)
    for token in ("x", "ø" * 300, "\udcff", "../../etc/passwd"):
        with pytest.raises(LinkError) as refused:
            access_links.open_share_link(token, NOW)
        assert refused.value.code == "not_found"


def test_self_service_link_opens_exactly_once(site, rep):
    person = make_person(site)
    made = access_links.create_self_service_link(site.id, person.id, rep, NOW)
    assert access_links.redeem_self_service_link(made.token, NOW).person_id == person.id
    with pytest.raises(LinkError) as refused:
        access_links.redeem_self_service_link(made.token, NOW + timedelta(seconds=1))
    assert refused.value.code == "used"


def test_self_service_link_is_not_a_share_link(site, rep):
    made = access_links.create_self_service_link(site.id, make_person(site).id, rep, NOW)
    with pytest.raises(LinkError):
        access_links.open_share_link(made.token, NOW)


def test_self_service_only_for_people_of_the_site(site, rep):
    other = make_site(name="Nye Tromsø brannstasjon", org_prefix=98765430)
    stranger = make_person(other, first="Rūta", last="Petrauskaitė", number="40015838")
    with pytest.raises(LinkError) as refused:
        access_links.create_self_service_link(site.id, stranger.id, rep, NOW)
    assert refused.value.code == "person_not_on_site"


def test_link_use_is_audited_by_id_never_by_token(site, rep):
    made = share(site, rep)
    access_links.open_share_link(made.token, NOW)
    person = make_person(site)
    own = access_links.create_self_service_link(site.id, person.id, rep, NOW)
    access_links.redeem_self_service_link(own.token, NOW)
    actions = [row.action for row in AuditLog.query.order_by(AuditLog.id)]
    assert actions == ["share_link.create", "share_link.open", "self_service_link.create", "self_service_link.open"]
    text = repr([(row.actor, row.target_id, row.details) for row in AuditLog.query])
    assert made.token not in text and own.token not in text and "Łukasz" not in text


def test_share_link_dates_never_run_past_today(site, rep):
    made = share(site, rep, date_from=TODAY - timedelta(days=2), date_to=TODAY + timedelta(days=5))
    assert access_links.share_link_dates(made.link, TODAY) == [TODAY, TODAY - timedelta(days=1),
                                                               TODAY - timedelta(days=2)]


def test_self_service_people_are_the_engaged_and_the_listed_of_the_site(site, rep, db_session):
    from app.models import Engagement
    from tests.support.workflow_data import make_attendance

    engaged = make_person(site)
    walk_in = make_person(site, first="Aušra", last="Kazlauskas", number="40023757")
    Engagement.query.filter_by(person_id=walk_in.id).delete()
    make_attendance(site, walk_in)
    other = make_site(name="Nye Tromsø brannstasjon", org_prefix=98765430)
    make_person(other, first="Tomas", last="Berg", number="40031676")
    assert [p.id for p in access_links.site_people(site.id)] == [walk_in.id, engaged.id]
    assert access_links.create_self_service_link(site.id, walk_in.id, rep, NOW).link.person_id == walk_in.id
