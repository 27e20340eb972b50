"""The one shape of a refusal: a code with parameters, worded by ``survey_app.messages``.

A service raises ``DomainError("point_exists", commune=..., form=...)`` or a subclass named
for its area; a view or a command asks ``messages.describe(error)`` for the words, in the
request's language on the web and the default one in the shell.
"""

from typing import Any


class DomainError(Exception):
    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, **{self.params!r})"
