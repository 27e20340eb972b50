"""Collection points: their QR codes and posters, scans against responses, new and retired points.

Viewing and printing is open to every role that reads communes, within its own scope (a
commune's staff reprint their own posters); creating, rotating and retiring is for admins.
"""

from __future__ import annotations

import io

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from survey_app.access import role_required
from survey_app.access import visible_commune_ids
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.inputs import parse_id
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.models import Role
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.collection_points.points import commune_summaries
from survey_app.services.collection_points.points import create_point
from survey_app.services.collection_points.points import point_stats
from survey_app.services.collection_points.points import public_link
from survey_app.services.collection_points.points import retire_point
from survey_app.services.collection_points.points import rotate_token
from survey_app.services.collection_points.posters import PosterScope
from survey_app.services.collection_points.posters import ascii_slug
from survey_app.services.collection_points.posters import find_posters
from survey_app.services.collection_points.posters import write_posters_pdf
from survey_app.services.collection_points.posters import write_qr_zip
from survey_app.services.collection_points.qr import SIZES
from survey_app.services.collection_points.qr import qr_png
from survey_app.services.collection_points.qr import qr_svg
from survey_app.writes import attempt

AREAS.append(("admin.points", _l("QR codes and posters")))

#: Roles that may see and print their communes' codes; admins always may.
READERS = (Role.steering, Role.grouping, Role.commune_official)


class PointForm(FlaskForm):
    form_code = SelectField(_l("Form"), validators=[DataRequired()])
    label = StringField(_l("Counter label (optional)"), validators=[Length(max=120)],
                        description=_l("e.g. \"Counter 2\" when the commune has two counters"))


def point_form() -> PointForm:
    form = PointForm()
    form.form_code.choices = [
        (f.code, f"{f.code} · {f.title}")
        for f in db.session.scalars(select(Form).where(Form.is_retired.is_(False))
                                    .order_by(Form.code))
    ]
    return form


def visible_commune(commune_id: int) -> Commune:
    """The commune, if the user may see it; 404 otherwise, so ids reveal nothing."""
    commune = db.session.scalar(
        select(Commune).where(Commune.id == commune_id,
                              Commune.id.in_(visible_commune_ids(current_user)))
    )
    return commune or abort(404)


def visible_point(point_id: int, *, live: bool = True) -> CollectionPoint:
    point = db.session.scalar(
        select(CollectionPoint).where(
            CollectionPoint.id == point_id,
            CollectionPoint.commune_id.in_(visible_commune_ids(current_user)),
        )
    )
    if point is None or (live and point.retired_at is not None):
        abort(404)
    return point


def print_size(args=None) -> str:
    size = (request.args if args is None else args).get("size", "a4").lower()
    return size if size in SIZES else "a4"


@bp.get("/ma-qr/")
@role_required(*READERS)
def points():
    """List the communes in scope with their points, scans and responses; print in batches."""
    if current_user.role is Role.commune_official and current_user.commune_id:
        return redirect(url_for("admin.commune_points", commune_id=current_user.commune_id))
    visible = visible_commune_ids(current_user)
    provinces = db.session.scalars(
        select(Province).where(Province.id.in_(select(Commune.province_id)
                                               .where(Commune.id.in_(visible))))
        .order_by(Province.name)
    ).all()
    wanted = request.args.get("province", type=parse_id)
    province = next((p for p in provinces if p.id == wanted), provinces[0] if provinces else None)
    if province is None:
        return render_template("admin/points/index.html", province=None, provinces=[])
    groupings = db.session.scalars(
        select(Grouping).where(Grouping.id.in_(select(Commune.grouping_id).where(
            Commune.id.in_(visible), Commune.province_id == province.id)))
        .order_by(Grouping.code)
    ).all()
    grouping_id = request.args.get("grouping", type=parse_id)
    grouping = next((g for g in groupings if g.id == grouping_id), None)
    shown = select(Commune.id).where(Commune.id.in_(visible), Commune.province_id == province.id)
    if grouping is not None:
        shown = shown.where(Commune.grouping_id == grouping.id)
    return render_template(
        "admin/points/index.html",
        provinces=provinces, province=province, groupings=groupings, grouping=grouping,
        summaries=commune_summaries(db.session, shown),
        forms=db.session.scalars(select(Form).order_by(Form.code)).all(),
    )


