"""Intake: every channel's way into the responses table, and nothing else's.

Owns ``intake.take`` (validate, pick the version, store exactly once, say what happened),
the insert itself (``store``), what a QR link opens (``live_links``), the batched scan
counts, and the offline app's sync. Every channel (QR, field interview, paper sheet, file
import, offline sync) calls ``take``; a check that applies to every response goes there.
May import catalogue and people; not results, bulk_import or collection_points' posters.
"""
