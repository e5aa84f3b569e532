"""Every route × every kind of visitor gets exactly the answer it should.

The table MATRIX names each endpoint's requests and who may make them; a route that is in
app.url_map without an entry here fails `test_every_route_is_in_the_matrix`. Adding a route is a
one-line addition: pick the helper that says who may use it.

  signed_in(method, path, ALLOWED, ok=200)  a page behind sign-in: ALLOWED roles get `ok`, other
                                            signed-in visitors 403, anonymous and a kiosk token the
                                            login redirect
  public(method, path, ok=200)              anyone gets `ok` (the login page)
  by_token(method, path, ok=200, bad=404)   a share/self-service link: {share_token} gets `ok` for
                                            everyone; the same request with {expired_share_token}
                                            gets `bad`

Paths use placeholders filled from the World below ({site}, {other_site}, {kiosk}, {person}, ...);
add a field to World when a route needs a new kind of object.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from app.clock import utcnow
from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import (AccessLink, AttendanceDay, Card, CardOrder, DailyList, Engagement, FollowUp,
                        InductionImage, Kiosk, Membership, SiteCompany, SiteInduction, Visitor)
from tests.support.web import login_as, make_company, make_person, make_site, make_user

ANONYMOUS, KIOSK = "anonymous", "kiosk_token"
ADMIN, BUILDER_REP, COORDINATOR = "admin", "builder_rep", "coordinator"
SAFETY_REP, EMPLOYER_VIEWER, OTHER_SITE = "safety_rep", "employer_viewer", "other_site_builder_rep"
EMPLOYER_REP = "employer_rep"
VISITORS = (ANONYMOUS, KIOSK, ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP, EMPLOYER_VIEWER, EMPLOYER_REP, OTHER_SITE)
SIGNED_IN = frozenset({ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP, EMPLOYER_VIEWER, EMPLOYER_REP, OTHER_SITE})

# Who may do what on {site}: written out here, independently of app/auth/access.py's POLICY.
SITE_ALL = frozenset({ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP, EMPLOYER_VIEWER, EMPLOYER_REP})
SITE_STAFF = frozenset({ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP})
KEEPERS = frozenset({ADMIN, BUILDER_REP})
CREW_KEEPERS = KEEPERS | {EMPLOYER_REP}  # employer_rep: its own company's crew only
ONLY_ADMIN = frozenset({ADMIN})
LOGIN = "login"  # the expected answer "302 to the login page"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    answers: dict  # visitor -> status code, or LOGIN
    data: dict = field(default_factory=dict)


def signed_in(method, path, allowed, ok=200, data=None) -> Case:
    answers = {ANONYMOUS: LOGIN, KIOSK: LOGIN}
    answers |= {visitor: ok if visitor in allowed else 403 for visitor in SIGNED_IN}
    return Case(method, path, answers, data or {})


def public(method, path, ok=200, data=None) -> Case:
    return Case(method, path, {visitor: ok for visitor in VISITORS}, data or {})


def signed_out(method, path, data=None) -> Case:
    """The login page: a signed-in visitor is sent on to the dashboard."""
    answers = {ANONYMOUS: 200, KIOSK: 200} | {visitor: 302 for visitor in SIGNED_IN}
    return Case(method, path, answers, data or {})


def by_token(method, path, ok=200, bad=404, data=None) -> list[Case]:
    expired = path.replace("{share_token}", "{expired_share_token}")
    return [Case(method, path, {v: ok for v in VISITORS}, data or {}),
            Case(method, expired, {v: bad for v in VISITORS}, data or {})]


S = "/sites/{site}"
MATRIX: dict[str, list[Case]] = {
    # accounts
    "auth.login": [signed_out("GET", "/login"),
                   signed_out("POST", "/login", data={"email": "x@y.no", "password": "x"})],
    "auth.logout": [public("POST", "/logout", ok=302)],
    "auth.password": [signed_in("GET", "/password", SIGNED_IN), signed_in("POST", "/password", SIGNED_IN)],
    "auth.language": [public("GET", "/language/en", ok=302)],
    "notifications.settings": [signed_in("GET", "/account/notifications", SIGNED_IN),
                               signed_in("POST", "/account/notifications", SIGNED_IN, ok=302)],
    "dashboard.index": [signed_in("GET", "/", SIGNED_IN)],
    # one site
    "sites.show": [signed_in("GET", S, SITE_ALL)],
    "sites.present": [signed_in("GET", S + "/present", SITE_ALL)],
    "sites.muster": [signed_in("GET", S + "/muster", SITE_STAFF)],
    "sites.rejected": [signed_in("GET", S + "/rejected", SITE_STAFF)],
    "sites.unverified": [signed_in("GET", S + "/unverified", SITE_STAFF)],
    "sites.companies_page": [signed_in("GET", S + "/companies", SITE_STAFF),
                             signed_in("POST", S + "/companies", KEEPERS)],  # empty form: errors shown
    "sites.edit_company": [signed_in("POST", S + "/companies/{site_company}", KEEPERS)],  # empty form: errors shown
    "sites.add_to_chain": [signed_in("POST", S + "/companies/add-from-day", KEEPERS, ok=302)],  # back with a message
    "sites.kiosks_page": [signed_in("GET", S + "/kiosks", KEEPERS), signed_in("POST", S + "/kiosks", KEEPERS)],
    "sites.kiosk_code": [signed_in("POST", S + "/kiosks/{kiosk}/code", KEEPERS)],  # shows the code
    "sites.revoke_kiosk": [signed_in("POST", S + "/kiosks/{kiosk}/revoke", KEEPERS, ok=302)],
    "sites.people_page": [signed_in("GET", S + "/people", SITE_ALL)],
    "sites.person": [signed_in("GET", S + "/people/{person}", SITE_ALL)],
    "sites.audit": [signed_in("GET", S + "/audit", KEEPERS)],
    # crews: an empty POST re-shows the form with its errors (200); a confirm without a valid token goes back (302)
    "crews.index": [signed_in("GET", S + "/crew", CREW_KEEPERS)],
    "crews.add": [signed_in("GET", S + "/crew/add", CREW_KEEPERS), signed_in("POST", S + "/crew/add", CREW_KEEPERS)],
    "crews.import_file": [signed_in("GET", S + "/crew/import", CREW_KEEPERS),
                          signed_in("POST", S + "/crew/import", CREW_KEEPERS)],
    "crews.confirm_import": [signed_in("POST", S + "/crew/import/confirm", CREW_KEEPERS, ok=302)],
    # workers whose HMS card is on order (an empty POST re-shows the form with its errors: 200)
    "card_orders.index": [signed_in("GET", S + "/card-orders", KEEPERS),
                          signed_in("POST", S + "/card-orders", KEEPERS)],
    "card_orders.register": [signed_in("GET", S + "/card-orders/{card_order}/register", KEEPERS),
                             signed_in("POST", S + "/card-orders/{card_order}/register", KEEPERS)],
    "card_orders.receipt": [signed_in("GET", S + "/card-orders/{card_order}/receipt", KEEPERS)],
    # issue 18: deliveries to HMSREG and ELRAPP; resending with none failed goes back to the page
    "transfers.page": [signed_in("GET", S + "/transfers", KEEPERS)],
    "transfers.resend": [signed_in("POST", S + "/transfers/resend", KEEPERS, ok=302)],
    "transfers.contractors_report": [signed_in(
        "GET", S + "/contractors-report?date_from={today}&date_to={today}&fmt=csv", KEEPERS)],
    # a site's settings and its end; any builder_rep may open the new-site form (for its own byggherre)
    "sites.new_site": [signed_in("GET", "/sites/new", {ADMIN, BUILDER_REP, OTHER_SITE}),
                       signed_in("POST", "/sites/new", {ADMIN, BUILDER_REP, OTHER_SITE})],
    "sites.settings": [signed_in("GET", S + "/settings", KEEPERS), signed_in("POST", S + "/settings", KEEPERS)],
    "sites.close": [signed_in("POST", S + "/close", KEEPERS)],  # empty form: the page with its error
    "sites.reopen": [signed_in("POST", S + "/reopen", KEEPERS, ok=302)],
    # administration (admins of every site)
    "admin.users": [signed_in("GET", "/admin/users", ONLY_ADMIN)],
    "admin.new_user": [signed_in("GET", "/admin/users/new", ONLY_ADMIN),
                       signed_in("POST", "/admin/users/new", ONLY_ADMIN)],
    "admin.edit_user": [signed_in("GET", "/admin/users/{user}", ONLY_ADMIN),
                        signed_in("POST", "/admin/users/{user}", ONLY_ADMIN, ok=302,
                                  data={"name": "Ny Navn", "active": "y"})],
    "admin.add_membership": [signed_in("POST", "/admin/users/{user}/memberships", ONLY_ADMIN)],
    "admin.remove_membership": [signed_in("POST", "/admin/users/{user}/memberships/{membership}/delete",
                                          ONLY_ADMIN, ok=302)],
    "admin.unlock_user": [signed_in("POST", "/admin/users/{user}/unlock", ONLY_ADMIN, ok=302)],
    "admin.sign_out_everywhere": [signed_in("POST", "/admin/users/{user}/sign-out", ONLY_ADMIN, ok=302)],
    "admin.audit": [signed_in("GET", "/admin/audit", ONLY_ADMIN)],
    # daily control, manual registration, corrections (a POST with an empty form re-shows it: 200)
    "lists_ui.index": [signed_in("GET", S + "/lists", SITE_ALL)],
    "lists_ui.day": [signed_in("GET", S + "/lists/{today}", SITE_ALL)],
    "lists_ui.check": [signed_in("POST", S + "/lists/{today}/check", KEEPERS, ok=302)],
    "lists_ui.archived_pdf": [signed_in("GET", S + "/lists/{today}/v1.pdf", SITE_STAFF)],
    "lists_ui.download": [signed_in("GET", S + "/lists/{today}/download/csv", SITE_ALL)],
    "lists_ui.period": [signed_in("GET", S + "/lists/period?date_from={today}&date_to={today}&fmt=xlsx", SITE_ALL)],
    "lists_ui.manual": [signed_in("GET", S + "/lists/manual", KEEPERS), signed_in("POST", S + "/lists/manual", KEEPERS)],
    "lists_ui.remove": [signed_in("GET", S + "/lists/rows/{attendance_day}/remove", KEEPERS),
                        signed_in("POST", S + "/lists/rows/{attendance_day}/remove", KEEPERS)],
    # § 8 follow-ups
    "followups.index": [signed_in("GET", S + "/followups", KEEPERS)],
    "followups.show": [signed_in("GET", S + "/followups/{followup}", KEEPERS),
                       signed_in("POST", S + "/followups/{followup}", KEEPERS)],
    # access on request: share links (an expired link answers 410 Gone)
    "share.index": [signed_in("GET", S + "/share-links", KEEPERS), signed_in("POST", S + "/share-links", KEEPERS)],
    "share.revoke": [signed_in("POST", S + "/share-links/{share_link}/revoke", KEEPERS, ok=302)],
    "share.view": by_token("GET", "/share/{share_token}", bad=410),
    "share.day": by_token("GET", "/share/{share_token}/{today}", bad=410),
    "share.archived_pdf": by_token("GET", "/share/{share_token}/{today}/v1.pdf", bad=410),
    "share.download": by_token("GET", "/share/{share_token}/{today}/download/pdf", bad=410),
    "share.period": by_token("GET", "/share/{share_token}/period/csv", bad=410),
    # worker self-service: the link opens once (the first visitor), then it is gone for everyone
    "selfservice.new_link": [signed_in("GET", S + "/self-service?person_id={person}", KEEPERS),
                          signed_in("POST", S + "/self-service", KEEPERS)],
    "selfservice.revoke": [signed_in("POST", S + "/self-service/{self_service_link}/revoke", KEEPERS, ok=302)],
    "selfservice.redeem": [Case("GET", "/me/{self_service_token}", {v: 302 if v == ANONYMOUS else 410 for v in VISITORS}),
                           public("GET", "/me/{expired_share_token}", ok=404)],
    "selfservice.mine": [public("GET", "/me", ok=403)],  # only a browser that just used its link
    "selfservice.download": [public("GET", "/me/data.json", ok=403)],
    "privacy.notice": [public("GET", S + "/personvern")],  # the kiosk's notice links here: no personal data
    # issue 21: visitors at the site office; the site's induction, and the worker's own induction link
    "visitors.page": [signed_in("GET", S + "/visitors", KEEPERS), signed_in("POST", S + "/visitors", KEEPERS)],
    "visitors.sign_out": [signed_in("POST", S + "/visitors/{visitor_row}/out", KEEPERS, ok=302)],
    "visitors.muster_pdf": [signed_in("GET", S + "/muster.pdf", SITE_STAFF)],
    "induction.settings": [signed_in("GET", S + "/induction", KEEPERS), signed_in("POST", S + "/induction", KEEPERS)],
    "induction.briefing": [signed_in("POST", S + "/induction/briefing", KEEPERS, ok=302)],
    "induction.make_link": [signed_in("POST", S + "/induction/link", KEEPERS, ok=400)],  # no person chosen
    "induction.completions": [signed_in("GET", S + "/induction.csv", SITE_STAFF)],
    "induction.upload_image": [signed_in("POST", S + "/induction/images", KEEPERS)],  # no file: errors shown
    "induction.image": [signed_in("GET", S + "/induction/images/{induction_image}", KEEPERS)],
    "induction.delete_image": [signed_in("POST", S + "/induction/images/{induction_image}/delete", KEEPERS, ok=302)],
    # one person, one site, signed and time-limited: anyone holding it may take the induction, nothing more
    "induction.take": [public("GET", "/induction/{induction_token}"),
                       public("GET", "/induction/{expired_share_token}", ok=404),
                       public("POST", "/induction/{induction_token}"),
                       public("POST", "/induction/{expired_share_token}", ok=404)],
    # the induction's pictures (not personal data) for the phone holding the link: that site's only
    "induction.take_image": [public("GET", "/induction/{induction_token}/images/{induction_image}"),
                             public("GET", "/induction/{expired_share_token}/images/{induction_image}", ok=404)],
}
NOT_IN_MATRIX = {"static", "health.healthz", "health.readyz"}  # public by design, no personal data
NOT_IN_MATRIX |= {"metrics.scrape"}  # bearer token or loopback only: tests/ops/test_metrics.py


@dataclass
class World:
    """One site with a person of each kind, a second site, a kiosk, and share links."""

    site: int
    other_site: int
    company: int
    person: int
    card: int
    kiosk: int
    kiosk_token: str
    share_token: str
    expired_share_token: str
    user: int
    membership: int
    attendance_day: int
    followup: int
    share_link: int
    self_service_link: int
    self_service_token: str
    site_company: int = 0  # the company's entry on {site}'s contract chain
    card_order: int = 0  # an order (with a receipt) for a worker whose HMS card is on order, on {site}
    today: str = field(default_factory=lambda: date.today().isoformat())
    visitors: dict = field(default_factory=dict)  # visitor name -> User
    visitor_row: int = 0  # a Visitor (issue 21) on {site}
    induction_token: str = ""  # {person}'s induction link on {site}
    induction_image: int = 0  # a picture in {site}'s induction text


@pytest.fixture
def world(app) -> World:
    site, other = make_site("Kaia Øst"), make_site("Fjordbyen")
    company = make_company(site=site)
    person = make_person()
    card = Card(number="12345678", person_id=person.id, employer_id=company.id)
    db.session.add_all([card, Engagement(person_id=person.id, site_id=site.id, employer_id=company.id)])
    kiosk_token = new_token()
    kiosk = Kiosk(site_id=site.id, name="Port 1", token_hash=hash_token(kiosk_token))
    db.session.add(kiosk)
    share, expired = new_token(), new_token()
    now = utcnow()
    for token, expires in ((share, now + timedelta(days=3)), (expired, now - timedelta(minutes=1))):
        db.session.add(AccessLink(kind="share", token_hash=hash_token(token), site_id=site.id,
                                  date_from=date.today() - timedelta(days=7), date_to=date.today(),
                                  expires_at=expires))
    db.session.commit()
    visitors = {
        ADMIN: make_user(ADMIN),
        BUILDER_REP: make_user(BUILDER_REP, site),
        COORDINATOR: make_user(COORDINATOR, site),
        SAFETY_REP: make_user(SAFETY_REP, site),
        EMPLOYER_VIEWER: make_user(EMPLOYER_VIEWER, site, company),
        EMPLOYER_REP: make_user(EMPLOYER_REP, site, company),
        OTHER_SITE: make_user(BUILDER_REP, other),
    }
    target = make_user(COORDINATOR, other, email="target@test.portvakt.no")
    workflows = _list_workflow_world(site, company, person, card, share)
    return World(card_order=_card_order(site, company, person), **_site_safety_world(site, person),
                 site_company=db.session.scalar(db.select(SiteCompany.id).where(SiteCompany.site_id == site.id)),
                 site=site.id, other_site=other.id, company=company.id, person=person.id, card=card.id,
                 kiosk=kiosk.id, kiosk_token=kiosk_token, share_token=share, expired_share_token=expired,
                 user=target.id, membership=db.session.scalar(db.select(Membership.id).where(
                     Membership.user_id == target.id)), visitors=visitors, **workflows)


def _site_safety_world(site, person) -> dict:
    """A visitor on site and the site's induction, with {person}'s link to it (issue 21)."""
    from app.services import induction

    visitor = Visitor(site_id=site.id, name="Ina Inspektør", host="Anne", phone="+47 900 00 000",
                      arrived_at=utcnow())
    db.session.add_all([visitor, SiteInduction(site_id=site.id, mode="refuse", valid_months=12, version=1,
                                               required_version=1, texts={"nb": "# Velkommen", "en": "# Welcome"},
                                               questions=[], updated_at=utcnow())])
    picture = InductionImage(site_id=site.id, name="Møteplassen", mimetype="image/png", data=b"\x89PNG\r\n\x1a\n")
    db.session.add(picture)
    db.session.commit()
    return {"visitor_row": visitor.id, "induction_token": induction.make_token(site.id, person.id),
            "induction_image": picture.id}


def _card_order(site, company, person) -> int:
    order = CardOrder(site_id=site.id, person_id=person.id, employer_id=company.id, approved_by="Per",
                      receipt=b"%PDF-1.4 receipt", receipt_filename="kvittering.pdf",
                      receipt_mimetype="application/pdf",
                      valid_until=date.today() + timedelta(days=5))
    db.session.add(order)
    db.session.commit()
    return order.id


def _list_workflow_world(site, company, person, card, share_token) -> dict:
    """What the list-workflow routes need: a day on the list, an archived version, a follow-up, links."""
    now, today = utcnow(), date.today()
    day = AttendanceDay(site_id=site.id, person_id=person.id, local_date=today, employer_id=company.id,
                        card_id=card.id, first_in=now, is_present=True)
    followup = FollowUp(site_id=site.id, card_id=card.id, card_number=card.number, person_id=person.id, kind="lost")
    archived = DailyList(site_id=site.id, local_date=today, version=1, data_sha256="0" * 64,
                         pdf=b"%PDF-1.4 matrix", pdf_sha256="1" * 64)
    own = new_token()
    self_service = AccessLink(kind="self_service", token_hash=hash_token(own), site_id=site.id,
                              person_id=person.id, expires_at=now + timedelta(days=7))
    db.session.add_all([day, followup, archived, self_service])
    db.session.commit()
    share_link = db.session.scalar(db.select(AccessLink.id).where(AccessLink.token_hash == hash_token(share_token)))
    return dict(attendance_day=day.id, followup=followup.id, share_link=share_link,
                self_service_link=self_service.id, self_service_token=own)


def answer(app, world: World, visitor: str, case: Case):
    client = app.test_client()
    headers = {}
    if visitor == KIOSK:
        headers["Authorization"] = f"Bearer {world.kiosk_token}"
    elif visitor != ANONYMOUS:
        login_as(client, world.visitors[visitor])
    path = case.path.format(**{k: v for k, v in vars(world).items() if k != "visitors"})
    response = client.open(path, method=case.method, data=case.data, headers=headers)
    if response.status_code == 302 and "/login" in response.headers.get("Location", "") \
            and not path.startswith(("/login", "/logout")):
        return LOGIN
    return response.status_code


def all_cases() -> list:
    return [pytest.param(case, id=f"{endpoint} {case.method} {case.path}")
            for endpoint, cases in MATRIX.items() for case in cases]


@pytest.mark.parametrize("case", all_cases())
def test_route_answers_every_visitor(app, world, case):
    got = {visitor: answer(app, world, visitor, case) for visitor in VISITORS}
    wrong = {v: f"expected {case.answers[v]}, got {got[v]}" for v in VISITORS if got[v] != case.answers[v]}
    assert not wrong, wrong


def test_every_route_is_in_the_matrix(app):
    missing, uncovered = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_IN_MATRIX or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint not in MATRIX:
            missing.append(f"{rule.endpoint} {rule.rule}")
            continue
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        covered = {case.method for case in MATRIX[rule.endpoint]}
        uncovered += [f"{rule.endpoint} {m}" for m in methods - covered]
    assert not missing, f"routes without an entry in MATRIX: {missing}"
    assert not uncovered, f"methods without an entry in MATRIX: {uncovered}"


def test_matrix_names_only_existing_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not set(MATRIX) - endpoints
