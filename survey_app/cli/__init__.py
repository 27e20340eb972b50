"""The shell's verbs, for a province's IT staff and for scripts: ``flask <group> <command>``.

One module per group, each defining a ``click.Group`` named ``group``; ``register`` adds them
all. Commands are thin like views: parse options, call a service inside a unit of work, print
what happened.
"""

from flask import Flask

from survey_app.cli import audit
from survey_app.cli import backup
from survey_app.cli import campaigns
from survey_app.cli import demo
from survey_app.cli import forms
from survey_app.cli import integrity
from survey_app.cli import jobs
from survey_app.cli import qr
from survey_app.cli import results
from survey_app.cli import units
from survey_app.cli import users

GROUPS = (units, forms, users, qr, results, demo, backup, audit, campaigns, jobs, integrity)


def register(app: Flask) -> None:
    for module in GROUPS:
        app.cli.add_command(module.group)
