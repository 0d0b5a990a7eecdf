"""Copy the report tables into the read-only serving file that BI tools open.

DuckDB allows one writer *or* many readers per file, so a BI tool connected to the working file
would block every Dagster write. BI reads a copy instead: it is built beside the serving file under a
name of its own (`.<serving>.<random>.tmp`, so two publishes never write into one file), checkpointed
and closed, then swapped in with `os.replace`, an atomic rename on
POSIX. A reader that already has the old file open keeps its old, consistent snapshot (the old
inode); every new connection sees the new file; nobody ever sees a half-written file, and the
publish never waits for a reader. (Windows cannot replace an open file; the platform is Linux.)
A BI process that keeps a connection open keeps reading the old file, and DuckDB may reuse that open
database for new connections of the same process: such a tool sees a publication only after it has
closed every connection (or been restarted).

`meta.publication` records each table's content fingerprint (`warehouse.content_fingerprint`), so
`serving_problems` can tell whether the serving file still opens and holds what the working file holds.
"""

import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hyte_assets.lib.warehouse import connect, content_fingerprint, is_held

PUBLISHED_SCHEMAS = ("reports", "catalog")
# Not "reports.duckdb": DuckDB names a directly opened file's catalog after its stem, and a catalog
# called `reports` makes every `reports.<table>` query ambiguous ("use a fully qualified path").
SERVING_FILE = "hyte_reports.duckdb"
PUBLICATION_TABLE = "meta.publication"


@dataclass(frozen=True)
class PublishedTable:
    """One copied table: `schema.table`, its row count and its (column, DuckDB type) pairs."""

    name: str
    rows: int
    columns: tuple[tuple[str, str], ...]


def serving_path(working: str | Path) -> Path:
    """The serving file lives beside the working file, so one setting (HYTE_DUCKDB_PATH) places both."""
    return Path(working).with_name(SERVING_FILE)


def publish(
    working: str | Path,
    serving: str | Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    *,
    lock_timeout_s: float = 30.0,
) -> list[PublishedTable]:
    """Copy every table of `schemas` from `working` into a fresh file and swap it in as `serving`.

    The working file is attached read-only, so a concurrent reader of it is no obstacle; a writer in
    another process is waited for up to `lock_timeout_s`. Any failure leaves the serving file as it
    was. Also writes `meta.publication` (one row per copied table) so readers can tell when the data
    was published.
    """
    working, serving = Path(working), Path(serving)
    if not working.exists():
        raise FileNotFoundError(f"working warehouse {working} does not exist: nothing to publish")
    serving.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving.with_name(f".{serving.name}.{uuid.uuid4().hex}.tmp")
    try:
        with _publication(working, tmp, lock_timeout_s) as (con, source):
            published = _copy_schemas(con, schemas, source)
        os.replace(tmp, serving)
    except BaseException:
        _remove(tmp)
        raise
    return published


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """(column, type) pairs of `schema.table` in the connection's current database, in table order."""
    schema, _, table = name.partition(".")
    return [
        (column, data_type)
        for column, data_type in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ? "
            "order by column_index",
            [schema, table],
        ).fetchall()
    ]


@contextmanager
def _publication(
    working: Path, tmp: Path, lock_timeout_s: float
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A connection whose current database is the new file `tmp`, and the catalog name under which
    it reads `working`. When this process keeps `working` open for a run (`warehouse.held_open`),
    DuckDB cannot attach that file a second time: `tmp` is attached to the run's connection instead.
    """
    if is_held(working):
        with connect(working) as con:
            source = con.execute("select current_database()").fetchone()[0]
            con.execute(f"attach '{_literal(tmp)}' as publication")
            con.execute("use publication")
            try:
                yield con, source
                con.execute("checkpoint publication")
            finally:
                con.execute(f"use {_quote(source)}")
                con.execute("detach publication")
        return
    con = duckdb.connect(str(tmp))
    try:
        _attach_read_only(con, working, lock_timeout_s)
        yield con, "working"
        con.execute("detach working")
        con.execute("checkpoint")
    finally:
        con.close()


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _attach_read_only(con: duckdb.DuckDBPyConnection, working: Path, lock_timeout_s: float) -> None:
    """ATTACH the working file read-only, retrying while another process holds its write lock."""
    literal = _literal(working)
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    while True:
        try:
            con.execute(f"attach '{literal}' as working (read_only)")
            return
        except duckdb.Error as exc:
            message = str(exc)
            if "already attached" in message:
                raise RuntimeError(
                    f"{working} is still open in this process; every asset must close its connection "
                    f"before publish runs ({message})"
                ) from exc
            if "lock" not in message.lower() or time.monotonic() >= deadline:
                raise RuntimeError(f"cannot attach the working warehouse {working}: {message}") from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _copy_schemas(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...], source: str
) -> list[PublishedTable]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = ? and list_contains(?, schema_name) order by 1, 2",
        [source, list(schemas)],
    ).fetchall()
    published_at = dt.datetime.now().replace(microsecond=0)
    published = []
    for schema in schemas:
        con.execute(f"create schema if not exists {_quote(schema)}")
    for schema, table in tables:
        table_name = f"{_quote(schema)}.{_quote(table)}"
        con.execute(f"create table {table_name} as select * from {_quote(source)}.{table_name}")
        rows = con.execute(f"select count(*) from {table_name}").fetchone()[0]
        name = f"{schema}.{table}"
        published.append(PublishedTable(name, rows, tuple(table_columns(con, name))))
    con.execute("create schema if not exists meta")
    con.execute(
        f"create table {PUBLICATION_TABLE} (table_name varchar not null, row_count bigint not null, "
        "published_at timestamp not null, version varchar not null)"
    )
    con.executemany(
        f"insert into {PUBLICATION_TABLE} values (?, ?, ?, ?)",
        [[t.name, t.rows, published_at, content_fingerprint(con, [t.name])] for t in published],
    )
    return published


def serving_problems(serving: str | Path, working: str | Path) -> list[str]:
    """Why the serving file is not a current copy of the working file's published tables (empty: it is).

    It must open, list in `meta.publication` exactly the tables the working file has in the published
    schemas, and record for each the content fingerprint that table has in the working file now.
    """
    serving, working = Path(serving), Path(working)
    if not serving.exists():
        return [f"{serving} is missing"]
    try:
        with connect(serving, read_only=True) as con:
            recorded = dict(con.execute(f"select table_name, version from {PUBLICATION_TABLE}").fetchall())
            for name in recorded:
                con.execute(f"select count(*) from {_qualified(name)}").fetchone()
    except (duckdb.Error, OSError, RuntimeError) as exc:
        return [f"{serving} does not open as a publication: {str(exc).splitlines()[0]}"]
    with connect(working, read_only=True) as con:
        tables = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where list_contains(?, schema_name) and database_name = current_database()",
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        current = {name: content_fingerprint(con, [name]) for (name,) in tables}
    problems = [f"{name} is not in {serving}" for name in sorted(set(current) - set(recorded))]
    problems += [
        f"{name} is in {serving} but no longer published" for name in sorted(set(recorded) - set(current))
    ]
    problems += [
        f"{name} in {serving} differs from the working file"
        for name in sorted(set(current) & set(recorded))
        if current[name] != recorded[name]
    ]
    return problems


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _qualified(name: str) -> str:
    schema, _, table = name.partition(".")
    return f"{_quote(schema)}.{_quote(table)}"


def _remove(path: Path) -> None:
    """Remove a leftover temporary file and its WAL (from a crashed publish)."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)
