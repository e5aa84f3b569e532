import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.templating import select_choices

REASON_HINT = _l("Required. Say why, so the list can be trusted later.")


class CheckForm(FlaskForm):
    submit = SubmitField(_l("Mark the list as checked"))


class ManualRegistrationForm(FlaskForm):
    card_number = StringField(_l("HMS card number"), validators=[DataRequired()],
        description=_l("The number printed on the card. It is looked up in the card register like a scan."))
    direction = SelectField(_l("Direction"), choices=select_choices([("in", _l("In (arrived)")), ("out", _l("Out (left)"))]),
                            default="in")
    day = DateField(_l("Day"), validators=[Optional()], description=_l("The day of the list. Empty means today."))
    time = TimeField(_l("Time"), validators=[Optional()],
                     description=_l("When the worker came or left (HH:MM, site time). Empty means now."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                           description=REASON_HINT)
    override_outage = BooleanField(
        _l("The card service is not answering: let the worker in without a card check"),
        description=_l("For a card Portvakt has seen before. The row is marked not verified, and the card is "
                       "checked again when the card service answers."))
    submit = SubmitField(_l("Register"))

    def validate_card_number(self, field):
        # The same rule as a number typed at the gate (CARD_NUMBER_PATTERN), not a looser one of its own.
        if not re.fullmatch(current_app.config["CARD_NUMBER_PATTERN"], (field.data or "").strip()):
            raise ValidationError(_l("Not an HMS card number: type the digits printed on the card."))


class RemoveRegistrationForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                           description=REASON_HINT)
    submit = SubmitField(_l("Remove from the list"))
