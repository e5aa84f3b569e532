from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.services.accounts import MIN_PASSWORD_LENGTH
from app.templating import EMPLOYER_ROLES, USER_ROLES, select_choices


class NewUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             description=_l("At least 10 characters. Give it to the user in person."))
    submit = SubmitField(_l("Create user"))


class EditUserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active (may sign in)"))
    new_password = PasswordField(_l("New password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                                 description=_l("Leave empty to keep the current password."))
    submit = SubmitField(_l("Save"))


class MembershipForm(FlaskForm):
    role = SelectField(_l("Role"), choices=select_choices(USER_ROLES.items()))
    site_id = SelectField(_l("Site"), choices=[])
    company_id = SelectField(_l("Company (employers only)"), choices=[])
    submit = SubmitField(_l("Add role"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.role.data in EMPLOYER_ROLES and not self.company_id.data:
            self.company_id.errors.append(_l("An employer sees only its own people: choose the company."))
            return False
        if valid and self.role.data in EMPLOYER_ROLES and not self.site_id.data:
            self.site_id.errors.append(_l("An employer's role is for one site: choose it."))
            return False
        return valid


class ConfirmForm(FlaskForm):
    """Only the CSRF token: one-button actions (remove a role, unlock)."""
