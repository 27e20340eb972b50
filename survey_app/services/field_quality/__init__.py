"""The quality of field work: surveyors ranked by how their interviews were done, and each
week's back-check list with what the call-backs found.

Owns ``BackCheck`` rows. Reads responses entered by field staff (interviews, paper sheets,
imports) and their answers; the indicators and the ranking are ``analytics.interview_quality``.
Shown to coordinators (their own organisation's people) and the committee, never to the
surveyors themselves. May import models, database, clock, the audit trail and ``analytics``.
"""
