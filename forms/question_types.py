"""The question types: one entry each, which every part of the app takes its behaviour from.

A new type is one entry here, plus its words in the app (``bulk_import.templates.KIND_LABELS``).
A new widget also needs its partial ``questions/<widget>.html`` in the public and the field
templates and a widget in the offline app's ``app.js`` (docs/FORMS.md). This module imports
nothing else of ``forms``: ``schema`` builds on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# What an answer is, and so how ``validate`` cleans it.
CHOICE = "choice"  #: one of the question's options
CHOICES = "choices"  #: any of its options, kept in their order
NUMBER = "number"  #: a number within min … max
TEXT = "text"  #: free text up to max_length

# Which check of ``loader`` reads the keys a type adds to the common ones.
OPTIONS = "options"  #: ``options``: at least two {value, label}
SCALE = "scale"  #: ``min``/``max`` whole numbers 0–10, with words for the two ends
BOUNDS = "bounds"  #: optional ``min``/``max``, and ``integer``
LENGTH = "length"  #: ``max_length``

#: yes/no questions share fixed values so that every form reads them the same way.
YES_NO_OPTIONS = (("co", "Có"), ("khong", "Không"))


@dataclass(frozen=True)
class QuestionType:
    """What one question type declares: how it is read, cleaned and drawn."""

    name: str
    #: The partial ``questions/<widget>.html`` in the public and field templates, and the
    #: widget the offline app draws; types that look alike share one.
    widget: str
    #: What an answer is (CHOICE, CHOICES, NUMBER, TEXT), and so how it is cleaned.
    answer: str
    #: The YAML keys the type may carry besides ``QUESTION_KEYS``; any other is reported.
    keys: frozenset[str] = frozenset()
    #: The loader's check of those keys (OPTIONS, SCALE, BOUNDS, LENGTH), or None.
    settings: str | None = None
    #: Options the type always has, whatever the file says (and then it lists none).
    fixed_options: tuple[tuple[str, str], ...] = ()
    #: May be the form's satisfaction question.
    satisfaction: bool = False

    @property
    def has_options(self) -> bool:
        """Answered with option values: may be matched by label and may be a show_if target."""
        return self.answer in (CHOICE, CHOICES)

    @property
    def multiple(self) -> bool:
        """An answer may hold several values."""
        return self.answer == CHOICES

    @property
    def scale(self) -> bool:
        """Answered with a point of ``Question.scale``, so always a whole number."""
        return self.settings == SCALE

    @property
    def grouped(self) -> bool:
        """Answered by picking one of several inputs: a fieldset with a legend, not a label."""
        return self.has_options or self.scale

    @property
    def free_text(self) -> bool:
        """Words that may identify who wrote them: not counted, and shown only to some roles."""
        return self.answer == TEXT


_TYPES = (
    QuestionType("single_choice", widget="choice", answer=CHOICE, keys=frozenset({"options"}),
                 settings=OPTIONS, satisfaction=True),
    QuestionType("multiple_choice", widget="choices", answer=CHOICES,
                 keys=frozenset({"options"}), settings=OPTIONS),
    QuestionType("yes_no", widget="choice", answer=CHOICE, fixed_options=YES_NO_OPTIONS),
    QuestionType("rating", widget="scale", answer=NUMBER,
                 keys=frozenset({"min", "max", "min_label", "max_label"}), settings=SCALE),
    QuestionType("short_text", widget="text", answer=TEXT, keys=frozenset({"max_length"}),
                 settings=LENGTH),
    QuestionType("number", widget="number", answer=NUMBER,
                 keys=frozenset({"min", "max", "integer"}), settings=BOUNDS),
)
#: Every type by name, in the order the loader lists them when a file names another.
QUESTION_TYPES: Mapping[str, QuestionType] = MappingProxyType({kind.name: kind for kind in _TYPES})
#: Every widget some type names, once each.
WIDGETS: tuple[str, ...] = tuple(dict.fromkeys(kind.widget for kind in _TYPES))
