from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import site_action
from app.clock import site_zone, utcnow
from app.followups import bp
from app.followups.forms import DoneForm
from app.services import followups
from app.services.followups import FollowUpError
from app.web import FOLLOWUP_KINDS


@bp.get("/<int:site_id>/followups")
@site_action("manage_followups")
def index(site_id: int):
    show_done = request.args.get("show") == "all"
    items = followups.site_followups(site_id, open_only=not show_done)
    return render_template("followups/index.html", items=items, show_done=show_done, kinds=FOLLOWUP_KINDS)


@bp.route("/<int:site_id>/followups/<int:followup_id>", methods=["GET", "POST"])
@site_action("manage_followups")
def show(site_id: int, followup_id: int):
    item = _followup_or_404(site_id, followup_id)
    form = DoneForm()
    if item.done_at is None and form.validate_on_submit():
        try:
            followups.mark_done(site_id, item.id, current_user, form.note.data, utcnow())
        except FollowUpError:
            form.note.errors.append(_("Write what was done (at most 2000 characters)."))
        else:
            flash(_("The follow-up is marked as done."), "success")
            return redirect(url_for(".index", site_id=site_id))
    notice = followups.draft_notice(item, g.site, site_zone(), current_user.name)
    return render_template("followups/show.html", item=item, notice=notice, form=form, kinds=FOLLOWUP_KINDS,
                           done_by_name=followups.done_by_name(item))


def _followup_or_404(site_id: int, followup_id: int):
    try:
        return followups.get_followup(site_id, followup_id)
    except FollowUpError:
        abort(404)
