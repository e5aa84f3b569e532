"""The audit log as sentences a builder understands, with links to what each event is about.

The log stores codes and ids (app/services/audit.py keeps names out of it); this module words them
when a page is drawn, naming a person, a company on the chain, a kiosk or a day's list by a link to
its page. The rows behind the ids come from app/services/audit_search.references; a row that retention
has deleted since reads "(deleted)". One line per action in SENTENCES (a test checks that every
action the app writes has one).
"""
from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from app.templating import card_status_label, role_label


class Words:
    """What one entry is about, as escaped text and links, for the sentences below."""

    def __init__(self, entry, refs: dict, link_users: bool):
        self.entry, self.refs, self.link_users = entry, refs, link_users
        self.details = entry.details or {}
        self.site_id = entry.site_id

    def _row(self, kind: str, key):
        if key is None:
            return None
        rows = self.refs.get(kind, {})
        return rows.get(key) or (rows.get(int(key)) if str(key).isdigit() else None)

    def _link(self, text: str, endpoint: str, anchor: str | None = None, **values) -> Markup:
        """A link to the page about it; the name alone when there is none (no site, no such page here)."""
        try:
            url = None if None in values.values() else url_for(endpoint, _anchor=anchor, **values)
        except BuildError:
            url = None
        return Markup('<a href="{}">{}</a>').format(url, text) if url else escape(text)

    def person(self, key=None) -> Markup:
        row = self._row("person", key if key is not None else self.details.get("person_id"))
        if row is None:
            return escape(_("(deleted)"))
        return self._link(row.name, "sites.person", site_id=self.site_id, person_id=row.id)

    def company(self, key) -> Markup:
        row = self._row("company", key)
        return escape(row.name) if row else escape(_("(deleted)"))

    def chain(self, key) -> Markup:
        """A company on the site's contract chain, linked to its line on the chain page."""
        row = self._row("chain", key)
        if row is None:
            return escape(_("(deleted)"))
        name = self.company(row.company_id)
        return self._link(name, "sites.companies_page", anchor=f"entry-{row.id}", site_id=row.site_id)

    def day(self, value) -> Markup:
        when = value if isinstance(value, date) else date.fromisoformat(value)
        return self._link(format_date(when, "d. MMMM y"), "lists_ui.day", site_id=self.site_id,
                          day=when.isoformat())

    def kiosk(self, key=None) -> Markup:
        row = self._row("kiosk", key if key is not None else self.entry.target_id)
        if row is None:
            return escape(_("(deleted)"))
        return self._link(row.name, "sites.kiosks_page", site_id=row.site_id)

    def user(self, key=None) -> Markup:
        row = self._row("user", key if key is not None else self.entry.target_id)
        if row is None:
            return escape(_("(deleted)"))
        return self._link(row.name, "admin.edit_user", user_id=row.id) if self.link_users else escape(row.name)

    def site(self, key=None) -> Markup:
        row = self._row("site", key if key is not None else self.site_id)
        return self._link(row.name, "sites.show", site_id=row.id) if row else escape(_("(deleted)"))

    def target(self, kind: str):
        return self._row(kind, self.entry.target_id)

    def role(self, code) -> str:
        return role_label(code).lower() if code else ""

    def say(self, message, **values) -> Markup:
        """A translated sentence with its values escaped (the message itself is ours)."""
        return Markup(_(str(message), **{k: escape(v) for k, v in values.items()}))


def _user_changed(w: Words) -> Markup:
    parts = [w.say(_l("The account of %(user)s was changed."), user=w.user())]
    if w.details.get("active") is False:
        parts.append(w.say(_l("It is deactivated.")))
    if w.details.get("password_reset"):
        parts.append(w.say(_l("The password was reset.")))
    return Markup(" ").join(parts)


def _kiosk_created(w: Words) -> Markup:
    mode = {"in": _l("in only"), "out": _l("out only")}.get(w.details.get("mode"), _l("in and out"))
    text = w.say(_l("Kiosk %(kiosk)s was created (%(mode)s)."), kiosk=w.kiosk(), mode=mode)
    if w.details.get("enrollment"):
        text += Markup(" ") + w.say(_l("It gets its token with a one-time enrollment code."))
    return text


def _chain(w: Words, message) -> Markup:
    d = w.details
    text = w.say(message, company=w.chain(d.get("site_company_id")), role=w.role(d.get("role")))
    if d.get("parent_id"):
        text += Markup(" ") + w.say(_l("Works for %(parent)s."), parent=w.chain(d["parent_id"]))
    if d.get("active_from") or d.get("active_to"):
        text += Markup(" ") + w.say(_l("On the site from %(first)s to %(last)s."),
                                    first=_date(d.get("active_from")), last=_date(d.get("active_to")))
    return text


def _date(value) -> str:
    return format_date(date.fromisoformat(value), "d.M.y") if value else "…"


def _on_day(w: Words, kind: str, message) -> Markup:
    """An event about one person's day on the list (a registration, a removal, a voided scan)."""
    row = w.target(kind)
    if row is None:
        return w.say(_l("The registration has since been deleted (retention)."))
    return w.say(message, person=w.person(row.person_id), day=w.day(row.local_date))


