"""People and access: staff accounts, mass organisations, surveyor assignments.

Owns accounts and passwords (``accounts``), who runs which form where and which communes a
surveyor covers (``assignments``), and the forms a field worker may enter today (``entry``).
Imports only the models, the clock and the database helpers.
"""
