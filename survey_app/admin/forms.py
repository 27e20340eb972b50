"""Forms: upload a new version and see the loader's report, preview it as a citizen's phone
shows it, publish, retire; which versions are in use and how many answers each holds."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from forms import FormDefinition
from forms.loader import place
from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.extensions import db
from survey_app.messages import PLACE_TEXTS
from survey_app.messages import text
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.catalogue.form_admin import MAX_DEFINITION_BYTES
from survey_app.services.catalogue.form_admin import forms_in_use
from survey_app.services.catalogue.form_admin import read_definition
from survey_app.services.catalogue.form_admin import set_retired
from survey_app.services.catalogue.form_versions import publish_definition
from survey_app.web_security import csp_nonce
from survey_app.writes import attempt

AREAS.append(("admin.forms", _l("Forms: new versions, preview, retire")))


def worded(problems) -> list[tuple[str | None, str, str]]:
    """(question id or None, where in words, what is wrong) for each loader problem."""
    rows = []
    for problem in problems:
        kind, parts = place(problem.where)
        where = _(PLACE_TEXTS[kind], **parts) if kind in PLACE_TEXTS else problem.where
        rows.append((parts.get("question") or parts.get("id"), where,
                     text(problem.code, problem.params)))
    return rows


def posted_definition() -> tuple[str, bytes]:
    """The definition a page posts back: an uploaded file, or the text of an earlier check."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.read(MAX_DEFINITION_BYTES + 1)
    return request.form.get("name", "form.yaml")[:120], request.form.get(
        "definition", "").encode("utf-8")


@bp.get("/bieu-mau")
@role_required()
def forms():
    """Every form with its versions, their answers and the campaigns that run it."""
    return render_template("admin/forms.html", uses=forms_in_use(db.session))


@bp.post("/bieu-mau/kiem-tra")
@role_required()
def form_check():
    """Check an uploaded definition: every problem with its place, or a ready version."""
    name, data = posted_definition()
    if not data.strip():
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("admin.forms"), code=303)
    definition, problems = read_definition(name, data)
    latest = None
    if definition is not None:
        form = db.session.scalar(db.select(Form).where(Form.code == definition.code))
        latest = form.current_version() if form else None
    return render_template(
        "admin/form_check.html", name=name, definition=definition,
        problems=worded(problems), latest=latest,
        text=data.decode("utf-8-sig") if definition is not None else "",
    ), 200 if definition is not None else 422


@bp.post("/bieu-mau/xem-truoc")
@role_required()
def form_preview_posted():
    """Preview a checked, unpublished definition: nothing is stored."""
    name, data = posted_definition()
    definition, _problems = read_definition(name, data)
    if definition is None:
        abort(422)
    return render_preview(definition, published=False)


@bp.get("/bieu-mau/phien-ban/<int:version_id>/xem-truoc")
@role_required()
def form_preview(version_id: int):
    """Preview a published version as a citizen's phone shows it."""
    version = db.get_or_404(FormVersion, version_id)
    return render_preview(version.parsed, published=True)


def render_preview(definition: FormDefinition, *, published: bool):
    questions = render_template("public/_questions.html", definition=definition, answers={},
                                errors={})
    return render_template("admin/form_preview.html", definition=definition,
                           questions=Markup(questions),  # noqa: S704 (autoescaped output)
                           published=published, script_nonce=csp_nonce())


@bp.post("/bieu-mau/dang")
@role_required()
def form_publish():
    """Publish a checked definition as its form's next version."""
    name, data = posted_definition()
    definition, _problems = read_definition(name, data)
    if definition is None:
        flash(_("The definition has problems: check it again."), "error")
        return redirect(url_for("admin.forms"), code=303)
    published = attempt(lambda: publish_definition(db.session, definition, current_user))
    if published is not None:
        flash(_("%(form)s version %(version)s published.", form=definition.code,
                version=definition.version) if published.created else
              _("%(form)s version %(version)s was already published.", form=definition.code,
                version=definition.version), "success")
    return redirect(url_for("admin.forms"), code=303)


@bp.post("/bieu-mau/<int:form_id>/ngung")
@role_required()
def form_retire(form_id: int):
    """Retire a form, or bring a retired one back."""
    form = db.get_or_404(Form, form_id)
    retired = request.form.get("retired", "1") == "1"
    if attempt(lambda: set_retired(db.session, form, retired),
               lambda _made: trail.record(
                   db.session, current_user,
                   Action.FORM_RETIRED if retired else Action.FORM_RESTORED,
                   target=("form", form.id), form=form.code)) is not None:
        flash(_("%(form)s retired: its links say it is no longer in use, and it takes no new "
                "campaign. Its answers stay.", form=form.code) if retired else
              _("%(form)s is in use again.", form=form.code), "success")
    return redirect(url_for("admin.forms"), code=303)
