"""PKS form definitions as data: their schema, loader and answer validation.

Nothing here imports Flask or a database; the app stores what the loader returns.
"""

from forms.loader import DefinitionError
from forms.loader import load_definition
from forms.loader import load_definition_file
from forms.schema import FormDefinition
from forms.schema import Option
from forms.schema import Question
from forms.schema import Section
from forms.validate import AnswerErrors
from forms.validate import validate_answers

__all__ = [
    "AnswerErrors",
    "DefinitionError",
    "FormDefinition",
    "Option",
    "Question",
    "Section",
    "load_definition",
    "load_definition_file",
    "validate_answers",
]
