"""People and access: staff accounts, mass organisations, surveyor assignments.

Owns accounts and passwords (``accounts``), signing in (``sign_in``) and its second step
(``two_factor``), who runs which form where and which communes a surveyor covers
(``assignments``), and the forms a field worker may enter today (``entry``).
Imports the models, the clock, the database helpers and, for the set-up QR code,
``collection_points.qr``.
"""
