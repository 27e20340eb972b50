"""``flask jobs worker`` and ``flask jobs tidy``: the background jobs' worker and upkeep."""

import click
from flask import current_app

from survey_app import job_queue
from survey_app.database import unit_of_work
from survey_app.extensions import db

group = click.Group("jobs", help="Background jobs: posters, imports, exports.")


@group.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jobs run at the same time.")
def worker(workers: int) -> None:
    """Run the jobs' worker (the systemd unit deploy/survey-worker.service runs this)."""
    job_queue.run_worker(current_app._get_current_object(), workers)


@group.command("tidy")
def tidy() -> None:
    """Mark interrupted jobs failed; remove files past their keeping time (the worker also
    does this every ten minutes)."""
    with unit_of_work(db.session):
        job_queue.tidy(db.session)
    click.echo("jobs tidied")
