"""Units: each commune's figures and grouping, the figures workbook, groupings, renamings."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from survey_app.access import role_required
from survey_app.admin import AREAS
from survey_app.admin import bp
from survey_app.clock import today_in_vietnam
from survey_app.database import unit_of_work
from survey_app.extensions import db
from survey_app.inputs import parse_id
from survey_app.inputs import valid_id
from survey_app.messages import describe_import_problem
from survey_app.models import Commune
from survey_app.models import CommuneFormerName
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.services.catalogue import groupings as groupings_service
from survey_app.services.catalogue.unit_figures import figures_template
from survey_app.services.catalogue.unit_figures import import_figures
from survey_app.services.catalogue.unit_figures import update_commune
from survey_app.services.catalogue.unit_names import merge_commune
from survey_app.services.catalogue.unit_names import rename_commune
from survey_app.writes import attempt

AREAS.append(("admin.units", _l("Units: figures, groupings and renamings")))

#: A report lists this many problems; the rest are counted.
SHOWN_PROBLEMS = 200
KIND_LABELS = {"district": _l("District"), "cluster": _l("Emulation cluster")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen_province() -> Province | None:
    """The province asked for, else the first one with communes."""
    province_id = request.args.get("province", type=parse_id)
    if province_id is not None:
        return db.get_or_404(Province, province_id)
    return db.session.scalar(select(Province).where(Province.id.in_(select(Commune.province_id)))
                             .order_by(Province.name).limit(1))


def provinces_with_communes() -> list[Province]:
    return list(db.session.scalars(select(Province).where(
        Province.id.in_(select(Commune.province_id))).order_by(Province.name)))


def render_units(province: Province | None, *, report=None, file_name: str | None = None,
                 status: int = 200):
    communes = [] if province is None else list(db.session.scalars(
        select(Commune).where(Commune.province_id == province.id)
        .order_by(Commune.is_active.desc(), Commune.name, Commune.code)))
    shown = [(p, describe_import_problem(p)) for p in (report.problems if report else [])
             [:SHOWN_PROBLEMS]]
    return render_template(
        "admin/units.html", province=province, provinces=provinces_with_communes(),
        communes=communes, report=report, problems=shown, file_name=file_name,
        problem_count=len(report.problems) if report else 0,
        groupings={g.id: g for g in db.session.scalars(select(Grouping))},
    ), status


@bp.get("/don-vi")
@role_required()
def units():
    """The province's communes with their figures; the workbook to download and upload."""
    return render_units(chosen_province())


@bp.get("/don-vi/mau/<int:province_id>.xlsx")
@role_required()
def units_template(province_id: int):
    """The figures workbook, filled in with the province's communes as they are now."""
    province = db.get_or_404(Province, province_id)
    data = figures_template(db.session, province, current_app.config["IMPORT_MAX_ROWS"])
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"so_lieu_don_vi_{province.code}.xlsx")


@bp.post("/don-vi/so-lieu")
@role_required()
def units_import():
    """Check an uploaded figures file row by row; apply it only if every row is right."""
    province = db.session.get(Province, request.form.get("province", type=parse_id) or 0)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("admin.units", province=province.id if province else None))
    data = upload.read()
    with unit_of_work(db.session):
        report = import_figures(db.session, upload.filename, data,
                                current_app.config["IMPORT_MAX_ROWS"])
    if not report.clean:
        return render_units(province, report=report, file_name=upload.filename, status=422)
    flash(_("“%(name)s” imported: %(rows)s rows read, %(changed)s communes changed.",
            name=upload.filename, rows=report.row_count, changed=report.changed), "success")
    return redirect(url_for("admin.units", province=province.id if province else None),
                    code=303)


def figure(name: str) -> int | None:
    """A figure field: empty is None (not known); anything but digits is -1 (refused)."""
    text = (request.form.get(name) or "").strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1


@bp.route("/don-vi/<int:commune_id>", methods=["GET", "POST"])
@role_required()
def unit_edit(commune_id: int):
    """One commune: figures and grouping; below, its names through reforms."""
    commune = db.get_or_404(Commune, commune_id)
    if request.method == "POST":
        grouping_id = valid_id(request.form.get("grouping_id") or "0")
        if attempt(lambda: update_commune(
            db.session, commune, staff_headcount=figure("staff_headcount"),
            population=figure("population"), yearly_transactions=figure("yearly_transactions"),
            grouping_id=grouping_id,
        )) is not None:
            flash(_("%(name)s saved.", name=commune.name), "success")
            return redirect(url_for("admin.units", province=commune.province_id), code=303)
        db.session.refresh(commune)
    return render_template(
        "admin/unit_edit.html", commune=commune, today=today_in_vietnam().isoformat(),
        groupings=list(db.session.scalars(select(Grouping).where(
            Grouping.province_id == commune.province_id).order_by(Grouping.name))),
        former_names=list(db.session.scalars(select(CommuneFormerName).where(
            CommuneFormerName.commune_id == commune.id).order_by(CommuneFormerName.until))),
    )


