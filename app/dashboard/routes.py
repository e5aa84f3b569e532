from flask import render_template
from flask_login import current_user, login_required

from app.auth.access import grant, may_create_sites, visible_sites
from app.clock import site_today, site_zone, utcnow
from app.dashboard import bp
from app.dashboard.charts import bar_chart
from app.services import dashboard, sites


@bp.get("/")
@login_required
def index():
    now = utcnow()
    today = site_today(now)
    cards = [_site_card(site, today, now) for site in visible_sites(current_user)]
    return render_template("dashboard/index.html", cards=cards, today=today,
                           may_create_sites=may_create_sites(current_user))


def _site_card(site, today, now) -> dict:
    scope = grant(current_user, "view_presence", site.id).company_scope
    hourly = dashboard.people_per_hour(site.id, today, now, site_zone(), scope)
    daily = dashboard.people_per_day(site.id, today, company_id=scope)
    return {
        "site": site,
        "numbers": dashboard.site_numbers(site.id, today, now, scope),
        "scoped": scope is not None,
        "life": sites.lifecycle(site, today),
        "hourly": bar_chart(hourly, [f"{hour:02d}" for hour in range(24)], label_every=3),
        "daily": bar_chart([count for _day, count in daily], [day.strftime("%d.%m") for day, _count in daily],
                           label_every=7),
    }
