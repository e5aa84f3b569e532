from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, Length, Optional


class VisitorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    host = StringField(_l("Host on site"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone (for the evacuation roll call)"), validators=[DataRequired(), Length(max=32)])
    purpose = StringField(_l("Purpose"), validators=[Optional(), Length(max=200)])
    expected_end = TimeField(_l("Expected to leave (today)"), validators=[Optional()])
    submit = SubmitField(_l("Register visitor"))


class SignOutForm(FlaskForm):
    submit = SubmitField(_l("Sign the visitor out"))
