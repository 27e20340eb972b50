"""Bulk import of paper forms typed into a spreadsheet.

Owns reading CSV/XLSX bytes into cells (``files``), the blank templates and guide
(``templates``), the row-by-row check and the confirmed store of a batch (``imports``), which
stores each row through ``intake.take``. May import intake and people.
"""
