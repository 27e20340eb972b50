"""Recognition: the 100-point dossier from commune to province.

``dossiers``: registration, the self-assessment, review and its events, who may do what;
``evidence``: evidence files checked by content and kept outside the static folder;
``decisions``: the chairman's decision, its annex as PDF and XLSX; ``funnel``: the figures the
dashboard shows; ``deadlines``: the campaign's reports, what is due and who is late;
``criteria``: loading a province's criteria file into its rulebook.
The rules themselves (criteria, pass rule, survey points) are ``analytics.recognition``.
"""
