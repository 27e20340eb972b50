"""The registry of question types: each entry is honoured by the loader, the validator, both
page templates, the offline app and the import guide, so a new type is one entry plus parts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms import DefinitionError
from forms import load_definition
from forms import validate_answers
from forms.question_types import NUMBER
from forms.question_types import QUESTION_TYPES
from forms.question_types import WIDGETS
from forms.schema import FormDefinition
from survey_app.services.bulk_import.templates import KIND_LABELS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FOLDERS = (ROOT / "survey_app/public/templates/public/questions",
                    ROOT / "survey_app/field/templates/field/questions")
OFFLINE_APP = ROOT / "survey_app/field/static/offline/app.js"

#: A valid value for every type-specific key; a new key needs one here.
KEY_SAMPLES = {
    "options": [{"value": "mot", "label": "Một"}, {"value": "hai", "label": "Hai"}],
    "min": 1,
    "max": 5,
    "min_label": "Rất kém",
    "max_label": "Rất tốt",
    "integer": True,
    "max_length": 300,
}
ALL_KEYS = sorted(set().union(*(kind.keys for kind in QUESTION_TYPES.values())))
#: An answer each type takes, as a browser sends it.
ANSWERS = {"choice": "mot", "choices": ["mot", "hai"], "number": "3", "text": "Góp ý"}


def definition(question: dict) -> dict:
    """A definition whose first question, with id ``probe``, is ``question``."""
    return {
        "code": "PKS05", "version": 1, "title": "Thử", "respondents": "Người dân",
        "organisation": "youth_union", "quarter": 3, "intro": "Phiếu không ghi tên.",
        "satisfaction": {"question": "q_overall", "satisfied": ["tot"]},
        "sections": [{"id": "only", "title": "Phần", "questions": [
            {"id": "probe", "text": "Câu hỏi thử", **question},
            {"id": "q_overall", "type": "single_choice", "text": "Hài lòng?", "required": True,
             "options": [{"value": "tot", "label": "Tốt"}, {"value": "kem", "label": "Kém"}]},
        ]}],
    }


def probe(name: str, **extra: object) -> dict:
    """A question of type ``name`` with every key of its type, and ``extra``."""
    own = {key: KEY_SAMPLES[key] for key in QUESTION_TYPES[name].keys}
    return {"type": name, **own, **extra}


def with_every_key(name: str) -> FormDefinition:
    return load_definition(definition(probe(name)))


def test_every_key_has_a_sample():
    assert set(ALL_KEYS) <= set(KEY_SAMPLES)


def test_the_types_are_listed_in_the_order_the_loader_names_them():
    assert list(QUESTION_TYPES) == ["single_choice", "multiple_choice", "yes_no", "rating",
                                    "short_text", "number"]


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_the_loader_accepts_every_type_with_all_its_keys(name):
    loaded = with_every_key(name).question("probe")
    assert loaded.type == name
    assert loaded.kind is QUESTION_TYPES[name]
    assert bool(loaded.options) == loaded.kind.has_options
    if loaded.kind.fixed_options:
        assert [(o.value, o.label) for o in loaded.options] == list(loaded.kind.fixed_options)


@pytest.mark.parametrize(("name", "key"), [
    (name, key) for name, kind in QUESTION_TYPES.items() for key in ALL_KEYS
    if key not in kind.keys
])
def test_the_loader_refuses_a_key_of_another_type(name, key):
    with pytest.raises(DefinitionError) as caught:
        load_definition(definition(probe(name, **{key: KEY_SAMPLES[key]})))
    assert [(p.where, p.code, p.params) for p in caught.value.problems] == [
        ("question 'probe'", "key_unknown_for_type", {"key": key, "type": name})]


@pytest.mark.parametrize("value", [["single_choice"], {"rating": 5}, None, "slider"])
def test_the_loader_refuses_a_type_not_in_the_registry(value):
    with pytest.raises(DefinitionError) as caught:
        load_definition(definition({"type": value}))
    [problem] = caught.value.problems
    assert problem.code == "question_type_invalid"
    assert problem.params["allowed"] == ", ".join(QUESTION_TYPES)


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_only_a_type_with_options_may_be_a_condition(name):
    kind = QUESTION_TYPES[name]
    data = definition(probe(name))
    value = "co" if kind.fixed_options else "mot"
    data["sections"][0]["questions"].append({
        "id": "after", "type": "short_text", "text": "Sau",
        "show_if": {"question": "probe", "equals": value}})
    if kind.has_options:
        assert load_definition(data).question("after").show_if.question == "probe"
    else:
        with pytest.raises(DefinitionError) as caught:
            load_definition(data)
        assert [p.code for p in caught.value.problems] == ["show_if_not_choice"]


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_every_type_cleans_an_answer(name):
    loaded = with_every_key(name)
    kind = QUESTION_TYPES[name]
    raw = "co" if kind.fixed_options else ANSWERS[kind.answer]
    result = validate_answers(loaded, {"probe": raw, "q_overall": "tot"})
    assert result.ok, result.errors
    assert result.answers["probe"] == (["mot", "hai"] if kind.multiple
                                       else 3 if kind.answer == NUMBER else raw)


@pytest.mark.parametrize("folder", TEMPLATE_FOLDERS, ids=lambda f: f.parts[-2])
def test_every_widget_has_its_partial_in_both_template_folders(folder):
    partials = {path.stem for path in folder.glob("*.html")}
    assert partials == set(WIDGETS)


def test_the_offline_app_draws_every_widget():
    script = OFFLINE_APP.read_text(encoding="utf-8")
    table = script[script.index("var WIDGETS = {"):]
    table = table[:table.index("\n  };")]
    drawn = set(re.findall(r"^    (\w+): \{", table, flags=re.MULTILINE))
    assert set(WIDGETS) <= drawn


def test_the_offline_app_switches_on_the_widget_not_the_type():
    assert "q.type" not in OFFLINE_APP.read_text(encoding="utf-8")


def test_every_type_has_words_in_the_import_guide():
    assert set(KIND_LABELS) == set(QUESTION_TYPES)
