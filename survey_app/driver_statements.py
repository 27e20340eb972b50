"""Statements compiled once and handed to the driver as they are.

Every citizen's submission runs the same few statements (the integrity rules' read, the
response, its answers, its ticket). Through ``Connection.execute`` each execution looks the
statement up in the compiled cache, builds an execution context, runs every parameter
through its type and wraps the rows: for the rules' read, with its fifty parameters, that
took ten times as long as SQLite took to run it. A ``DriverStatement`` does that work once
per dialect and hands the SQL to the driver, inside SQLAlchemy's transaction and with
SQLAlchemy's errors (a locked database still comes out as ``OperationalError``).

What it gives up: results come back as the driver returns them, without result types. So
it takes statements whose results need none (counts, ids, text). An insert's column defaults
are computed as SQLAlchemy computes them when they are a value or a plain function; any
other kind of default is refused when the statement is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

_MISSING = object()


@dataclass(frozen=True)
class _Parameter:
    #: The caller's key, or None for a value written in the statement (a literal, a LIMIT).
    key: str | None
    constant: Any
    process: Callable[[Any], Any] | None
    #: An inserted column's default, for when the caller gives no value.
    default: Callable[[], Any] | None = None

    def value(self, values: Mapping[str, Any]) -> Any:
        if self.key is None:
            return self.constant
        if self.default is None:
            return values[self.key]
        given = values.get(self.key, _MISSING)
        return self.default() if given is _MISSING else given


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool
    #: The placeholders in the SQL's order (positional), else each once.
    placeholders: tuple[str, ...]
    parameters: dict[str, _Parameter]

    def bind(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        # Each parameter once, however often the SQL uses it (the rules' read: 50 places).
        processed = {}
        for name, parameter in self.parameters.items():
            value = parameter.value(values)
            if parameter.process is not None and value is not None:
                value = parameter.process(value)
            processed[name] = value
        if self.positional:
            return tuple(processed[name] for name in self.placeholders)
        return processed


class DriverStatement:
    """A Core statement, compiled once per dialect (and per set of inserted columns).

    On SQLite it runs on the driver's own cursor: SQLite runs in this process, so there is
    no connection to lose, and what ``exec_driver_sql`` adds to each execution (an execution
    context, a result's metadata) cost as much as the rules' read itself. Its errors come
    out as SQLAlchemy's, as they would from ``execute``. Elsewhere, and whenever something
    listens to the engine's statements (a bench's timer, a test's counter), it goes through
    ``exec_driver_sql``.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...] | None], _Compiled] = {}

    def rows(self, target: Session | Connection, values: Mapping[str, Any],
             columns: tuple[str, ...] | None = None) -> list[Sequence[Any]]:
        """Run with ``values`` and return every row; ``columns`` names the columns an insert
        without ``.values()`` sets (those with a default may be left out of ``values``)."""
        connection = target if isinstance(target, Connection) else target.connection()
        compiled = self._for(connection.dialect, columns)
        return _run(connection, compiled.sql, compiled.bind(values), many=False)

    def execute_many(self, target: Session | Connection, rows: Sequence[Mapping[str, Any]],
                     columns: tuple[str, ...]) -> None:
        """Run once per row (the driver's executemany); an insert's ``columns`` as above."""
        connection = target if isinstance(target, Connection) else target.connection()
        compiled = self._for(connection.dialect, columns)
        _run(connection, compiled.sql, [compiled.bind(row) for row in rows], many=True)

    def _for(self, dialect: Dialect, columns: tuple[str, ...] | None) -> _Compiled:
        key = (dialect.name, columns)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect, columns)
        return found


def _run(connection: Connection, sql: str, parameters, *, many: bool) -> list[Sequence[Any]]:
    dispatch = connection.dispatch
    if (connection.dialect.name != "sqlite" or dispatch.before_cursor_execute
            or dispatch.after_cursor_execute):
        if many:
            connection.exec_driver_sql(sql, parameters)
            return []
        return list(connection.exec_driver_sql(sql, parameters).all())
    # The transaction SQLAlchemy began (BEGIN IMMEDIATE in a write) is the driver's too.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
            return []
        return cursor.execute(sql, parameters).fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, connection.dialect.loaded_dbapi.Error,
                                  dialect=connection.dialect) from error
    finally:
        cursor.close()


def _compile(statement: ClauseElement, dialect: Dialect,
             columns: tuple[str, ...] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect,
                                 column_keys=list(columns) if columns is not None else None)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("a statement with expanding parameters is compiled per execution")
    if compiled.update_prefetch:
        raise ValueError("an update's column defaults are not computed here")
    defaults = {column.key: _default(column) for column in compiled.insert_prefetch}
    parameters: dict[str, _Parameter] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.key in defaults:
            parameters[name] = _Parameter(bind.key, None, process, defaults[bind.key])
        elif bind.required:
            parameters[name] = _Parameter(bind.key, None, process)
        else:
            parameters[name] = _Parameter(None, bind.effective_value, process)
    placeholders = compiled.positiontup if compiled.positional else list(parameters)
    return _Compiled(compiled.string, compiled.positional, tuple(placeholders), parameters)


def _default(column) -> Callable[[], Any]:
    default = column.default
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        # SQLAlchemy wraps a function of no arguments in one that takes the context.
        return lambda: default.arg(None)
    raise ValueError(f"the default of {column.key} is not computed here")
