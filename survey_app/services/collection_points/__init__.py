"""Collection points and what is printed for them.

Owns the points themselves (make, rotate, retire, find by token, scans against responses:
``points``), their QR codes (``qr``) and posters (``posters``). May import the catalogue.
"""
