from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from app.templating import select_choices

REASON_HINT = _l("Required. Say why, so the list can be trusted later.")


class CheckForm(FlaskForm):
    submit = SubmitField(_l("Mark the list as checked"))


class ManualRegistrationForm(FlaskForm):
    card_number = StringField(_l("HMS card number"), validators=[
        DataRequired(), Regexp(r"^\s*\d{6,12}\s*$", message=_l("Type the card number: 6 to 12 digits."))],
        description=_l("The number printed on the card. It is looked up in the card register like a scan."))
    direction = SelectField(_l("Direction"), choices=select_choices([("in", _l("In (arrived)")), ("out", _l("Out (left)"))]),
                            default="in")
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                           description=REASON_HINT)
    submit = SubmitField(_l("Register"))


class RemoveRegistrationForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                           description=REASON_HINT)
    submit = SubmitField(_l("Remove from the list"))
