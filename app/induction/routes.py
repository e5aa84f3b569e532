from flask import Response, abort, flash, redirect, render_template, request, url_for
from markdown_it.common.utils import escapeHtml
from flask_babel import gettext as _
from flask_login import current_user
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.auth.access import site_action
from app.clock import utcnow
from app.domain import induction as rules
from app.extensions import db
from app.induction import bp
from app.induction.forms import BriefingForm, ImageForm, InductionForm, LinkForm
from app.models import Person, Site
from app.services import access_links, induction
from app.services.induction import InductionError
from app.templating import select_choices

# CommonMark without raw HTML: "<script>" in the text is shown as text, never run (and the CSP forbids it).
MARKDOWN = MarkdownIt("commonmark", {"html": False})
# The request limit for a picture upload: the app's usual 1 MB would refuse a 2 MB picture before the view.
IMAGE_UPLOAD_LIMIT = rules.MAX_IMAGE_BYTES + 512 * 1024
IMAGE_CACHE = "private, max-age=31536000, immutable"  # a picture never changes under its id

IMAGE_REFUSALS = {
    "image_type": lambda: _("That file is not a picture Portvakt can show: upload a PNG, JPEG or WebP file."),
    "image_too_large": lambda: _("The picture may be at most 2 MB."),
    "too_many_images": lambda: _("A site can have at most %(n)s pictures: delete one first.",
                                 n=rules.MAX_IMAGES_PER_SITE),
}


def _render_image(self, tokens, idx, options, env):
    """`![alt](bilde:12)`: the site's picture 12 through the URL in env["images"]; another site's or an
    unknown picture is its alt text, never a broken image. Other addresses render as CommonMark does."""
    token = tokens[idx]
    image_id = rules.image_ref_id(token.attrGet("src") or "")
    if image_id is None:
        return self.image(tokens, idx, options, env)
    url = (env.get("images") or {}).get(image_id)
    if url is None:
        return escapeHtml(self.renderInlineAsText(token.children or [], options, env))
    token.attrSet("src", url)
    return self.image(tokens, idx, options, env)


MARKDOWN.add_render_rule("image", _render_image)


def render_markdown(text: str, images: dict[int, str] | None = None) -> Markup:
    """The text as HTML; `images` maps the site's picture ids to the URLs they are served at."""
    # raw HTML is disabled above: the output is escaped
    return Markup(MARKDOWN.render(text or "", {"images": images or {}}))  # noqa: S704


@bp.url_value_preprocessor
def allow_image_uploads(endpoint, values):
    """Runs before every before_request hook, so the limit holds when the CSRF check parses the form."""
    if endpoint == "induction.upload_image" and request.method == "POST":
        request.max_content_length = IMAGE_UPLOAD_LIMIT


