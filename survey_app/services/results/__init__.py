"""Results: the database counts, ``analytics`` decides.

Owns reading the roll-up into ``analytics`` inputs and their results (``campaign``), the
rulebook versions (``rulebooks``), upkeep of the roll-up (``tallies``), field progress against
targets (``progress``) and the downloads (``exports``). May import people; never intake.
"""
