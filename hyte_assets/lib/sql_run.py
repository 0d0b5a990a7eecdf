"""Build and test `dbt_like_sql` models in DuckDB (the loader is `sql_models`): a model's table is
replaced in one transaction, a test returns its offending rows, and errors name the SQL file."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

import duckdb

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.sql_models import SOURCE, SqlModel, SqlTest

if TYPE_CHECKING:
    import pandas as pd


def materialize(
    con: duckdb.DuckDBPyConnection,
    model: SqlModel,
    before_commit: Callable[[int], None] | None = None,
) -> int:
    """Replace the model's table in one transaction and return its row count.

    A failure rolls back, so readers keep the previous table instead of a missing or half-built one.
    `before_commit(rows)` writes what belongs with the table (its version row) in the same
    transaction: one commit, and never a table without its version or the reverse.
    """
    target = f"{_quote(model.schema)}.{_quote(model.name)}"
    create = f"CREATE OR REPLACE TABLE {target} AS" + _align(model.sql, model.sql_start_line)
    con.execute("BEGIN TRANSACTION")
    try:
        if model.macros:
            con.execute(model.macros)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(model.schema)}")
        con.execute(create)
        row = con.execute(f"SELECT count(*) FROM {target}").fetchone()
        if before_commit is not None:
            before_commit(int(row[0]) if row else 0)
        con.execute("COMMIT")
    except BaseException as exc:
        # A failed COMMIT has already ended the transaction, so ROLLBACK may find none.
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise SourceError(
                SOURCE, f"building {model.table} failed: {exc}", file=str(model.path), item=model.table
            ) from exc
        raise
    return int(row[0]) if row else 0


def run_test(con: duckdb.DuckDBPyConnection, test: SqlTest) -> pd.DataFrame:
    """Run a SQL test and return its offending rows (empty when the test passes)."""
    try:
        return con.execute(_align(test.sql, test.sql_start_line)).df()
    except duckdb.Error as exc:
        raise SourceError(
            SOURCE, f"test {test.name} failed to run: {exc}", file=str(test.path), item=test.model
        ) from exc


def preview(con: duckdb.DuckDBPyConnection, schema: str, name: str, limit: int = 10) -> pd.DataFrame:
    """First rows of a table, for asset metadata and quick looks in a notebook."""
    return con.execute(f"SELECT * FROM {_quote(schema)}.{_quote(name)} LIMIT ?", [limit]).df()


def _align(sql: str, start_line: int) -> str:
    """Pad with newlines so the SQL sits on its file lines in DuckDB's error messages."""
    return "\n" * (start_line - 1) + (" " if start_line == 1 else "") + sql


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