def _image_response(row) -> Response:
    if row is None:
        abort(404)
    return Response(row.data, mimetype=row.mimetype,
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": IMAGE_CACHE})


def _people(site_id: int) -> list[tuple[int, str]]:
    return [(0, "–")] + [(p.id, f"{p.last_name}, {p.first_name}") for p in access_links.site_people(site_id)]


def _questions_text(questions: list) -> str:
    blocks = []
    for q in questions or []:
        lines = [f"{q['q']['nb']} | {q['q']['en']}"]
        lines += [("* " if i == q["answer"] else "- ") + f"{o['nb']} | {o['en']}" for i, o in enumerate(q["options"])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _fill(form: InductionForm, row) -> None:
    """The settings form showing what is saved (12 months for a site without an induction yet)."""
    if row is None:
        form.valid_months.data = 12
        return
    form.mode.data, form.valid_months.data = row.mode, row.valid_months
    for lang in rules.LANGUAGES:
        getattr(form, f"text_{lang}").data = (row.texts or {}).get(lang, "")
    form.questions.data = _questions_text(row.questions)


@bp.route("/sites/<int:site_id>/induction", methods=["GET", "POST"])
@site_action("manage_induction")
def settings(site_id: int):
    row = induction.settings(site_id)
    form = InductionForm(obj=None)
    if not form.is_submitted():
        _fill(form, row)
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
    return _settings_page(site_id, form, row)


def _settings_page(site_id: int, form: InductionForm, row, image_form: ImageForm | None = None):
    people = _people(site_id)
    briefing, link = BriefingForm(prefix="b"), LinkForm(prefix="l")
    briefing.person_id.choices = link.person_id.choices = select_choices(people)
    pictures = induction.images(site_id)
    urls = {p.id: url_for(".image", site_id=site_id, image_id=p.id) for p in pictures}
    return render_template("induction/settings.html", form=form, row=row, briefing=briefing, link_form=link,
                           new_url=request.args.get("new_url"), images=pictures, image_urls=urls,
                           image_form=image_form or ImageForm(prefix="i"), image_prefix=rules.IMAGE_REF_PREFIX,
                           preview=render_markdown((row.texts or {}).get("nb", ""), urls) if row else None)


@bp.post("/sites/<int:site_id>/induction/images")
@site_action("manage_induction")
def upload_image(site_id: int):
    form = ImageForm(prefix="i")
    if form.validate_on_submit():
        upload = form.image.data
        data = upload.read(rules.MAX_IMAGE_BYTES + 1)
        name = form.name.data or (upload.filename or "").rsplit(".", 1)[0]
        try:
            induction.add_image(site_id, data, name, current_user, utcnow())
        except InductionError as refused:
            form.image.errors.append(IMAGE_REFUSALS.get(refused.code, IMAGE_REFUSALS["image_type"])())
        else:
            flash(_("The picture is uploaded: paste its Markdown into the text where it belongs."), "success")
            return redirect(url_for(".settings", site_id=site_id, _anchor="pictures"))
    row = induction.settings(site_id)
    settings_form = InductionForm(formdata=None)
    _fill(settings_form, row)
    return _settings_page(site_id, settings_form, row, form)


@bp.post("/sites/<int:site_id>/induction/images/<int:image_id>/delete")
@site_action("manage_induction")
def delete_image(site_id: int, image_id: int):
    if induction.delete_image(site_id, image_id, current_user, utcnow()):
        flash(_("The picture is deleted; where the text refers to it, its description is shown instead."), "success")
    else:  # deleted already (a second click), or not this site's
        flash(_("There is no such picture on this site."), "error")
    return redirect(url_for(".settings", site_id=site_id, _anchor="pictures"))


@bp.get("/sites/<int:site_id>/induction/images/<int:image_id>")
@site_action("manage_induction")
def image(site_id: int, image_id: int):
    return _image_response(induction.image(site_id, image_id))


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
    if "Cache-Control" not in response.headers:  # the pictures set their own
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
                           text=render_markdown(row.texts.get(lang, ""), _image_urls(site_id, token)), questions=row.questions or [],
                           lang=lang, qlang=answers_lang, languages=[x for x in rules.LANGUAGES if row.texts.get(x)],
                           wrong=wrong, done=done, status=induction.status(site_id, person_id, utcnow()),
                           token=token)


def _image_urls(site_id: int, token: str) -> dict[int, str]:
    return {i: url_for(".take_image", token=token, image_id=i) for i in induction.image_ids(site_id)}


@bp.get("/induction/<token>/images/<int:image_id>")
def take_image(token: str, image_id: int):
    """A picture of the induction on the worker's phone: only the link's site's, no account needed
    (pictures are not personal data); relative to the page, so the CSP's img-src 'self' holds."""
    site_id, _person_id = _token_or_410(token)
    return _image_response(induction.image(site_id, image_id))


@bp.app_context_processor
def induction_helpers() -> dict:
    """For the person, people and dashboard pages: induction status without a change to their views."""
    return {"induction_statuses": lambda site_id, person_ids: induction.statuses(site_id, list(person_ids), utcnow()),
            "induction_missing": lambda site_id: induction.expected_missing(site_id, utcnow())}
