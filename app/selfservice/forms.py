from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import DataRequired


class SelfServiceLinkForm(FlaskForm):
    # The person is chosen in the POST body, so no name or birth date ever lands in a URL.
    person_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(message=_l("Choose a person."))])
    submit = SubmitField(_l("Create a one-time link"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
