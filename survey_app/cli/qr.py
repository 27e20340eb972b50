"""``flask qr posters``: print a province's, a grouping's or a commune's posters from the shell."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.inputs import is_clean
from survey_app.inputs import whole_number
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import Grouping
from survey_app.models import Province
from survey_app.services.collection_points.posters import PosterScope
from survey_app.services.collection_points.posters import find_posters
from survey_app.services.collection_points.posters import write_posters_pdf
from survey_app.services.collection_points.posters import write_qr_zip
from survey_app.services.collection_points.qr import SIZES

group = click.Group("qr", help="QR codes and posters of collection points.")


@group.command("posters")
@click.option("--province", required=True, help="Official province code, e.g. 24.")
@click.option("--grouping", help="Code of a grouping (district or cluster), e.g. CUM1.")
@click.option("--commune", help="Official code of one commune.")
@click.option("--form", "form_code", help="Only this form, e.g. PKS05.")
@click.option("--size", type=click.Choice(sorted(SIZES)), default="a4", show_default=True,
              help="Paper size of the posters (and print size of the images).")
@click.option("--zip", "as_zip", is_flag=True,
              help="Write a ZIP of QR code PNG images with links.csv instead of a PDF.")
@click.option("--base-url", help="Public address the links start with "
                                 "(default: SURVEY_PUBLIC_BASE_URL).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, e.g. posters.pdf or codes.zip.")
def posters(province: str, grouping: str | None, commune: str | None, form_code: str | None,
            size: str, as_zip: bool, base_url: str | None, out: Path) -> None:
    """Write one poster per live collection point as one PDF (or the QR images as a ZIP)."""
    if base_url:
        current_app.config["PUBLIC_BASE_URL"] = base_url
    if not current_app.config.get("PUBLIC_BASE_URL") and not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("the posters need the public address: set "
                               "SURVEY_PUBLIC_BASE_URL or pass --base-url")
    scope = resolve_scope(province, grouping, commune, form_code)
    started = time.perf_counter()
    # Written next to the target and renamed at the end: a failure leaves no half a file.
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as stream:
            found = find_posters(db.session, scope, select(Commune.id))
            count = (write_qr_zip if as_zip else write_posters_pdf)(found, stream, size)
        if not count:
            raise click.ClickException("no live collection point matches; nothing written")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    what = "QR images" if as_zip else f"{size.upper()} posters"
    click.echo(f"{count} {what} written to {out} in {time.perf_counter() - started:.1f} s")


def resolve_scope(province: str, grouping: str | None, commune: str | None,
                  form_code: str | None) -> PosterScope:
    """Turn official codes into a scope, refusing codes that do not exist in the province."""
    for code in (province, grouping, commune, form_code):
        # Bytes the shell's encoding cannot read arrive as lone surrogates: no query takes them.
        if code and not is_clean(code):
            raise click.UsageError(f"{code!r} is not a code")
    # Codes are compared without their leading zeros ("024" is 24); "²" passes isdigit but
    # is no code, so whole_number, not isdigit, decides what is a number.
    province_number = whole_number(province)
    found = db.session.scalar(select(Province).where(Province.code == str(province_number))
                              ) if province_number is not None else None
    if found is None:
        raise click.UsageError(f"no province with code {province}")
    scope = PosterScope(province_id=found.id, form_code=form_code)
    if grouping:
        group = db.session.scalar(select(Grouping).where(Grouping.province_id == found.id,
                                                         Grouping.code == grouping))
        if group is None:
            raise click.UsageError(f"no grouping {grouping} in {found.name}")
        scope = PosterScope(found.id, group.id, form_code=form_code)
    if commune:
        commune_number = whole_number(commune)
        unit = db.session.scalar(select(Commune).where(Commune.province_id == found.id,
                                                       Commune.code == str(commune_number))
                                 ) if commune_number is not None else None
        if unit is None:
            raise click.UsageError(f"no commune {commune} in {found.name}")
        scope = PosterScope(found.id, scope.grouping_id, unit.id, form_code)
    if form_code and db.session.scalar(select(Form.id).where(Form.code == form_code)) is None:
        raise click.UsageError(f"no form {form_code}")
    return scope
