"""One owner of the transaction (app/services/__init__.py): a use case that refuses leaves nothing
behind, not even what it wrote before it knew it would refuse.

Each case reads every table on a connection of its own, triggers the refusal, then commits the
session as the next unit of work would (whatever the refusal left in it would land there), and
reads every table again: they must be the same.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.domain.sites import SiteSettings
from app.extensions import db
from app.models import Company, SiteCompany, User
from app.services import (
    access_links, accounts, card_orders, companies, connectors, crews, followups, induction, kiosks, sites,
    unit_of_work, visitors,
)
from tests.support.kiosk_api import cardsim, org_number, world  # noqa: F401  (fixtures)
from tests.support.web import make_company, make_site, make_user

ELEKTRO, OUTSIDER, NEW_BUILDER = "914778271", "974760673", "986105174"


def every_table() -> dict[str, list[str]]:
    """All rows of all tables as committed, read apart from the session under test."""
    with db.engine.connect() as connection:
        return {table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                for table in db.metadata.sorted_tables}


@dataclass
class Ctx:
    site_id: int
    builder_id: int
    user: User
    on_chain: Company
    outsider: Company
    foreign: Company
    now: datetime

    @property
    def today(self) -> date:
        return self.now.date()


@pytest.fixture
def ctx(db_session):
    site = make_site()
    on_chain = make_company("Elektro AS", ELEKTRO, site=site)
    outsider = make_company("Utenfor AS", OUTSIDER)
    # Met at the gate: the card service names a foreign employer's id, never its country.
    foreign = Company(name="Budimex SA", foreign_id="PL-5260001", country="XX")
    db.session.add(foreign)
    db.session.flush()
    db.session.add(SiteCompany(site_id=site.id, company_id=foreign.id, role="subcontractor"))
    user = make_user("builder_rep", site)
    db.session.commit()
    return Ctx(site.id, site.builder_id, user, on_chain, outsider, foreign, datetime.now(timezone.utc))


def _new_site_of_another_builder(c: Ctx):
    # The new byggherre is made (and flushed) before the representative is found not to represent it.
    settings = SiteSettings(name="Ny plass", street="Kaigata 2", postcode="5003", city="Bergen",
                            builder_name="Ny Byggherre AS", builder_org=NEW_BUILDER)
    sites.create_site(settings, c.user, c.today, allowed_builders={c.builder_id})


def _company_already_on_site(c: Ctx):
    # The known company gets its country filled in before it is found on the chain already.
    new = companies.NewCompany(name="Budimex SA", org_number=None, foreign_id="PL-5260001", country="PL",
                               role="subcontractor", parent_id=None)
    companies.add_to_site(c.site_id, new, c.user)


def _induction_on_without_text(c: Ctx):
    # The site's induction row is made and its version counted before the missing text refuses it.
    induction.set_induction(c.site_id, c.user, c.now, mode="refuse")


def _card_order_off_chain(c: Ctx):
    order = card_orders.NewCardOrder(
        first_name="Ola", last_name="Nordmann", birth_date=date(1990, 1, 1), employer_id=c.outsider.id,
        hired_by_id=None, order_reference="R-1", receipt=None, receipt_filename=None, approved_by="Bjørn",
        valid_until=c.today + timedelta(days=7))
    card_orders.record_order(c.site_id, order, c.user, c.now)


def _visitor_without_name(c: Ctx):
    visitors.add_visitor(c.site_id, visitors.NewVisitor(name=" ", host="Bjørn", phone="99999999"), c.user, c.now)


def _share_link_reversed(c: Ctx):
    access_links.create_share_link(c.site_id, c.user, c.today, c.today - timedelta(days=3),
                                   c.now + timedelta(days=1), c.now)


def _self_service_for_a_stranger(c: Ctx):
    access_links.create_self_service_link(c.site_id, 2**30, c.user, c.now)


def _resend_unknown_delivery(c: Ctx):
    connectors.resend(c.site_id, 2**30, c.user, c.now)


def _enroll_with_unknown_code(c: Ctx):
    kiosks.enroll_kiosk("NOSUCHCODE", c.now)


def _follow_up_without_note(c: Ctx):
    followups.mark_done(c.site_id, 1, c.user, " ", c.now)


def _close_site_in_the_future(c: Ctx):
    sites.close_site(c.site_id, c.today + timedelta(days=30), c.user, c.today)


def _crew_member_off_chain(c: Ctx):
    member = crews.Member("Ola", "Nordmann", date(1990, 1, 1), "40000000", c.outsider.id, None)
    crews.add_member(c.site_id, member, c.user)


REFUSALS = [
    pytest.param(_new_site_of_another_builder, sites.SiteRefused, id="site-byggherre-made-first"),
    pytest.param(_company_already_on_site, companies.CompanyRefused, id="company-completed-first"),
    pytest.param(_induction_on_without_text, induction.InductionError, id="induction-row-made-first"),
    pytest.param(_card_order_off_chain, card_orders.CardOrderRefused, id="card-order"),
    pytest.param(_visitor_without_name, visitors.VisitorError, id="visitor"),
    pytest.param(_share_link_reversed, access_links.LinkError, id="share-link"),
    pytest.param(_self_service_for_a_stranger, access_links.LinkError, id="self-service-link"),
    pytest.param(_resend_unknown_delivery, connectors.NotResendable, id="connector-resend"),
    pytest.param(_enroll_with_unknown_code, kiosks.EnrollmentRefused, id="kiosk-enrollment"),
    pytest.param(_follow_up_without_note, followups.FollowUpError, id="follow-up"),
    pytest.param(_close_site_in_the_future, sites.SiteRefused, id="site-close"),
    pytest.param(_crew_member_off_chain, crews.CrewRefused, id="crew-member"),
]


@pytest.mark.parametrize("refused_use_case, refusal", REFUSALS)
def test_a_refusal_leaves_nothing_behind(ctx, refused_use_case, refusal):
    before = every_table()
    with pytest.raises(refusal):
        refused_use_case(ctx)
    db.session.commit()  # the next unit of work: anything the refusal left in the session lands now
    assert every_table() == before


def tables_seen_by_the_session() -> dict[str, list[str]]:
    db.session.flush()
    return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("refused_use_case, refusal", REFUSALS[:3])
def test_the_half_made_cases_have_written_when_they_refuse(ctx, refused_use_case, refusal):
    """The first three cases prove something only while the use case has written by the time it
    refuses. Run inside an outer unit of work, the inner use case leaves the rolling back to it, so
    the session still holds what was written at the moment of the refusal."""
    before = every_table()
    with pytest.raises(refusal), unit_of_work():
        try:
            refused_use_case(ctx)
        except refusal:
            assert tables_seen_by_the_session() != before
            raise
    assert every_table() == before


def test_a_card_recorded_before_the_crew_refusal_goes_with_it(app, world):  # noqa: F811
    """`flask crew add` asks the card service about an unknown card and records the answer (a card,
    its holder) before add_member refuses a worker hired in by their own employer."""
    elektro = org_number(98765430)
    world.put_card("41112222", first="Jonas", last="Berg", employer=("Elektro Øst AS", elektro))
    before = every_table()
    with pytest.raises(crews.CrewRefused), unit_of_work():
        try:
            crews.add_by_card(world.site_id, "41112222", elektro, elektro, "test")
        except crews.CrewRefused:
            assert tables_seen_by_the_session() != before  # the card was recorded before the refusal
            raise
    with pytest.raises(crews.CrewRefused):
        crews.add_by_card(world.site_id, "41112222", elektro, elektro, "test")
    db.session.commit()
    assert every_table() == before
    crews.add_by_card(world.site_id, "41112222", elektro, None, "test")  # the same card, accepted
    assert every_table() != before


def test_a_refused_login_keeps_its_count(ctx):
    """A refusal given as an answer, not raised, is no failure: the failed attempt is committed."""
    user = make_user(None, email="ola@test.portvakt.no", password="riktig-passord-123")
    db.session.commit()
    assert not accounts.authenticate("ola@test.portvakt.no", "galt", ctx.now).user
    with db.engine.connect() as connection:
        assert connection.execute(select(User.failed_logins).where(User.id == user.id)).scalar_one() == 1


def test_a_use_case_inside_another_commits_only_with_it(ctx):
    before = every_table()
    with pytest.raises(RuntimeError), unit_of_work():
        visitors.add_visitor(ctx.site_id, visitors.NewVisitor(name="Per", host="Bjørn", phone="99999999"),
                             ctx.user, ctx.now)
        assert every_table() == before  # the inner use case did not commit on its own
        raise RuntimeError("the outer one fails")
    db.session.commit()
    assert every_table() == before
    visitors.add_visitor(ctx.site_id, visitors.NewVisitor(name="Per", host="Bjørn", phone="99999999"),
                         ctx.user, ctx.now)
    assert every_table() != before


def test_a_commit_that_fails_is_rolled_back_and_the_session_goes_on(ctx):
    """A unit of work whose commit is refused by the database (here a second account with the same
    email) rolls back, so the request or command can still answer from the same session."""
    from sqlalchemy.exc import IntegrityError

    before = every_table()
    with pytest.raises(IntegrityError), unit_of_work():
        db.session.add(User(email=ctx.user.email, name="Twin", password_hash="x"))
    assert db.session.scalar(select(User.name).where(User.id == ctx.user.id)) == ctx.user.name
    assert every_table() == before
