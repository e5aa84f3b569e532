from flask import abort, render_template

from app.extensions import db
from app.models import Site
from app.privacy import bp
from app.services import visitors


@bp.get("/sites/<int:site_id>/personvern")
def notice(site_id: int):
    """Public: the builder, the rules and the periods, never a person's data."""
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    return render_template("privacy/notice.html", site=site, visitor_days=visitors.retention_days())