@bp.post("/don-vi/<int:commune_id>/doi-ten")
@role_required()
def unit_rename(commune_id: int):
    """A reform's new name from a given day; earlier campaigns keep the old one."""
    commune = db.get_or_404(Commune, commune_id)
    try:
        from_day = date.fromisoformat(request.form.get("from_day", ""))
    except ValueError:
        flash(_("Give the first day of the new name."), "error")
        return redirect(url_for("admin.unit_edit", commune_id=commune.id), code=303)
    old = commune.name
    new_name = request.form.get("name", "")
    if attempt(lambda: rename_commune(db.session, commune, new_name, from_day)) is not None:
        flash(_("%(old)s is called %(new)s from %(day)s; earlier results keep the old name.",
                old=old, new=commune.name, day=from_day.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("admin.unit_edit", commune_id=commune.id), code=303)


@bp.post("/don-vi/<int:commune_id>/sap-nhap")
@role_required()
def unit_merge(commune_id: int):
    """Take a commune merged into another out of new campaigns; its results stay."""
    commune = db.get_or_404(Commune, commune_id)
    if attempt(lambda: merge_commune(db.session, commune)) is not None:
        flash(_("%(name)s takes no part in new campaigns; its earlier results stay.",
                name=commune.name), "success")
    return redirect(url_for("admin.units", province=commune.province_id), code=303)


# --- Groupings -----------------------------------------------------------------------------


@bp.get("/nhom-don-vi")
@role_required()
def groupings():
    """The province's districts and clusters, with how many communes each holds."""
    province = chosen_province()
    rows = [] if province is None else db.session.execute(
        select(Grouping, func.count(Commune.id)).outerjoin(Commune, Commune.grouping_id
                                                            == Grouping.id)
        .where(Grouping.province_id == province.id).group_by(Grouping.id)
        .order_by(Grouping.code)).all()
    return render_template("admin/groupings.html", province=province, rows=rows,
                           provinces=provinces_with_communes(), kinds=KIND_LABELS)


@bp.post("/nhom-don-vi")
@role_required()
def grouping_create():
    province = db.session.get(Province, request.form.get("province", type=parse_id) or 0)
    if province is None:
        flash(_("Choose the province first."), "error")
        return redirect(url_for("admin.groupings"), code=303)
    grouping = attempt(lambda: groupings_service.create_grouping(
        db.session, province.id, request.form.get("code", ""), request.form.get("name", ""),
        request.form.get("kind", "")))
    if grouping is not None:
        flash(_("%(name)s created. Choose its communes below.", name=grouping.name), "success")
        return redirect(url_for("admin.grouping_edit", grouping_id=grouping.id), code=303)
    return redirect(url_for("admin.groupings", province=province.id), code=303)


@bp.route("/nhom-don-vi/<int:grouping_id>", methods=["GET", "POST"])
@role_required()
def grouping_edit(grouping_id: int):
    """Rename a grouping and choose its communes."""
    grouping = db.get_or_404(Grouping, grouping_id)
    if request.method == "POST":
        chosen = [valid_id(value) for value in request.form.getlist("commune")]
        if None in chosen:
            abort(400)

        def change() -> int:
            groupings_service.rename_grouping(db.session, grouping, request.form.get("name", ""),
                                              request.form.get("kind", ""))
            return groupings_service.assign_communes(db.session, grouping, chosen)

        if attempt(change) is not None:
            flash(_("%(name)s saved.", name=grouping.name), "success")
            return redirect(url_for("admin.groupings", province=grouping.province_id), code=303)
        db.session.refresh(grouping)
    communes = list(db.session.scalars(select(Commune).where(
        Commune.province_id == grouping.province_id, Commune.is_active.is_(True))
        .order_by(Commune.name)))
    others = {g.id: g.name for g in db.session.scalars(
        select(Grouping).where(Grouping.province_id == grouping.province_id))}
    return render_template("admin/grouping_edit.html", grouping=grouping, communes=communes,
                           others=others, kinds=KIND_LABELS)
