"""The card service's JSON answer, declared once as a pydantic model (issue 17): what the adapter
accepts is read from these classes instead of from hand-written checks. An answer that does not
fit is the service's fault, never a valid card: the caller (cardservice.py) makes it "malformed"."""
import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainValidator

from app.domain.cards import CardStatus, CardType

MAX_NAME_PART = 200  # what Person keeps of a first or last name (app/models/people.py MAX_NAME_LENGTH)
CARD_NUMBER_SHAPE = re.compile(r"[A-Za-z0-9]{1,32}")


def _trimmed(max_length: int, required: bool = True):
    """Text without the whitespace around it, cut to what the app keeps; empty refused when required."""
    def trim(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValueError("empty")
        return value[:max_length]
    return AfterValidator(trim)


def _card_number(value: str) -> str:
    if not CARD_NUMBER_SHAPE.fullmatch(value):
        raise ValueError("not a card number")
    return value


def _iso_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("not a date")
    return date.fromisoformat(value)


def _optional_date(value: Any) -> date | None:
    return None if value is None else _iso_date(value)


class Answer(BaseModel):
    """Strict JSON types; fields we do not use are ignored."""

    model_config = ConfigDict(strict=True, frozen=True)


class Holder(Answer):
    first_name: Annotated[str, _trimmed(MAX_NAME_PART)]
    last_name: Annotated[str, _trimmed(MAX_NAME_PART)]
    birth_date: Annotated[date, PlainValidator(_iso_date)]


class Employer(Answer):
    name: Annotated[str, _trimmed(200)]
    org_number: Annotated[str, _trimmed(64)]


class CardAnswer(Answer):
    """GET /v1/cards/<number> or /v1/qr/<token>, answered 200."""

    card_number: Annotated[str, _trimmed(32), AfterValidator(_card_number)]
    # Another card scheme or status word is an answer (refused at the gate), not an outage.
    card_type: Annotated[CardType, PlainValidator(CardType.from_service)]
    status: Annotated[CardStatus, PlainValidator(CardStatus.from_service)]
    # Left out, null, "" or any other empty value: no reason given.
    status_reason: Annotated[str, BeforeValidator(lambda value: value or ""), _trimmed(200, required=False)] = ""
    issued_on: Annotated[date | None, PlainValidator(_optional_date)] = None
    valid_to: Annotated[date | None, PlainValidator(_optional_date)] = None
    holder: Holder
    employer: Employer
