"""Campaigns: a province's survey year, made and run by its administrator.

Owns making a campaign (from scratch or as a copy of an earlier one), its forms with their
windows and sample targets (``campaigns``), opening and closing a form early with a reason
(``windows``), the sample-size helper (``targets``, on ``analytics.sample_size``) and the
campaign's collection points in bulk (``points``, on ``collection_points``). A change that
would leave stored responses outside their campaign's forms or windows is refused.
"""
