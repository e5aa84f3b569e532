"""Who is expected on a site on a day but has not arrived: the one read model behind the muster page
and the muster PDF (people engaged on the site, not barred, with no row on the day's list)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain import oversiktsliste
from app.extensions import db
from app.models import Engagement
from app.models.periods import active_on


def expected_not_arrived(site_id: int, day: date, seen: set[int], company_id: int | None = None) -> list[Engagement]:
    """Engagements active on `day`, not barred, whose person is not in `seen` (the day's list), one per
    person even with two employers, in the list's order (employer, then name)."""
    query = (select(Engagement)
             .where(Engagement.site_id == site_id, Engagement.barred.is_(False),
                    active_on(Engagement.active_from, Engagement.active_to, day))
             .options(joinedload(Engagement.person), joinedload(Engagement.employer))
             .order_by(Engagement.id))
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    unique = {}
    for engagement in db.session.scalars(query):
        if engagement.person_id not in seen:
            unique[engagement.person_id] = engagement  # the newest engagement names the employer
    return sorted(unique.values(), key=lambda e: (*oversiktsliste.list_order(
        e.employer, e.person.last_name, e.person.first_name, e.person.birth_date, None), e.person_id))
