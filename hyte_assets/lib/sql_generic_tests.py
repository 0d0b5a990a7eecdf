"""Generic SQL tests declared in a model's header, compiled to SELECTs that return offending rows.

dbt writes these in YAML beside the model; here they are header lines of the model file, so the
contract sits next to the query that must keep it:

    -- unique: measure_id, region_code, period          (no two rows share these values)
    -- not_null: measure_id, status                      (none of these columns is NULL)
    -- accepted_values: status = improving, stable       (the column holds only these values)

Each line becomes one blocking test named `<model>__<kind>__<columns>` (more than three columns
are shortened to the first two and `and_<n>_more`). As in dbt, `accepted_values` lets NULL
through (state `not_null` for that); it compares the column's text form, so it also works for
numbers and booleans. Column names must be plain identifiers and
values are written into the SQL as quoted literals, so a directive cannot inject SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("unique", "not_null", "accepted_values")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


class DirectiveError(ValueError):
    """A malformed generic-test directive; the loader adds the file and line."""


@dataclass(frozen=True)
class GenericTest:
    """One compiled directive: `sql` selects the rows of `table` that break it."""

    name: str
    kind: str
    columns: tuple[str, ...]
    sql: str
    description: str
    line: int


def compile_directive(
    kind: str, value: str, *, table: str, line: int, columns: tuple[str, ...] = ()
) -> GenericTest:
    """Compile one `-- <kind>: <value>` header line of model `table` (`schema.name`).

    `columns` are the model's known output columns (empty when unknown); a directive naming
    another column is an error, so a renamed column cannot silently disable its test.
    """
    kind = kind.lower()
    if kind not in KINDS:
        raise DirectiveError(f"unknown test {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "accepted_values":
        column_text, sep, values_text = value.partition("=")
        if not sep:
            raise DirectiveError("accepted_values: write 'column = value, value, ...'")
        names = _columns(column_text, kind, columns)
        if len(names) != 1:
            raise DirectiveError("accepted_values: name exactly one column before '='")
        values = tuple(v.strip() for v in values_text.split(","))
        if not values or any(not v for v in values):
            raise DirectiveError("accepted_values: list non-empty values, separated by commas")
        sql = _accepted_values_sql(table, names[0], values)
        description = f"{names[0]} of {table} is one of: {', '.join(values)} (or NULL)."
    else:
        names = _columns(value, kind, columns)
        if kind == "unique":
            sql = _unique_sql(table, names)
            key = names[0] if len(names) == 1 else f"({', '.join(names)})"
            description = f"No two rows of {table} share {key}."
        else:
            sql = _not_null_sql(table, names)
            description = f"{', '.join(names)} of {table} {'is' if len(names) == 1 else 'are'} never NULL."
    # A long column list is shortened in the name (the description lists every column).
    shown = names if len(names) <= 3 else (*names[:2], f"and_{len(names) - 2}_more")
    name = f"{table.split('.')[-1]}__{kind}__{'__'.join(shown)}"
    return GenericTest(name=name, kind=kind, columns=names, sql=sql, description=description, line=line)


def _columns(text: str, kind: str, known: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in text.split(","))
    if not names or any(not n for n in names):
        raise DirectiveError(f"{kind}: list column names, separated by commas")
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise DirectiveError(f"{kind}: {name!r} is not a plain column name ([a-z_][a-z0-9_]*)")
        if known and name not in known:
            raise DirectiveError(f"{kind}: the model has no column {name!r}")
    if len(set(names)) != len(names):
        raise DirectiveError(f"{kind}: a column is named twice")
    return names


def _qualified(table: str) -> str:
    return ".".join(_quote(part) for part in table.split("."))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _unique_sql(table: str, columns: tuple[str, ...]) -> str:
    listed = ", ".join(_quote(c) for c in columns)
    return (
        f"select {listed}, count(*) as rows_found\nfrom {_qualified(table)}\n"
        f"group by {listed}\nhaving count(*) > 1"
    )


def _not_null_sql(table: str, columns: tuple[str, ...]) -> str:
    # Name the NULL columns of each offending row, so the sample in the UI says what is missing.
    nulls = ", ".join(f"case when {_quote(c)} is null then {_literal(c)} end" for c in columns)
    condition = " or ".join(f"{_quote(c)} is null" for c in columns)
    return f"select concat_ws(', ', {nulls}) as null_columns, *\nfrom {_qualified(table)}\nwhere {condition}"


def _accepted_values_sql(table: str, column: str, values: tuple[str, ...]) -> str:
    accepted = ", ".join(_literal(v) for v in values)
    return (
        f"select cast({_quote(column)} as varchar) as value_found, count(*) as rows_found\n"
        f"from {_qualified(table)}\nwhere cast({_quote(column)} as varchar) not in ({accepted})\n"
        "group by all"
    )
