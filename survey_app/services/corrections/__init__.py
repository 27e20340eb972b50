"""Corrections as events: a field sheet entered in error is voided, or replaced by a corrected
one, by its surveyor or the organisation's coordinator, within the rulebook's window and with
a reason. The original is kept, marked superseded (who, when, why, by which sheet), and left
out of every count through ``Response.standing()``; each correction leaves an audit row.

May import models, database, clock, the audit trail, the intake and the rulebooks.
"""
