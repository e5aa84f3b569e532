from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.followups import MAX_NOTE


class DoneForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=MAX_NOTE)],
                         description=_l("For example: sent to Arbeidstilsynet and the employer on 10.03, case number."))
    submit = SubmitField(_l("Mark as done"))
