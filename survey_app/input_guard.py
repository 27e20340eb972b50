"""The request's own text, checked once for every page before any view reads it.

A NUL or another control character in a query parameter, a form field or a path segment is
refused here with a 400 in Vietnamese, so no view passes it to a query (PostgreSQL refuses
NUL in text and the request would end in a 500) or stores it. Path ids are bounded by the
``int`` converter: an id past 32 bits matches no route, so the page is a plain 404.

The citizen's form checks its own answers (``public/views.py``): it shows the form again with
the answers kept rather than an error page. Uploaded file contents and JSON bodies are checked
by whoever reads them (the import, the offline sync).
"""

from __future__ import annotations

from flask import Flask
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from survey_app.inputs import MAX_ID
from survey_app.inputs import is_clean

#: The blueprint whose views check their own input, to answer with the form itself.
SELF_CHECKED = "public"


class IdConverter(IntegerConverter):
    """``<int:...>`` for a database id: 1 to 2**31 - 1, so a query never sees a wider one."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1,
                 max: int = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BadInput(BadRequest):
    """A request holding characters no text field may store; its description is the words."""


def register(app: Flask) -> None:
    """Bound ``<int:...>`` ids and check every request's text. Call before any blueprint."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unclean_text)


def refuse_unclean_text() -> None:
    if request.blueprint == SELF_CHECKED:
        return
    texts = [request.path, *(str(value) for value in (request.view_args or {}).values())]
    for fields in (request.args, request.form):
        for name, values in fields.lists():
            texts.append(name)
            texts.extend(values)
    if not all(is_clean(text) for text in texts):
        raise BadInput(_("What you sent contains characters that cannot be stored (a NUL or "
                         "another control character). Remove them and try again."))
