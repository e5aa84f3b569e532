from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.notifications import bp, service
from app.notifications.forms import NotificationSettingsForm


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = NotificationSettingsForm()
    if form.validate_on_submit():
        service.save_preferences(current_user.id, {kind: form[kind].data for kind in (*service.KINDS, service.DIGEST)})
        flash(_("Your notification settings are saved."), "info")
        return redirect(url_for("notifications.settings"))
    if not form.is_submitted():
        for kind, enabled in service.preferences(current_user.id).items():
            form[kind].data = enabled
    return render_template("notifications/settings.html", form=form, email=current_user.email)
