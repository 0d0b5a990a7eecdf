"""Output columns and column lineage of the SQL models, traced with sqlglot.

Split from `sql_models` (the loader) because it is metadata only: a construct sqlglot cannot trace
leaves a model's lineage empty and never stops a run. sqlglot is imported inside the functions.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from sqlglot import exp


class _Model(Protocol):
    """What lineage needs of a `sql_models.SqlModel` (a dataclass), without importing that module."""

    path: Path
    schema: str
    name: str


M = TypeVar("M", bound=_Model)


def with_columns(ordered: list[M], trees: dict[Path, exp.Query]) -> list[M]:
    """Add output columns and column lineage, upstream first so `select *` of a model expands."""
    known: dict[str, dict[str, dict[str, str]]] = {}
    result = []
    for model in ordered:
        columns, lineage = _lineage(trees[model.path], known)
        if columns:
            known.setdefault(model.schema, {})[model.name] = {c: "UNKNOWN" for c in columns}
        result.append(dataclasses.replace(model, columns=columns, column_lineage=lineage))
    return result


def _lineage(
    tree: exp.Query, schema: dict[str, dict[str, dict[str, str]]]
) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """Best-effort output columns and their upstream `schema.table.column`s.

    Lower-cased, as DuckDB resolves identifiers case-insensitively. Columns are empty when a
    `*` cannot be expanded (e.g. over a raw table, whose columns the parser does not know);
    the other columns keep their lineage.
    """
    from sqlglot import exp
    from sqlglot.lineage import lineage

    # Alias expansion fails without upstream schemas when e.g. QUALIFY names a select alias;
    # without it lineage still works, only less precise for aliases reused inside the select list.
    # trim_selects=False gives the same lineage on our models ~10x faster (it skips deep copies),
    # which matters because discovery runs whenever Dagster loads the definitions.
    for options in ({}, {"expand_alias_refs": False}):
        try:
            nodes = lineage(None, tree, schema=schema, dialect="duckdb", trim_selects=False, **options)
            break
        except Exception:  # lineage is metadata only: a construct sqlglot cannot trace must not stop a run
            continue
    else:
        return _plain_columns(tree), {}
    upstream: dict[str, list[str]] = {}
    for column, node in nodes.items():
        if column.endswith("*"):
            continue
        sources = set()
        for leaf in node.walk():
            if isinstance(leaf.expression, exp.Table) and leaf.expression.db:
                source_column = leaf.name.split(".")[-1].strip('"')  # leaf names read `alias.column`
                sources.add(f"{leaf.expression.db}.{leaf.expression.name}.{source_column}".lower())
        upstream[column] = sorted(sources)
    return (() if len(upstream) < len(nodes) else tuple(nodes)), upstream


def _plain_columns(tree: exp.Query) -> tuple[str, ...]:
    names = [name.lower() for name in tree.named_selects]
    return () if any(n.endswith("*") or not n for n in names) else tuple(names)
