"""The Vietnamese catalogue is complete, current with the code, and keeps every placeholder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "survey_app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def catalogue():
    return read(CATALOGUE)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code uses today, extracted as `make extract` does."""
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    return read(pot)


def messages(catalog):
    return [m for m in catalog if m.id]


def strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_no_message_is_left_untranslated(catalogue):
    empty = [m.id for m in messages(catalogue) if not all(strings(m.string))]
    assert empty == [], "run the translation step (see COMMON brief) for these msgids"


def test_no_fuzzy_translation(catalogue):
    fuzzy = [m.id for m in messages(catalogue) if m.fuzzy]
    assert fuzzy == []


def test_every_message_in_the_code_is_in_the_catalogue(catalogue, extracted):
    missing = [m.id for m in messages(extracted) if m.id not in catalogue]
    assert missing == [], "run `make extract` and translate the new messages"


def test_placeholders_match_between_english_and_vietnamese(catalogue):
    wrong = []
    for message in messages(catalogue):
        for source, text in zip(strings(message.id), strings(message.string), strict=False):
            if text and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert wrong == []


def test_the_catalogue_is_vietnamese(catalogue):
    assert str(catalogue.locale) == "vi"
    assert catalogue["Send answers"].string == "Gửi phiếu"


def test_the_catalogue_compiles_as_make_does(catalogue):
    """``pybabel compile`` refuses a translation whose placeholders differ from its msgid's
    (a "%" in "95% limits" reads as one): `make run` would stop there."""
    problems = [(message.id, errors) for message, errors in catalogue.check() if errors]
    assert problems == []