@bp.get("/ma-qr/xa/<int:commune_id>")
@role_required(*READERS)
def commune_points(commune_id: int):
    """A commune's points with their codes and links, to reprint; admins also manage them."""
    commune = visible_commune(commune_id)
    stats = point_stats(db.session, commune.id, visible_commune_ids(current_user))
    return render_template(
        "admin/points/commune.html",
        commune=commune,
        live=[s for s in stats if s.point.retired_at is None],
        retired=[s for s in stats if s.point.retired_at is not None],
        links={s.point.id: public_link(s.point.token) for s in stats},
        form=point_form() if current_user.role is Role.admin else None,
        sizes=SIZES,
    )


@bp.get("/ma-qr/diem/<int:point_id>.png")
@role_required(*READERS)
def point_png(point_id: int):
    """The point's QR code as a PNG that prints at the poster's size (300 dpi)."""
    point = visible_point(point_id)
    size = print_size()
    image = qr_png(public_link(point.token), size)
    return send_bytes(image, "image/png", f"{download_stem(point)}-{size}.png",
                      attachment=bool(request.args.get("download")))


@bp.get("/ma-qr/diem/<int:point_id>.svg")
@role_required(*READERS)
def point_svg(point_id: int):
    """The point's QR code as an SVG sized in millimetres."""
    point = visible_point(point_id)
    size = print_size()
    image = qr_svg(public_link(point.token), size)
    return send_bytes(image, "image/svg+xml", f"{download_stem(point)}-{size}.svg",
                      attachment=bool(request.args.get("download")))


@bp.get("/ma-qr/diem/<int:point_id>/ap-phich.pdf")
@role_required(*READERS)
def point_poster(point_id: int):
    """One point's poster, to open and print."""
    point = visible_point(point_id)
    posters = find_posters(db.session, PosterScope(point_id=point.id),
                           visible_commune_ids(current_user))
    return pdf_response(posters, f"ap-phich-{download_stem(point)}.pdf", attachment=False)


@bp.get("/ma-qr/ap-phich.pdf")
@role_required(*READERS)
def posters_pdf():
    """Every live point's poster in a commune, as one PDF; a grouping's or a province's are
    made in the background (``poster_jobs``)."""
    scope, stem = batch_scope()
    if scope.commune_id is None:
        return in_background()
    return pdf_response(find_posters(db.session, scope, visible_commune_ids(current_user)),
                        f"ap-phich-{stem}.pdf", attachment=True)


@bp.get("/ma-qr/ma-qr.zip")
@role_required(*READERS)
def posters_zip():
    """Every live point's QR code in a commune as PNGs in a ZIP (wider: ``poster_jobs``)."""
    scope, stem = batch_scope()
    if scope.commune_id is None:
        return in_background()
    out = io.BytesIO()
    if not write_qr_zip(find_posters(db.session, scope, visible_commune_ids(current_user)), out,
                        print_size()):
        return nothing_to_print()
    return send_bytes(out.getvalue(), "application/zip", f"ma-qr-{stem}.zip", attachment=True)


@bp.post("/ma-qr/xa/<int:commune_id>/them")
@role_required()
def add_point(commune_id: int):
    """Open a new collection point for the commune."""
    commune = visible_commune(commune_id)
    form = point_form()
    if not form.validate_on_submit():
        flash(_("Choose a form for the new point."), "error")
        return redirect(url_for("admin.commune_points", commune_id=commune.id))
    point = attempt(lambda: audited_point(create_point(
        db.session, visible_commune(commune_id),
        db.session.scalar(select(Form).where(Form.code == form.form_code.data)),
        form.label.data), Action.POINT_CREATED))
    if point is None:
        return redirect(url_for("admin.commune_points", commune_id=commune.id))
    flash(_("Point for %(code)s opened. Print its poster and post it at the counter.",
            code=point.form.code))
    return redirect(url_for("admin.commune_points", commune_id=commune.id,
                            _anchor=f"point-{point.id}"))


