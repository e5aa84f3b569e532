"""A long name from the card service is kept whole (it was cut at 100), on both databases."""
from datetime import date, datetime, timezone

from app.adapters.cardservice import card_check_from_answer
from app.domain.cards import CardRef
from app.extensions import db
from app.models import Person

LONG_LAST = "Wolfeschlegelsteinhausenbergerdorff-" + "Ødegård-Brzęczyszczykiewicz-" * 4  # 148 characters


def test_a_long_name_from_the_card_service_is_stored_whole(db_session):
    answer = {"card_number": "40031676", "card_type": "construction", "status": "valid",
              "holder": {"first_name": "Anna Maria Magdalena", "last_name": LONG_LAST, "birth_date": "1980-02-03"},
              "employer": {"name": "Elektro Øst AS", "org_number": "987654325"}}
    check = card_check_from_answer(answer, CardRef("card_number", "40031676"), datetime.now(timezone.utc))
    assert len(LONG_LAST) > 100 and check.last_name == LONG_LAST
    db.session.add(Person(first_name=check.first_name, last_name=check.last_name, birth_date=date(1980, 2, 3)))
    db.session.commit()  # PostgreSQL refused a name over 100 characters before revision 0004d
    assert db.session.scalar(db.select(Person.last_name)) == LONG_LAST
