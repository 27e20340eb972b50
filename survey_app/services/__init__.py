"""Domain verbs on the database, grouped in feature packages (docs/ARCHITECTURE.md).

A service takes a session or connection and explicit inputs, flushes and never commits (the
caller's unit of work does), and refuses with a ``DomainError``. It may import ``forms``,
``analytics``, the models, the clock, the database helpers and other services; never a
blueprint, nor ``flask.request``.
"""