@bp.post("/ma-qr/diem/<int:point_id>/doi-ma")
@role_required()
def rotate_point(point_id: int):
    """Give a point a new code; posters with the old one open the "no longer in use" page."""
    with unit_of_work(db.session):
        point = visible_point(point_id)
        rotate_token(db.session, point)
        audited_point(point, Action.TOKEN_ROTATED)
    flash(_("The code of %(code)s was changed. Print the new poster now: the old one no longer "
            "opens the form.", code=point.form.code))
    return redirect(url_for("admin.commune_points", commune_id=point.commune_id,
                            _anchor=f"point-{point.id}"))


@bp.post("/ma-qr/diem/<int:point_id>/ngung")
@role_required()
def retire(point_id: int):
    """Stop a point; its posters open the "no longer in use" page."""
    with unit_of_work(db.session):
        point = visible_point(point_id)
        retire_point(db.session, point)
        audited_point(point, Action.POINT_RETIRED)
    flash(_("Point for %(code)s retired. Take its posters down.", code=point.form.code))
    return redirect(url_for("admin.commune_points", commune_id=point.commune_id))


def audited_point(point: CollectionPoint, action: Action) -> CollectionPoint:
    """The trail's row for a change to a point, in the change's unit of work (never the
    token: whoever reads the trail could answer as the counter)."""
    trail.record(db.session, current_user, action, target=("collection_point", point.id),
                 province_id=point.commune.province_id, commune=point.commune.code,
                 form=point.form.code, label=point.label)
    return point


def in_background():
    """A grouping's or a province's posters take seconds to minutes: they are a job, asked
    for with the button on the points page."""
    flash(_("Posters for a district or a province are prepared in the background: choose the "
            "form and paper below and press the button."), "info")
    return redirect(url_for("admin.points", province=request.args.get("province", type=parse_id),
                            grouping=request.args.get("grouping", type=parse_id)))


def batch_scope(args=None) -> tuple[PosterScope, str]:
    """The scope asked for in ``args`` (the query string by default; the narrowest unit
    wins), and a file name."""
    args = request.args if args is None else args
    commune_id = args.get("commune", type=parse_id)
    grouping_id = args.get("grouping", type=parse_id)
    province_id = args.get("province", type=parse_id)
    form_code = args.get("form") or None
    if commune_id is not None:
        unit = visible_commune(commune_id).name
    elif grouping_id is not None:
        unit = (db.session.get(Grouping, grouping_id) or abort(404)).name
    elif province_id is not None:
        unit = (db.session.get(Province, province_id) or abort(404)).name
    else:
        abort(404)
    stem = ascii_slug(unit) + (f"-{form_code}" if form_code else "") + f"-{print_size(args)}"
    return PosterScope(province_id, grouping_id, commune_id, form_code), stem


def pdf_response(posters, download_name: str, *, attachment: bool):
    # reportlab holds a document until it is saved, so memory, not a temporary file, is
    # where it is made anyway: a whole province is about 3.5 MB.
    out = io.BytesIO()
    if not write_posters_pdf(posters, out, print_size()):
        return nothing_to_print()
    return send_bytes(out.getvalue(), "application/pdf", download_name, attachment=attachment)


def send_bytes(data: bytes, mimetype: str, download_name: str, *, attachment: bool):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=attachment,
                     download_name=download_name, max_age=0)


def nothing_to_print():
    flash(_("There is no live collection point to print here."), "error")
    commune_id = request.args.get("commune", type=parse_id)
    if commune_id is not None:
        return redirect(url_for("admin.commune_points", commune_id=commune_id))
    return redirect(url_for("admin.points", province=request.args.get("province", type=parse_id),
                            grouping=request.args.get("grouping", type=parse_id)))


def download_stem(point: CollectionPoint) -> str:
    stem = f"{ascii_slug(point.commune.name)}-{point.form.code}"
    return stem + (f"-{ascii_slug(point.label)}" if point.label else "")
