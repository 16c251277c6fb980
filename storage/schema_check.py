"""Do the models and the migrated database agree? `mentiondesk db check` asks; so does autogenerate.

The models (storage/models.py, storage/web_models.py) declare every table and index the migrations create.
A few exist on SQLite only: the trend rollup tables and two indexes of migration 0002. Those carry
`info={"dialect": "sqlite"}` on the models and are compared on SQLite and left out everywhere else; nothing
else is ever left out. The rollup triggers are not compared: Alembic has no notion of triggers; nor are the
FTS5 search tables of migration 0012 (virtual tables, storage/search.py).

SQLite cannot reflect an expression index (ix_mention_day) nor an index's sort order (ix_draft_queue's
`urgency DESC`), so Alembic would skip the one and miss a change to the other. For those indexes this module
compares the CREATE INDEX statement SQLite stored with the one the models compile to.

Draft.state is an Enum stored as VARCHAR(16) (native_enum=False, no CHECK constraint). Alembic compares the
DDL each side renders, VARCHAR(16) both, so it is equal; a changed length is still reported.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import sqla_compat
from sqlalchemy import Column, Connection, Engine, Index, MetaData, Table, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateIndex, SchemaItem
from sqlalchemy.sql.elements import UnaryExpression
from sqlmodel import SQLModel

from mentiondesk.core.errors import ConfigError
from storage.db import alembic_config
from storage.search import FTS_TABLES

ObjectFilter = Callable[[SchemaItem, str | None, str, bool, SchemaItem | None], bool]

# Reflection limits this module makes up for itself (see the module docstring), silenced only by their text.
_HANDLED_WARNINGS = (
    r"Skipped unsupported reflection of expression-based index",
    r"autogenerate skipping metadata-specified expression-based index",
)


def model_metadata() -> MetaData:
    """Every table the application declares."""
    import storage.desk_models  # noqa: F401
    import storage.models  # noqa: F401  (registers the tables)
    import storage.web_models  # noqa: F401

    return SQLModel.metadata


def include_object_for(dialect: str) -> ObjectFilter:
    """Alembic's include_object: leaves out a model table or index declared for another database only, unless
    the database has one of that name after all. Everything found in the database is always compared."""

    def include_object(
        obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
    ) -> bool:
        if type_ == "table" and reflected and name in FTS_TABLES:
            return False  # FTS5 virtual tables and their shadow tables: storage/search.py owns their SQL
        return reflected or compare_to is not None or _declared_for(obj, dialect)

    return include_object


def comparison_options(dialect: str) -> dict[str, Any]:
    """The options for `context.configure` (autogenerate in env.py) and for `db check` alike."""
    return {"include_object": include_object_for(dialect), "compare_type": True}


def revision_gap(engine: Engine) -> str | None:
    """Why the database is not at the newest migration, or None when it is."""
    path = engine.url.database
    if engine.dialect.name == "sqlite" and path and path != ":memory:" and not Path(path).exists():
        return f"there is no database file at {path}; run `mentiondesk db upgrade`"  # and connecting would make one
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with _connect(engine) as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    newest = ", ".join(sorted(heads))
    if not current:
        return f"the database has no schema yet (newest migration {newest}); run `mentiondesk db upgrade`"
    return (
        f"the database is at revision {', '.join(sorted(current))}, the newest migration is {newest}; "
        "run `mentiondesk db upgrade`"
    )


def schema_differences(engine: Engine, metadata: MetaData | None = None) -> list[str]:
    """What differs between the models and the database, one line each; empty when they agree."""
    metadata = metadata if metadata is not None else model_metadata()
    with _connect(engine) as connection, warnings.catch_warnings():
        for message in _HANDLED_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        dialect = connection.dialect.name
        context = MigrationContext.configure(connection, opts=comparison_options(dialect))
        found = _describe_all(list(_flatten(compare_metadata(context, metadata))))
        if dialect == "sqlite":
            found += _sqlite_unreflected_indexes(connection, metadata)
    return found


# --- what alembic cannot see on SQLite --------------------------------------------------------------------


def _sqlite_unreflected_indexes(connection: Connection, metadata: MetaData) -> list[str]:
    inspector = inspect(connection)
    found = []
    for table in metadata.tables.values():
        if not _declared_for(table, "sqlite") or not inspector.has_table(table.name):
            continue  # a missing table is Alembic's to report
        stored: dict[str, str] = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table.name,),
            ).all()
        )
        reflected = {index["name"] for index in inspector.get_indexes(table.name)}
        declared = {str(index.name): index for index in table.indexes if _declared_for(index, "sqlite")}
        for name in sorted(stored.keys() - reflected - declared.keys()):
            found.append(f"index {name} on {table.name}: in the database, not on the models")
        for name, index in sorted(declared.items()):
            if not (_hidden_from_reflection(index) or _SORT_ORDER.search(stored.get(name, ""))):
                continue
            compiled = str(CreateIndex(index).compile(dialect=connection.dialect))
            if name not in stored:
                if sqla_compat.is_expression_index(index):  # otherwise Alembic reports it
                    found.append(f"index {name} on {table.name}: on the models, not in the database")
            elif " ".join(stored[name].split()) != " ".join(compiled.split()):
                found.append(
                    f"index {name} on {table.name}: defined differently (database: {stored[name]}; models: {compiled})"
                )
    return found


_SORT_ORDER = re.compile(r"\b(ASC|DESC)\b", re.IGNORECASE)


def _hidden_from_reflection(index: Index) -> bool:
    """Expression indexes and sort orders, which SQLite's reflection leaves out."""
    return any(isinstance(expr, UnaryExpression) for expr in index.expressions) or bool(
        sqla_compat.is_expression_index(index)
    )


