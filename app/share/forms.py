from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.templating import select_choices

VALID_FOR_DAYS = (1, 7, 14, 30, 90)


def _days(days: int) -> LazyString:
    """"1 dag", "7 dager": worded in the reader's language when the form is shown."""
    return LazyString(lambda: ngettext("%(num)d day", "%(num)d days", days))


class ShareLinkForm(FlaskForm):
    recipient = StringField(_l("Who gets the link"), validators=[DataRequired(), Length(max=200)],
                            description=_l("For example: Arbeidstilsynet, inspector's name; or an employer."))
    date_from = DateField(_l("Lists from"), validators=[DataRequired(message=_l("Choose a date."))])
    date_to = DateField(_l("Lists to"), validators=[DataRequired(message=_l("Choose a date."))])
    company_id = SelectField(_l("Whose people"), coerce=int, default=0)
    valid_days = SelectField(_l("The link works for"), coerce=int, default=7,
                             choices=select_choices((days, _days(days)) for days in VALID_FOR_DAYS))
    submit = SubmitField(_l("Create link"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
