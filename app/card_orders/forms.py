from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from app.templating import select_choices

NOT_HIRED_IN = ""


class CardOrderForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=200)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=200)])
    birth_date = DateField(_l("Date of birth"), validators=[DataRequired()],
                           description=_l("The date of birth only, never a national identity number."))
    employer_id = SelectField(_l("Employer"), choices=[])
    hired_by_id = SelectField(
        _l("Hired in by"), choices=[],
        description=_l("Only for a hired-in worker: the company on the chain that hired them in."))
    order_reference = StringField(_l("Order reference"), validators=[Optional(), Length(max=100)],
                                  description=_l("The HMS card order's reference, or upload the receipt below."))
    receipt = FileField(_l("Order receipt"), description=_l("PDF, JPEG or PNG, at most 5 MB."))
    approved_by = StringField(_l("Approved by"), validators=[DataRequired(), Length(max=200)],
                              description=_l("Who approved work while the card is on order."))
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()],
                            description=_l("At most 30 days from today."))
    submit = SubmitField(_l("Record the order"))

    def offer_companies(self, companies) -> None:
        """The site's contract chain as the choices (anything else posted is refused by the form)."""
        pairs = [(str(company.id), f"{company.name} ({company.identifier})") for company in companies]
        self.employer_id.choices = select_choices(pairs)
        self.hired_by_id.choices = select_choices([(NOT_HIRED_IN, _l("– not hired in –"))] + pairs)


class RegisterCardOrderedForm(FlaskForm):
    direction = SelectField(_l("Direction"), choices=select_choices([("in", _l("In (arrived)")),
                                                                     ("out", _l("Out (left)"))]), default="in")
    time = TimeField(_l("Time"), validators=[Optional()], description=_l("Today, not later than now. Empty: now."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=5, max=500)],
                           description=_l("Required. Say why, so the list can be trusted later."))
    submit = SubmitField(_l("Register"))