# --- wording ------------------------------------------------------------------------------------------------

_ADDED = "on the models, not in the database"
_REMOVED = "in the database, not on the models"


def _describe(diff: tuple[Any, ...]) -> str:
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return f"table {diff[1].name}: {_side(kind)}"
    if kind in ("add_column", "remove_column"):
        column: Column[Any] = diff[3]
        return f"column {diff[2]}.{column.name}: {_side(kind)}"
    if kind in ("add_index", "remove_index"):
        index: Index = diff[1]
        return f"index {index.name} on {_table_name(index.table)}: {_side(kind)} ({_columns(index)})"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        what = "foreign key" if kind.endswith("_fk") else "constraint"
        name = constraint.name or "(unnamed)"
        return f"{what} {name} on {_table_name(constraint.table)}: {_side(kind)} ({_columns(constraint)})"
    if kind == "modify_type":
        return f"column {diff[2]}.{diff[3]}: type {diff[5]} in the database, {diff[6]} on the models"
    if kind == "modify_nullable":
        return (
            f"column {diff[2]}.{diff[3]}: {_nullability(diff[5])} in the database, "
            f"{_nullability(diff[6])} on the models"
        )
    if kind == "modify_default":
        return f"column {diff[2]}.{diff[3]}: default {diff[5]!r} in the database, {diff[6]!r} on the models"
    return f"{kind.replace('_', ' ')}: {diff[1:]!r}"


def _describe_all(diffs: list[tuple[Any, ...]]) -> list[str]:
    """One line per difference; Alembic's removed-plus-added index of one name is one changed index."""
    removed = {diff[1].name: diff[1] for diff in diffs if diff[0] == "remove_index"}
    added = {diff[1].name: diff[1] for diff in diffs if diff[0] == "add_index"}
    lines = []
    for diff in diffs:
        name = diff[1].name if diff[0] in ("remove_index", "add_index") else None
        if name not in removed or name not in added:
            lines.append(_describe(diff))
        elif diff[0] == "remove_index":
            lines.append(
                f"index {name} on {_table_name(diff[1].table)}: defined differently "
                f"(database: {_columns(removed[name])}; models: {_columns(added[name])})"
            )
    return lines


def _side(kind: str) -> str:
    return _ADDED if kind.startswith("add") else _REMOVED


def _columns(item: Any) -> str:
    expressions = getattr(item, "expressions", None) or list(item.columns)
    return ", ".join(getattr(expr, "name", None) or str(expr) for expr in expressions)


def _table_name(table: Table | None) -> str:
    return table.name if table is not None else "?"


def _nullability(nullable: bool | None) -> str:
    return "NULL allowed" if nullable else "NOT NULL"


# --- plumbing -----------------------------------------------------------------------------------------------


def _declared_for(obj: SchemaItem, dialect: str) -> bool:
    only_on = getattr(obj, "info", {}).get("dialect")
    return only_on is None or only_on == dialect


def _flatten(diffs: list[Any]) -> Iterator[tuple[Any, ...]]:
    # Column changes come grouped in a list per column; everything else is one tuple.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as connection:
            yield connection
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers spread their reason over several lines
        raise ConfigError(f"cannot reach the database: {reason}", key="MENTIONDESK_DATABASE_URL") from None
