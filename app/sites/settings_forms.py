"""Forms for a site's settings and its end: the web side of app/services/sites.py."""
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.sites import KIOSK_LANGUAGES, MAX_GRACE_HOURS, SiteSettings, parse_contract_id
from app.templating import select_choices

LANGUAGE_NAMES = {"nb": _l("Norwegian (bokmål)"), "en": _l("English"), "pl": _l("Polish"), "lt": _l("Lithuanian")}
OUTAGE_POLICIES = select_choices([
    ("strict", _l("Strict: only cards confirmed valid recently; others go to the site office")),
    ("lenient", _l("Lenient: everyone in, flagged for approval")),
])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SiteForm(FlaskForm):
    name = StringField(_l("Site name"), validators=[DataRequired(), Length(max=200)])
    street = StringField(_l("Street address"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[
        DataRequired(), Regexp(r"^\d{4}$", message=_l("Four digits."))])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    builder_name = StringField(_l("Byggherre (the builder)"), validators=[DataRequired(), Length(max=200)])
    builder_org = StringField(_l("Byggherre's organisation number"), validators=[Optional(), Length(max=20)],
                              description=_l("Nine digits. Leave empty for a private byggherre."))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    planned_end = DateField(_l("Planned end"), validators=[Optional()])
    contract_id = StringField(_l("ELRAPP contract id"), validators=[Optional(), Length(max=10)],
                              description=_l("An integer, for Statens vegvesen's contracts. Optional."))
    closing_time = StringField(_l("Closing time"), default="23:59", validators=[
        DataRequired(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("A time as HH:MM."))],
        description=_l("People still in after this get \"no exit recorded\"."))
    outage_policy = SelectField(_l("When the card service is down"), choices=OUTAGE_POLICIES)
    outage_grace_hours = IntegerField(_l("Trust a recent \"valid\" for (hours)"), default=12,
                                      validators=[NumberRange(0, MAX_GRACE_HOURS)])
    kiosk_languages = MultiCheckboxField(_l("Kiosk languages (bokmål and English always)"),
                                         choices=select_choices(LANGUAGE_NAMES.items()), default=list(KIOSK_LANGUAGES))
    records_times = BooleanField(_l("Record in/out times (muster list and presence)"), default=True)
    prints_times = BooleanField(_l("Print in/out times on the § 15 list"), default=False,
                                description=_l("§ 15 needs no times, and everyone who reads the list would see "
                                               "them. Leave off unless you must."))
    hmsreg_enabled = BooleanField(_l("Send every registration to HMSREG"), default=False)
    hmsreg_project = StringField(_l("HMSREG project number"), validators=[Optional(), Length(max=32)],
                                 description=_l("The project's number in HMSREG (HmsRegnr). Needed for HMSREG."))
    elrapp_enabled = BooleanField(_l("Send the checked list to ELRAPP"), default=False,
                                  description=_l("Statens vegvesen's ELRAPP. Needs the ELRAPP contract id."))
    submit = SubmitField(_l("Save"))

    def validate_contract_id(self, field):
        try:
            parse_contract_id(field.data)
        except ValueError:
            raise ValidationError(_l("An integer, such as 4255.")) from None

    def settings(self) -> SiteSettings:
        return SiteSettings(
            name=self.name.data or "", street=self.street.data or "", postcode=self.postcode.data or "",
            city=self.city.data or "", builder_name=self.builder_name.data or "",
            builder_org=self.builder_org.data or None, start_date=self.start_date.data,
            planned_end=self.planned_end.data, contract_id=parse_contract_id(self.contract_id.data),
            closing_time=time.fromisoformat(self.closing_time.data), outage_policy=self.outage_policy.data,
            outage_grace_hours=self.outage_grace_hours.data, kiosk_languages=tuple(self.kiosk_languages.data or ()),
            records_times=bool(self.records_times.data), prints_times=bool(self.prints_times.data),
            hmsreg_enabled=bool(self.hmsreg_enabled.data), hmsreg_project=self.hmsreg_project.data or None,
            elrapp_enabled=bool(self.elrapp_enabled.data))

    @classmethod
    def of(cls, settings: SiteSettings) -> "SiteForm":
        data = dict(vars(settings))
        data.update(closing_time=settings.closing_time.strftime("%H:%M"),
                    contract_id="" if settings.contract_id is None else str(settings.contract_id),
                    builder_org=settings.builder_org or "", hmsreg_project=settings.hmsreg_project or "",
                    kiosk_languages=list(settings.kiosk_languages))
        return cls(data=data)


class NewSiteForm(SiteForm):
    submit = SubmitField(_l("Create site"))


class CloseForm(FlaskForm):
    completion_date = DateField(_l("Works finished on"), validators=[DataRequired()])
    submit = SubmitField(_l("Mark the works finished"))


class ReopenForm(FlaskForm):
    submit = SubmitField(_l("Reopen the site"))
