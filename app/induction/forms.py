from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.templating import select_choices

MODE_CHOICES = select_choices([("off", _l("Off: the gate does not check it")),
                ("warn", _l("Warn: let in, flagged for the site office")),
                ("refuse", _l("Refuse: not let in without it"))])


class InductionForm(FlaskForm):
    mode = SelectField(_l("At the gate"), choices=MODE_CHOICES)
    valid_months = IntegerField(_l("Valid for (months)"), validators=[DataRequired(), NumberRange(1, 120)])
    text_nb = TextAreaField(_l("Text in Norwegian (Markdown)"), validators=[Optional(), Length(max=20000)])
    text_en = TextAreaField(_l("Text in English (Markdown)"), validators=[Optional(), Length(max=20000)])
    text_pl = TextAreaField(_l("Text in Polish (optional)"), validators=[Optional(), Length(max=20000)])
    text_lt = TextAreaField(_l("Text in Lithuanian (optional)"), validators=[Optional(), Length(max=20000)])
    questions = TextAreaField(
        _l("Questions"), validators=[Optional(), Length(max=5000)],
        description=_l("One question per block, 'Norwegian | English'; options start with '-', the right one with '*'; a blank line between questions."))
    require_again = BooleanField(_l("Everyone must take the new version again"))
    submit = SubmitField(_l("Save the induction"))


class BriefingForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(message=_l("Choose a person."))])
    held_by = StringField(_l("Held by"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Record the briefing"))


class LinkForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(message=_l("Choose a person."))])
    submit = SubmitField(_l("Make the person's induction link"))


class ImageForm(FlaskForm):
    image = FileField(_l("Picture"), validators=[FileRequired(_l("Choose a file."))],
                      description=_l("PNG, JPEG or WebP, at most 2 MB."))
    name = StringField(_l("What it shows"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Upload the picture"))
