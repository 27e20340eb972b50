"""``answered_by_commune_staff``: which forms the commune's own staff answer, read from the
definition (the privacy rules of services/results/privacy.py rest on it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from forms import DefinitionError
from forms import load_definition
from forms import load_definition_file

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"


def test_only_pks01_is_answered_by_the_communes_own_staff():
    staff = {path.name: load_definition_file(path).answered_by_commune_staff
             for path in sorted(DEFINITIONS.glob("*.yaml"))}
    assert {name for name, is_staff in staff.items() if is_staff} == {"pks01.v2.yaml"}


def test_the_key_is_optional_and_must_be_true_or_false():
    data = yaml.safe_load((DEFINITIONS / "pks05.v2.yaml").read_text(encoding="utf-8"))
    assert load_definition(dict(data)).answered_by_commune_staff is False
    assert load_definition({**data, "answered_by_commune_staff": True}).answered_by_commune_staff
    with pytest.raises(DefinitionError) as refused:
        load_definition({**data, "answered_by_commune_staff": "có"})
    assert [(p.where, p.code) for p in refused.value.problems] == [
        ("answered_by_commune_staff", "not_boolean")]
