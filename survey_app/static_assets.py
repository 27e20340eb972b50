"""Static files under URLs that name their content, so that a browser keeps them for good.

``url_for`` for a static file (the app's or a blueprint's) adds ``v=``, the first characters
of the file's SHA-256; a request that carries the current one is answered "immutable" for a
year, so a repeat visit asks for no stylesheet or script at all. A changed file is a new URL.
A request without ``v``, or with an old one, is revalidated as before (ETag).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from markupsafe import Markup

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"


def init_app(app: Flask) -> None:
    app.url_defaults(add_version)
    app.after_request(cache_versioned)
    app.jinja_env.globals["static_text"] = static_text


def static_folder(endpoint: str | None) -> str | None:
    """The folder a static endpoint serves, None for any other endpoint."""
    if endpoint == "static":
        return current_app.static_folder
    if endpoint and endpoint.endswith(".static"):
        blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
        return blueprint.static_folder if blueprint else None
    return None


def file_version(folder: str, filename: str) -> str | None:
    """The file's version, None if there is no such file (``url_for`` then leaves it be)."""
    path = Path(folder, filename)
    try:
        # Keyed on the modification time: an edited file gets a new version without a restart.
        return content_version(str(path), os.stat(path).st_mtime_ns)
    except OSError:
        return None


@cache
def content_version(path: str, _mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_text(endpoint: str, filename: str) -> Markup:
    """A static file's text, to put in a page (a stylesheet inlined): the app's own file,
    read once per version."""
    folder = static_folder(endpoint)
    version = file_version(folder, filename) if folder else None
    if version is None:
        raise FileNotFoundError(f"{endpoint}: {filename}")
    return Markup(file_text(str(Path(folder, filename)), version))  # noqa: S704 (our file)


@cache
def file_text(path: str, _version: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def add_version(endpoint: str, values: dict) -> None:
    folder = static_folder(endpoint)
    if folder and "filename" in values and "v" not in values:
        version = file_version(folder, values["filename"])
        if version:
            values["v"] = version


def cache_versioned(response: Response) -> Response:
    wanted = request.args.get("v")
    folder = static_folder(request.endpoint) if wanted else None
    if (folder and response.status_code in (200, 304)
            and wanted == file_version(folder, request.view_args.get("filename", ""))):
        response.headers["Cache-Control"] = IMMUTABLE
    return response
