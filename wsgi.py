"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from survey_app import create_app

app = create_app()
# What start-up made lives as long as the process: kept out of the collector's sight, a full
# collection no longer walks its quarter of a million objects (a tenth of a second each
# time, every few hundred requests), and workers forked from a preloaded app keep sharing
# those pages instead of copying them as the collector touches them (Python's gc.freeze).
gc.freeze()
