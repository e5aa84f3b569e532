from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from app.clock import site_today
from app.domain import crew_import as rules
from app.services.crews import Member

NONE = 0


def _rule(parse):
    """A WTForms validator from a domain rule: its bilingual message becomes the field's error."""
    def validate(form, field):
        if field.data and field.data.strip():
            try:
                parse(field.data)
            except rules.FieldError as error:
                raise ValidationError(error.problem.text) from None
    return validate


class AddForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()], description=_l("First and last name, as on the HMS card."))
    birth_date = StringField(_l("Date of birth"), validators=[DataRequired()], description=_l("DD.MM.YYYY"))
    card_number = StringField(_l("HMS card number"), validators=[DataRequired()])
    employer_id = SelectField(_l("Employer"), coerce=int)
    hired_by_id = SelectField(_l("Hired in by"), coerce=int,
                              description=_l("Only for hired-in workers: the company that hired them in."))
    active_from = StringField(_l("From"), description=_l("DD.MM.YYYY, optional"))
    active_to = StringField(_l("To"), description=_l("DD.MM.YYYY, optional"))
    phone = StringField(_l("Phone"), description=_l("Optional: for the evacuation roll call on this site. "
                                                     "Shown on the muster list only."))
    submit = SubmitField(_l("Add to the crew"))

    def __init__(self, companies, own_company: int | None, card_pattern: str, **kwargs):
        super().__init__(**kwargs)
        self.card_pattern = card_pattern
        employers = [c for c in companies if own_company is None or c.id == own_company]
        self.employer_id.choices = [(c.id, f"{c.name} ({c.identifier})") for c in employers]
        self.hired_by_id.choices = [(NONE, _l("— not hired in —"))] + [(c.id, f"{c.name} ({c.identifier})")
                                                                        for c in companies]

    def validate_name(self, field):
        _rule(rules.parse_name)(self, field)

    def validate_birth_date(self, field):
        _rule(lambda text: rules.parse_birth_date(text, site_today()))(self, field)

    def validate_card_number(self, field):
        _rule(lambda text: rules.parse_card_number(text, self.card_pattern))(self, field)

    def validate_active_from(self, field):
        _rule(lambda text: rules.parse_date(text, rules.Problem("Fra", "From")))(self, field)

    def validate_active_to(self, field):
        _rule(lambda text: rules.parse_date(text, rules.Problem("Til", "To")))(self, field)
        if not self.active_from.errors and field.data and self.active_from.data:
            _rule(lambda _: rules.check_period(self._date(self.active_from), self._date(field)))(self, field)

    def validate_phone(self, field):
        _rule(rules.parse_phone)(self, field)

    @staticmethod
    def _date(field):
        return rules.parse_date(field.data, rules.Problem("", "")) if field.data and field.data.strip() else None

    def member(self) -> Member:
        first, last = rules.parse_name(self.name.data)
        return Member(first, last, rules.parse_birth_date(self.birth_date.data, site_today()),
                      rules.parse_card_number(self.card_number.data, self.card_pattern), self.employer_id.data,
                      self.hired_by_id.data or None, self._date(self.active_from), self._date(self.active_to),
                      rules.parse_phone(self.phone.data) if self.phone.data and self.phone.data.strip() else None,
                      set_phone=True)


class ImportForm(FlaskForm):
    file = FileField(_l("Crew list (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    rows = HiddenField()
    submit = SubmitField(_l("Import"))
