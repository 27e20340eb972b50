"""A province's own criteria, loaded from a YAML file into the next version of its rulebook."""

from __future__ import annotations

from dataclasses import replace

import yaml
from sqlalchemy.orm import Session

from analytics.recognition import Problem
from analytics.recognition import RecognitionRules
from analytics.recognition import RecognitionRulesError
from survey_app.models import RulebookVersion
from survey_app.services.results.rulebooks import RulebookInUse
from survey_app.services.results.rulebooks import save_rulebook

MAX_BYTES = 200_000


def read_criteria(content: bytes) -> tuple[RecognitionRules | None, list[Problem]]:
    """The criteria file's rules, or every problem found in it (nothing is saved then)."""
    if len(content) > MAX_BYTES:
        return None, [Problem("rec_file_large_yaml", "file", {"max_kb": MAX_BYTES // 1000})]
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Problem("rec_yaml_encoding", "file")]
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return None, [Problem("rec_yaml_syntax", "file",
                              {"line": line + 1 if line is not None else "?"})]
    if isinstance(data, dict) and "recognition" in data:
        data = data["recognition"]
    try:
        return RecognitionRules.from_dict(data), []
    except RecognitionRulesError as error:
        return None, error.problems


def save_criteria(session: Session, province_id: int | None, current: RulebookInUse,
                  rules: RecognitionRules, note: str, user_id: int) -> RulebookVersion:
    """The next version of the scope's rulebook: the same survey rules, these criteria."""
    return save_rulebook(session, province_id, replace(current.rules, recognition=rules),
                         note, user_id)


def criteria_yaml(rules: RecognitionRules) -> str:
    """The rules as a file a province can edit and load again."""
    return yaml.safe_dump({"recognition": rules.to_dict()}, allow_unicode=True,
                          sort_keys=False)
