from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.auth.access import site_action
from app.domain import induction as rules
from app.extensions import db
from app.induction import bp
from app.induction.forms import BriefingForm, InductionForm, LinkForm
from app.models import Person, Site
from app.models._types import utcnow
from app.services import access_links, induction
from app.services.induction import InductionError
from app.templating import select_choices

# CommonMark without raw HTML: "<script>" in the text is shown as text, never run (and the CSP forbids it).
MARKDOWN = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> Markup:
    return Markup(MARKDOWN.render(text or ""))  # noqa: S704 (raw HTML is disabled above: the output is escaped)


def _people(site_id: int) -> list[tuple[int, str]]:
    return [(0, "–")] + [(p.id, f"{p.last_name}, {p.first_name}") for p in access_links.site_people(site_id)]


def _questions_text(questions: list) -> str:
    blocks = []
    for q in questions or []:
        lines = [f"{q['q']['nb']} | {q['q']['en']}"]
        lines += [("* " if i == q["answer"] else "- ") + f"{o['nb']} | {o['en']}" for i, o in enumerate(q["options"])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@bp.route("/sites/<int:site_id>/induction", methods=["GET", "POST"])
@site_action("manage_induction")
def settings(site_id: int):
    row = induction.settings(site_id)
    form = InductionForm(obj=None)
    if not form.is_submitted() and row is not None:
        form.mode.data, form.valid_months.data = row.mode, row.valid_months
        for lang in rules.LANGUAGES:
            getattr(form, f"text_{lang}").data = (row.texts or {}).get(lang, "")
        form.questions.data = _questions_text(row.questions)
    elif not form.is_submitted():
        form.valid_months.data = 12
    if form.validate_on_submit():
        try:
            questions = rules.parse_questions(form.questions.data or "")
            texts = {lang: getattr(form, f"text_{lang}").data or "" for lang in rules.LANGUAGES}
            induction.set_induction(site_id, current_user, utcnow(), mode=form.mode.data,
                                    valid_months=form.valid_months.data, texts=texts, questions=questions,
                                    require_again=form.require_again.data)
        except ValueError as error:  # InductionError too
            form.questions.errors.append(_("Check the text and the questions: %(why)s",
                                           why=getattr(error, "code", str(error))))
        else:
            flash(_("The induction is saved."), "success")
            return redirect(url_for(".settings", site_id=site_id))
    people = _people(site_id)
    briefing, link = BriefingForm(prefix="b"), LinkForm(prefix="l")
    briefing.person_id.choices = link.person_id.choices = select_choices(people)
    return render_template("induction/settings.html", form=form, row=row, briefing=briefing, link_form=link,
                           new_url=request.args.get("new_url"), preview=render_markdown((row.texts or {}).get("nb", ""))
                           if row else None)


@bp.post("/sites/<int:site_id>/induction/briefing")
@site_action("manage_induction")
def briefing(site_id: int):
    form = BriefingForm(prefix="b")
    form.person_id.choices = select_choices(_people(site_id))
    if not form.validate_on_submit() or not access_links._person_on_site(site_id, form.person_id.data):
        flash(_("Choose a person who works on this site and say who held the briefing."), "error")
    else:
        try:
            induction.complete(site_id, form.person_id.data, utcnow(), "briefing", current_user, form.held_by.data)
        except InductionError:
            flash(_("Save the induction first."), "error")
        else:
            flash(_("The briefing is recorded."), "success")
    return redirect(url_for(".settings", site_id=site_id))


@bp.post("/sites/<int:site_id>/induction/link")
@site_action("manage_induction")
def make_link(site_id: int):
    form = LinkForm(prefix="l")
    form.person_id.choices = select_choices(_people(site_id))
    if not form.validate_on_submit() or not access_links._person_on_site(site_id, form.person_id.data):
        abort(400)
    url = induction.link_url(site_id, form.person_id.data)
    return render_template("induction/link.html", url=url)


@bp.get("/sites/<int:site_id>/induction.csv")
@site_action("view_induction")
def completions(site_id: int):
    return Response(induction.completions_csv(site_id), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=hms-introduksjon-{site_id}.csv"})


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_or_410(token: str) -> tuple[int, int]:
    try:
        return induction.read_token(token)
    except InductionError as refused:
        abort(410 if refused.code == "expired" else 404, description=_(
            "This induction link has expired. Scan your card at the gate or ask the site office for a new one.")
            if refused.code == "expired" else _("This link does not exist. Check that it was copied whole."))


@bp.route("/induction/<token>", methods=["GET", "POST"])
def take(token: str):
    site_id, person_id = _token_or_410(token)
    row = induction.settings(site_id)
    if row is None or row.version == 0:
        abort(404)
    lang = request.values.get("lang", "nb")
    lang = lang if (row.texts or {}).get(lang) else "nb"
    answers_lang = "nb" if lang == "nb" else "en"
    wrong = done = False
    if request.method == "POST":
        answers = [request.form.get(f"q{i}", type=int) for i in range(len(row.questions or []))]
        try:
            induction.take_by_link(token, answers, utcnow())
            done = True
        except InductionError as refused:
            if refused.code != "wrong":
                abort(404)
            wrong = True
    person, site = db.session.get(Person, person_id), db.session.get(Site, site_id)
    return render_template("induction/take.html", site=site, first_name=person.first_name if person else "",
                           text=render_markdown(row.texts.get(lang, "")), questions=row.questions or [],
                           lang=lang, qlang=answers_lang, languages=[x for x in rules.LANGUAGES if row.texts.get(x)],
                           wrong=wrong, done=done, status=induction.status(site_id, person_id, utcnow()),
                           token=token)


@bp.app_context_processor
def induction_helpers() -> dict:
    """For the person, people and dashboard pages: induction status without a change to their views."""
    return {"induction_statuses": lambda site_id, person_ids: induction.statuses(site_id, list(person_ids), utcnow()),
            "induction_missing": lambda site_id: induction.expected_missing(site_id, utcnow())}
