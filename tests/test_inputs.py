"""survey_app.inputs: what a client sent, judged without an app."""

from __future__ import annotations

import re
from datetime import date

import pytest

from survey_app import inputs


@pytest.mark.parametrize(("value", "expected"), [
    (5, 5), ("5", 5), ("0005", 5), (2**31 - 1, 2**31 - 1), ("2147483647", 2**31 - 1),
    (2**31, None), ("2147483648", None), ("9223372036854775808", None), (0, None), (-1, None),
    ("-1", None), ("²", None), ("١", None), (" 5", None), ("5\x00", None), ("", None),
    (True, None), (5.0, None), ([5], None), ({"id": 5}, None), (None, None),
    ("9" * 5000, None),
])
def test_valid_id_takes_only_what_can_be_a_database_id(value, expected):
    assert inputs.valid_id(value) == expected


def test_whole_number_is_ascii_digits_only():
    assert inputs.whole_number("024") == 24
    assert inputs.whole_number("²") is None  # "²".isdigit() is True; int("²") fails
    assert inputs.whole_number("٣") is None  # int("٣") is 3: not a code anyone typed
    assert inputs.whole_number("1" * 31) is None  # past any id, and int() slows with length


def test_parse_id_raises_value_error_for_werkzeugs_type_argument():
    assert inputs.parse_id(" 7 ") == 7
    for text in ("²", "2147483648", "x", ""):
        with pytest.raises(ValueError, match=f"^{re.escape(text)}$"):
            inputs.parse_id(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-06-30", date(2026, 6, 30)), ("2000-01-01", date(2000, 1, 1)),
    ("2199-12-31", date(2199, 12, 31)), ("1999-12-31", None), ("2200-01-01", None),
    ("9999-12-31", None), ("0001-01-01", None), ("2026-02-30", None), ("hôm nay", None),
    ("", None),
])
def test_valid_date_is_an_iso_date_in_a_sane_range(text, expected):
    assert inputs.valid_date(text) == expected


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f",
                                  "\x85", "\x9f", "x\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_unclean(text):
    assert not inputs.is_clean(text)
    assert inputs.is_clean(inputs.cleaned(text))


@pytest.mark.parametrize("text", ["", "Hà Nội", "dòng 1\r\ndòng 2\tcột", "²", "😀", "\ufeff",
                                  "\u00a0", "‘quoted’"])
def test_text_people_write_is_clean(text):
    assert inputs.is_clean(text)
    assert inputs.cleaned(text) == text


def test_json_is_clean_looks_at_every_key_and_string():
    assert inputs.json_is_clean({"a": [1, 2.5, None, True, {"b": "Hà Nội"}]})
    assert not inputs.json_is_clean({"a": [{"b": "x\x00"}]})
    assert not inputs.json_is_clean({"x\ud800": 1})
    assert not inputs.json_is_clean(["ok", "x\ud800"])


def test_load_json_bounds_depth_and_refuses_numbers_json_cannot_hold():
    assert inputs.load_json(b'{"submissions": [{"answers": {"q": ["a"]}}]}') == {
        "submissions": [{"answers": {"q": ["a"]}}]}
    deep = "[" * (inputs.MAX_JSON_DEPTH + 1) + "]" * (inputs.MAX_JSON_DEPTH + 1)
    assert inputs.load_json("[" * inputs.MAX_JSON_DEPTH + "]" * inputs.MAX_JSON_DEPTH)
    for body in (deep, "[" * 100_000, '{"a": NaN}', '{"a": Infinity}', '[-Infinity]',
                 "[1e999]", "{", b"\xff\xfe", "9" * 5000):
        with pytest.raises(inputs.BadJson):
            inputs.load_json(body)


def test_load_json_keeps_lone_surrogates_for_the_caller_to_judge():
    value = inputs.load_json('{"a": "x\\ud800"}')
    assert value == {"a": "x\ud800"}
    assert not inputs.json_is_clean(value)
