"""The import rules of docs/ARCHITECTURE.md hold, and the checker that enforces them bites.

The rules are ruff's banned-api settings in each folder's ruff.toml (survey_app/services,
each blueprint, forms, analytics), so ``make lint`` and any editor enforce them too; these
tests run the same checker on the tree and on a module written to break each rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).with_name("ruff")
BLUEPRINTS = ("public", "field", "dashboard", "admin", "api", "auth", "recognition")


def ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), "check", "--no-cache", "--select", "TID251", *args],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)


def test_the_tree_keeps_every_import_rule():
    result = ruff("survey_app", "forms", "analytics")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("module", "source", "rule"), [
    ("survey_app/services/intake/broken.py", "from survey_app.public.pages import notice\n",
     "services do not import blueprints"),
    ("survey_app/services/results/broken.py", "from flask import request\n",
     "services take explicit inputs"),
    ("survey_app/services/people/broken.py", "import survey_app.demo\n",
     "demo data is not part of the domain"),
    ("survey_app/field/broken.py", "from survey_app.admin import bp\n",
     "blueprints do not import each other"),
    ("survey_app/public/broken.py", "from survey_app.dashboard.views import index\n",
     "blueprints do not import each other"),
    ("forms/broken.py", "from flask_babel import gettext\n", "forms/ imports nothing from Flask"),
    ("analytics/broken.py", "from survey_app.models import Response\n", "analytics/ is pure"),
])
def test_a_module_that_breaks_a_rule_fails_the_check(module, source, rule):
    result = ruff("--stdin-filename", module, "-", stdin=source)
    assert result.returncode == 1
    assert rule in result.stdout


def commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


@pytest.mark.parametrize("folder", [*BLUEPRINTS, "cli", "services", "demo"])
def test_only_the_unit_of_work_commits(folder):
    """Views, commands and services write inside ``database.unit_of_work``; none commits or
    rolls back by hand."""
    found = {str(path.relative_to(ROOT)): lines
             for path in sorted((ROOT / "survey_app" / folder).rglob("*.py"))
             if (lines := commit_calls(path))}
    assert found == {}
