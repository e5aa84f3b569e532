from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.domain.countries import is_country_code
from app.domain.orgnr import is_valid_org_number
from app.templating import COMPANY_ROLES, select_choices

KIOSK_MODES = select_choices([("auto", _l("In and out (auto)")), ("in", _l("In only")), ("out", _l("Out only"))])


def _chain_place_fields():
    """Role, parent and active period, made where a form's class body calls this (fields show in the
    order they are made)."""
    return (SelectField(_l("Role on the site"), choices=select_choices(COMPANY_ROLES.items())),
            SelectField(_l("Hired by (parent in the chain)"), coerce=str, choices=[]),
            DateField(_l("Active from"), validators=[Optional()]),
            DateField(_l("Active to"), validators=[Optional()]))


class ChainPlaceChecks:
    """What adding and editing a chain entry check alike."""

    def validate_active_to(self, field):
        if field.data and self.active_from.data and field.data < self.active_from.data:
            raise ValidationError(_l("The last day cannot be before the first."))

    def parent(self) -> int | None:
        return int(self.parent_id.data) if (self.parent_id.data or "").isdigit() else None


class CompanyForm(ChainPlaceChecks, FlaskForm):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    org_number = StringField(_l("Organisation number"), validators=[Optional(), Length(max=20)],
                             description=_l("Nine digits (Brønnøysund). A foreign company with a Norwegian "
                                            "registration (NUF) gives it here, with its country below."))
    foreign_id = StringField(_l("Foreign company id"), validators=[Optional(), Length(max=64)],
                             description=_l("Only for a foreign company without a Norwegian organisation number."))
    country = StringField(_l("Country code"), default="NO", validators=[
        Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, such as PL or LT."))])
    role, parent_id, active_from, active_to = _chain_place_fields()
    submit = SubmitField(_l("Add company"))

    def validate_org_number(self, field):
        if field.data and not is_valid_org_number(field.data):
            raise ValidationError(_l("Not a valid Norwegian organisation number (check the digits)."))

    def validate_country(self, field):
        if field.data and not field.errors and not is_country_code(field.data):
            raise ValidationError(_l("Not a country code (ISO 3166, such as PL, LT or SE)."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.org_number.data and not (self.foreign_id.data and self.country.data):
            self.org_number.errors.append(_l("Give an organisation number, or a foreign id and country."))
            return False
        return valid


class ChainEntryForm(ChainPlaceChecks, FlaskForm):
    role, parent_id, active_from, active_to = _chain_place_fields()
    submit = SubmitField(_l("Save"))


class AddToChainForm(FlaskForm):
    """The day page's one-click "add to chain": which company, and the day to go back to."""

    company_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    day = HiddenField(validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])


class KioskForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("Where it stands, such as \"Main gate\"."))
    mode = SelectField(_l("Direction"), choices=KIOSK_MODES)
    enroll = BooleanField(_l("Give a one-time enrollment code instead of a token (valid 15 minutes)"))
    submit = SubmitField(_l("Create kiosk"))


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions such as revoking a kiosk."""


class DayForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    day = DateField(_l("Day"), validators=[Optional()])
