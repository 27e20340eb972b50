"""Pure analytics: from counted responses and a rulebook to rates, statuses and targets.

Nothing here imports Flask or an ORM session (``ruff.toml`` bans them and a test checks it):
data comes in as dataclasses, results go out as frozen dataclasses, so every figure can be
recomputed by hand from the same inputs.
"""

from analytics.evaluation import Evaluation
from analytics.evaluation import evaluate_counts
from analytics.rulebook import FormRule
from analytics.rulebook import Rulebook
from analytics.rulebook import RulebookError
from analytics.satisfaction import CommuneInfo
from analytics.satisfaction import FormResult
from analytics.satisfaction import FormSpec
from analytics.satisfaction import FormState
from analytics.satisfaction import SampleCount
from analytics.satisfaction import satisfied_pairs
from analytics.stats import Interval
from analytics.stats import wilson_interval
from analytics.targets import SampleProgress
from analytics.targets import TargetProgress
from analytics.thresholds import CommuneStatus
from analytics.thresholds import Status

__all__ = [
    "CommuneInfo",
    "CommuneStatus",
    "Evaluation",
    "FormResult",
    "FormRule",
    "FormSpec",
    "FormState",
    "Interval",
    "Rulebook",
    "RulebookError",
    "SampleCount",
    "SampleProgress",
    "Status",
    "TargetProgress",
    "evaluate_counts",
    "satisfied_pairs",
    "wilson_interval",
]
