"""The audit trail: every staff action, written in the same unit of work as the action.

Owns ``AuditEntry`` rows: ``trail.record`` appends one (the only write there is), ``trail.verify``
walks the hash chain, ``trail.head`` is the hash every report and export prints, ``trail.entries``
reads the trail for its page. ``actions`` names the actions. May import models, database and
clock; nothing from the web layer: the view or command that acts passes who acted.
"""
