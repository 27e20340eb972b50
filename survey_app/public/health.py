"""``/healthz``: the load balancer's question, answered with one query."""

from flask import Response
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.public import bp


@bp.get("/healthz")
def health() -> Response:
    db.session.execute(select(1))
    return Response("ok", mimetype="text/plain")