def _manual(w: Words) -> Markup:
    row = w.target("scan_event")
    if row is None:
        return w.say(_l("The registration has since been deleted (retention)."))
    direction = _l("out") if w.details.get("direction") == "out" else _l("in")
    message = _l("%(person)s was registered %(direction)s by hand on the list for %(day)s.") \
        if w.details.get("decision") == "accepted" else \
        _l("A registration of %(person)s %(direction)s by hand was refused (list for %(day)s).")
    return w.say(message, person=w.person(row.person_id), direction=direction, day=w.day(row.local_date))


def _engagement(w: Words, message) -> Markup:
    d = w.details
    text = w.say(message, person=w.person(d.get("person_id")), company=w.company(d.get("employer_id")))
    if d.get("hired_by_id"):
        text += Markup(" ") + w.say(_l("Hired in by %(company)s."), company=w.company(d["hired_by_id"]))
    return text


def _site_update(w: Words) -> Markup:
    from app.sites.settings_forms import SiteForm  # the settings' own labels, one source of their words

    names = [str(getattr(getattr(SiteForm, field, None), "args", [field])[0]) for field in w.details.get("fields", [])]
    return w.say(_l("Changed: %(fields)s."), fields=", ".join(names))


def _link_person(w: Words, message) -> Markup:
    row = w.target("access_link")
    return w.say(message, person=w.person(row.person_id if row else None))


def _share(w: Words, message) -> Markup:
    row = w.target("access_link")
    return w.say(message, recipient=(row.recipient if row and row.recipient else _("(no recipient given)")),
                 days=ngettext("%(num)d day", "%(num)d days", int(w.details.get("days") or 0)))


def _retention(w: Words) -> Markup:
    d = w.details
    text = w.say(_l("Retention run for %(day)s: in/out times cleared on %(times)s list rows, %(scans)s gate "
                    "scans deleted, %(people)s people and %(cards)s cards deleted, the lists of %(sites)s "
                    "finished sites deleted."),
                 day=_date(d.get("today")), times=d.get("times_cleared", 0), scans=d.get("scan_events_expired", 0),
                 people=d.get("people", 0), cards=d.get("cards", 0), sites=len(d.get("sites") or {}))
    if d.get("visitors"):
        text += Markup(" ") + w.say(_l("%(visitors)s visitor records deleted."), visitors=d["visitors"])
    if d.get("dry_run"):
        text += Markup(" ") + w.say(_l("A trial run: nothing was deleted."))
    return text


