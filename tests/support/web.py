"""Helpers for web tests: users with a role, signing a test client in, a small site world."""
from datetime import date

from werkzeug.security import generate_password_hash

from app import sessions
from app.clock import utcnow
from app.extensions import db
from app.models import Builder, Company, Membership, Person, Site, SiteCompany, User

PASSWORD = "correct horse battery"
# One cheap hash for users that tests sign in with login_as(): scrypt per user would make a
# role × route matrix slow for nothing. Tests of the real login give a password explicitly.
_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_site(name: str = "Kaia Øst", builder: Builder | None = None) -> Site:
    builder = builder or Builder(name="Byggherre AS", org_number="923609016")
    site = Site(name=name, street="Kaigata 1", postcode="5003", city="Bergen", builder=builder)
    db.session.add(site)
    db.session.flush()
    return site


def make_company(name: str = "Elektro AS", org_number: str | None = "914778271", site: Site | None = None,
                 role: str = "subcontractor") -> Company:
    company = Company(name=name, org_number=org_number, foreign_id=None if org_number else "X-1",
                      country="NO" if org_number else "PL")
    db.session.add(company)
    db.session.flush()
    if site is not None:
        db.session.add(SiteCompany(site_id=site.id, company_id=company.id, role=role))
        db.session.flush()
    return company


def make_person(first: str = "Åse", last: str = "Ødegård") -> Person:
    person = Person(first_name=first, last_name=last, birth_date=date(1985, 4, 2))
    db.session.add(person)
    db.session.flush()
    return person


def make_user(role: str | None, site: Site | None = None, company: Company | None = None,
              email: str | None = None, password: str | None = None) -> User:
    """A user with one membership (none when role is None); site None means every site.

    Its password is PASSWORD (hashed cheaply unless `password` is given, then with scrypt)."""
    user = User(email=email or f"{role or 'nobody'}-{site.id if site else 'all'}@test.portvakt.no",
                name=f"Test {role}", password_hash=_CHEAP_HASH)
    if password is not None:
        user.set_password(password)
    if role:
        user.memberships.append(Membership(role=role, site_id=site.id if site else None,
                                           company_id=company.id if company else None))
    db.session.add(user)
    db.session.commit()
    return user


def login_as(client, user: User) -> None:
    """Sign a test client in without the (deliberately slow) password hash."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        sessions.start(session, utcnow())  # the idle timeout and lifetime count from here
