"""The catalogue: administrative units from the official list and published form versions.

Owns importing provinces and communes (``units``) and publishing a YAML definition as a new
version (``form_versions``). Imports only ``forms``, the models and the database helpers.
"""
