from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class NotificationSettingsForm(FlaskForm):
    kiosk_silent = BooleanField(_l("A kiosk has been silent for 10 minutes in working hours"))
    card_service = BooleanField(_l("The HMS card service has not answered for 5 minutes"))
    list_unchecked = BooleanField(_l("Yesterday's list is not checked by 10:00"))
    card_rejected = BooleanField(_l("A card reported lost or stolen, or blocked, was scanned at the gate"))
    followup = BooleanField(_l("A follow-up was opened"))
    digest = BooleanField(_l("Collect them into one e-mail a day (at 07:00) instead"))
    submit = SubmitField(_l("Save"))