SENTENCES = {
    "login": lambda w: w.say(_l("%(user)s signed in."), user=w.user(w.entry.user_id)),
    "login_failed": lambda w: w.say(_l("A sign-in as %(user)s failed (attempt %(attempt)s)."),
                                    user=w.user(), attempt=w.details.get("attempt", "?")),
    "login_locked": lambda w: w.say(_l("The account of %(user)s was locked after repeated failed sign-ins."),
                                    user=w.user()),
    "password_changed": lambda w: w.say(_l("%(user)s changed the password."), user=w.user()),
    "user_signed_out_everywhere": lambda w: w.say(_l("Every session of %(user)s was ended."), user=w.user()),
    "user_created": lambda w: w.say(_l("The account of %(user)s was created."), user=w.user()),
    "user_updated": _user_changed,
    "user_unlocked": lambda w: w.say(_l("The account of %(user)s was unlocked."), user=w.user()),
    "membership_added": lambda w: w.say(_l("%(user)s was given the role %(role)s."), user=w.user(),
                                        role=w.role(w.details.get("role"))),
    "membership_removed": lambda w: w.say(_l("%(user)s no longer has the role %(role)s."), user=w.user(),
                                          role=w.role(w.details.get("role"))),
    "kiosk.create": _kiosk_created,
    "kiosk.enrollment_code": lambda w: w.say(_l("A one-time enrollment code was issued for kiosk %(kiosk)s."),
                                             kiosk=w.kiosk()),
    "kiosk.enroll": lambda w: w.say(_l("Kiosk %(kiosk)s was enrolled with its code."), kiosk=w.kiosk()),
    "kiosk.revoke": lambda w: w.say(_l("Kiosk %(kiosk)s was revoked: its token no longer works."), kiosk=w.kiosk()),
    "site.create": lambda w: w.say(_l("The site %(site)s was created."), site=w.site()),
    "site.update": _site_update,
    "site.close": lambda w: w.say(_l("The works were marked finished on %(day)s; the list is deleted on %(deleted)s."),
                                  day=_date(w.details.get("completion_date")),
                                  deleted=_date(w.details.get("deletion_date"))),
    "site.reopen": lambda w: w.say(_l("The site was reopened (it had been marked finished on %(day)s)."),
                                   day=_date(w.details.get("previous_completion_date"))),
    "list.checked": lambda w: w.say(_l("The list for %(day)s was checked: version %(version)s, %(people)s people."),
                                    day=w.day(w.details["date"]), version=w.details.get("version", "?"),
                                    people=w.details.get("people", "?")),
    "attendance.manual_registration": _manual,
    "attendance.remove": lambda w: _on_day(w, "attendance_day",
                                           _l("%(person)s was removed from the list for %(day)s.")),
    "attendance.void_scan": lambda w: _on_day(w, "scan_event",
                                              _l("A gate scan of %(person)s on %(day)s was voided.")),
    "card_order.create": lambda w: _engagement(w, _l("%(person)s, employed by %(company)s, was recorded with an "
                                                     "HMS card on order.")),
    "card_order.linked": lambda w: w.say(_l("The HMS card on order for %(person)s was linked to the card scanned "
                                            "at the gate."), person=w.person()),
    "card_order.manual_registration": lambda w: _on_day(w, "scan_event", _l(
        "%(person)s, with an HMS card on order, was registered by hand on the list for %(day)s.")),
    "company.add_to_site": lambda w: _chain(w, _l("%(company)s was added to the contract chain as %(role)s.")),
    "company.update_in_chain": lambda w: _chain(w, _l("The contract chain entry of %(company)s was changed: "
                                                      "%(role)s.")),
    "crew.import": lambda w: w.say(_l("A crew list of %(rows)s rows was imported: %(new)s new, %(changed)s "
                                      "changed, %(same)s unchanged."), rows=w.details.get("rows", 0),
                                   new=w.details.get("create", 0), changed=w.details.get("update", 0),
                                   same=w.details.get("unchanged", 0)),
    "engagement.add": lambda w: _engagement(w, _l("%(person)s was added to the crew of %(company)s.")),
    "engagement.update": lambda w: _engagement(w, _l("The engagement of %(person)s with %(company)s was changed.")),
    "followup.done": lambda w: w.say(_l("A follow-up was closed (card status: %(status)s)."),
                                     status=card_status_label(w.details.get("kind"))),
    "retention.purge": _retention,
    "connectors.resend": lambda w: w.say(_l("%(count)s failed transfers to HMSREG or ELRAPP were queued again."),
                                         count=w.details.get("deliveries", 0)),
    "visitor.add": lambda w: w.say(_l("A visitor was registered (visitor %(id)s)."), id=w.entry.target_id),
    "visitor.out": lambda w: w.say(_l("A visitor was signed out (visitor %(id)s)."), id=w.entry.target_id),
    "induction.set": lambda w: w.say(_l("The site induction was changed: %(mode)s, version %(version)s."),
                                     mode=w.details.get("mode", "?"), version=w.details.get("version", "?")),
    "induction.complete": lambda w: w.say(_l("%(person)s completed the site induction (version %(version)s)."),
                                          person=w.person(w.details.get("person_id")),
                                          version=w.details.get("version", "?")),
    "induction.image_add": lambda w: w.say(_l("A picture was added to the site induction (picture %(id)s)."),
                                           id=w.entry.target_id),
    "induction.image_delete": lambda w: w.say(_l("A picture was deleted from the site induction (picture %(id)s)."),
                                              id=w.entry.target_id),
    "self_service_link.create": lambda w: _link_person(w, _l("A self-service link was made for %(person)s.")),
    "self_service_link.open": lambda w: _link_person(w, _l("The self-service link of %(person)s was opened.")),
    "self_service_link.download": lambda w: _link_person(w, _l("%(person)s downloaded their data.")),
    "self_service_link.revoke": lambda w: _link_person(w, _l("The self-service link of %(person)s was revoked.")),
    "share_link.create": lambda w: _share(w, _l("A share link for %(days)s was made for %(recipient)s.")),
    "share_link.revoke": lambda w: _share(w, _l("The share link for %(recipient)s was revoked.")),
    "share_link.open": lambda w: _share(w, _l("The share link for %(recipient)s was opened.")),
    "share_link.view_day": lambda w: _share(w, _l("The share link for %(recipient)s was used to read a day's list.")),
    "share_link.download": lambda w: _share(w, _l("The share link for %(recipient)s was used to download a list.")),
}


def audit_sentence(entry, refs: dict | None, link_users: bool = False) -> Markup:
    """One entry in words; an action without a sentence says only that it happened."""
    words = Words(entry, refs or {}, link_users)
    sentence = SENTENCES.get(entry.action)
    try:
        return sentence(words) if sentence else escape(_("No description for this event."))
    except (KeyError, ValueError, TypeError):  # an old entry with other details: still a page
        return escape(_("No description for this event."))


ACTORS = {"cli": _l("command line"), "system": _l("Portvakt itself"), "share": _l("share link"),
          "self_service": _l("self-service link"), "kiosk": _l("kiosk"),
          "induction_link": _l("induction link")}


def actor_label(actor: str | None) -> str:
    """Who did it, when it was not a signed-in user ("cli", "share:5", "kiosk:2")."""
    kind, _sep, number = (actor or "").partition(":")
    label = ACTORS.get(kind)
    return f"{label} {number}".strip() if label else (actor or "")
