"""DuckDB writes that are all-or-nothing.

Every asset that writes the warehouse goes through `replace_tables`, which swaps all of the
asset's tables inside one transaction. A failed or killed refresh therefore leaves either the
old tables or the new ones, never a mix (DuckDB rolls an uncommitted transaction back when the
file is reopened).

Each written table also gets a content fingerprint in `meta.table_versions`, so that a refresh
can tell whether anything changed and skip downstream work when nothing did.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

VERSIONS_DDL = """
create table if not exists meta.table_versions (
    table_name varchar primary key,
    version varchar not null,
    inputs_version varchar,
    row_count bigint not null,
    updated_at timestamp not null
)
"""


class WarehouseBusy(RuntimeError):
    """The DuckDB file could not be opened (another process holds it, or it is not a database)."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def qualified(name: str) -> str:
    """`schema.table` → a quoted identifier, so names never need escaping at call sites."""
    schema, _, table = name.partition(".")
    if not table:
        raise ValueError(f"table name must be schema-qualified, got {name!r}")
    return f"{_quote(schema)}.{_quote(table)}"


# Warehouses this process keeps open (resolved path → [connection, depth]); see `held_open`.
_held: dict[Path, list] = {}
_held_guard = threading.Lock()


@contextmanager
def held_open(path: str | Path, *, lock_timeout_s: float = 30.0) -> Iterator[None]:
    """Keep the warehouse open while a run writes it, so each `connect` inside is a cheap cursor.

    Opening a DuckDB file loads its catalog and closing the last connection checkpoints it: about
    20 ms each, and a refresh opens the warehouse some 200 times. A run already holds the
    warehouse's run lock (`run_lock.hold`), so no other writer waits on it; other processes read
    the published serving file, not this one. Re-entrant: `make run` holds it around its two jobs
    and the warehouse resource inside each job again; the last release closes (and checkpoints).
    """
    key = Path(path).resolve()
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
        else:
            _held[key] = [_open(Path(path), False, lock_timeout_s, None), 1]
    try:
        yield
    finally:
        with _held_guard:
            entry = _held[key]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                entry[0].close()


def is_held(path: str | Path) -> bool:
    """Whether this process keeps `path` open for a run (`held_open`)."""
    return Path(path).resolve() in _held


@contextmanager
def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    lock_timeout_s: float = 30.0,
    config: Mapping[str, object] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting briefly if another process holds the write lock.

    DuckDB allows one writer per file; a BI tool that opens the working file would block
    us. We wait up to `lock_timeout_s` with a clear error afterwards instead of Dagster's
    ~100 s silent backoff; DuckDB's own message, kept in ours, names the holding PID.
    """
    path = Path(path)
    held = _held.get(path.resolve())
    if held is not None:
        # This process holds the warehouse for a run (`held_open`): a cursor of that connection.
        # A read-only request gets one too: DuckDB keeps one configuration per open file, and
        # the holder is the run that writes it.
        cursor = held[0].cursor()
        try:
            yield cursor
        finally:
            cursor.close()
        return
    con = _open(path, read_only, lock_timeout_s, config)
    try:
        yield con
    finally:
        con.close()


def _open(
    path: Path, read_only: bool, lock_timeout_s: float, config: Mapping[str, object] | None
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting up to `lock_timeout_s` while another process holds the file."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=dict(config or {}))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                waited = f" (waited {lock_timeout_s:.0f} s)" if "lock" in str(exc).lower() else ""
                raise WarehouseBusy(f"cannot open DuckDB file {path}{waited}: {exc}") from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


# What pandas infers for object columns that cannot hold a list or array cell.
_SCALAR_KINDS = frozenset(
    {"empty", "string", "bytes", "integer", "floating", "mixed-integer-float", "decimal", "boolean"}
    | {"datetime64", "datetime", "date", "timedelta64", "timedelta", "time", "period"}
)


def array_columns(df: pd.DataFrame) -> list[str]:
    """The object columns with list or array cells (DuckDB LIST columns, e.g. region memberships).

    `infer_dtype` clears a text column in C; only columns it calls mixed are looked at cell by
    cell (at national scale, looking at every cell of every text column took seconds a refresh).
    """
    import numpy as np
    from pandas.api.types import infer_dtype

    return [
        c
        for c in df.columns
        if df[c].dtype == object
        and infer_dtype(df[c], skipna=True) not in _SCALAR_KINDS
        and df[c].map(lambda v: isinstance(v, list | np.ndarray)).any()
    ]


def frame_fingerprint(df: pd.DataFrame) -> str:
    """A content hash of a frame (columns, dtypes and values), independent of the row index."""
    import pandas as pd

    digest = hashlib.sha256()
    digest.update("|".join(f"{c}:{t}" for c, t in df.dtypes.astype(str).items()).encode())
    if len(df):
        frame = df.reset_index(drop=True)
        # List cells (e.g. region memberships) are not hashable; their text form is stable.
        frame = frame.assign(**{c: frame[c].map(repr) for c in array_columns(frame)})
        hashed = pd.util.hash_pandas_object(frame, index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()[:16]


def replace_tables(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, pd.DataFrame],
    *,
    inputs_version: str | None = None,
) -> dict[str, str]:
    """Replace several `schema.table`s with DataFrames in one transaction.

    Returns the new content fingerprint of each table.
    """
    versions = {name: frame_fingerprint(df) for name, df in tables.items()}
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists meta")
        con.execute(VERSIONS_DDL)
        for name, df in tables.items():
            schema = name.partition(".")[0]
            con.execute(f"create schema if not exists {_quote(schema)}")
            con.register("_incoming", df)
            con.execute(f"create or replace table {qualified(name)} as select * from _incoming")
            con.unregister("_incoming")
            con.execute(
                "insert or replace into meta.table_versions values (?, ?, ?, ?, now())",
                [name, versions[name], inputs_version, len(df)],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return versions


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, _, table = name.partition(".")
    # DuckDB's own catalog functions: a third of the time of information_schema.tables (issue 19).
    found = con.execute(
        "select (select count(*) from duckdb_tables() where schema_name = $1 and table_name = $2)"
        " + (select count(*) from duckdb_views() where schema_name = $1 and view_name = $2 and not internal)",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return con.execute(f"select * from {qualified(name)}").df()


def table_version(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str | None] | None:
    """(version, inputs_version) recorded for a table, or None when it was never written."""
    if not table_exists(con, "meta.table_versions"):
        return None
    row = con.execute(
        "select version, inputs_version from meta.table_versions where table_name = ?", [name]
    ).fetchone()
    return (row[0], row[1]) if row else None


def fingerprint_of(versions: Mapping[str, str]) -> str:
    """One fingerprint over several table versions (for a Dagster DataVersion)."""
    joined = ";".join(f"{name}={version}" for name, version in sorted(versions.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def write_if_changed(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, pd.DataFrame],
    *,
    ignore_columns: tuple[str, ...] = ("fetched_at",),
) -> tuple[bool, dict[str, str]]:
    """Replace the tables only when their content (ignoring e.g. fetch times) changed.

    A refresh that finds nothing new re-writes nothing, so its downstream can be skipped.
    Returns (changed, versions).
    """
    versions = {
        name: frame_fingerprint(df.drop(columns=[c for c in ignore_columns if c in df]))
        for name, df in tables.items()
    }
    current = {name: (table_version(con, name) or ("", None))[0] for name in tables}
    if current == versions and all(table_exists(con, name) for name in tables):
        return False, versions
    replace_tables(con, tables)
    # Record the content version (without fetch times) so the next comparison is like for like.
    con.executemany(
        "update meta.table_versions set version = ? where table_name = ?",
        [[version, name] for name, version in versions.items()],
    )
    return True, versions


def record_inputs(con: duckdb.DuckDBPyConnection, names: list[str], inputs_version: str) -> None:
    """Remember which inputs produced these tables, so an unchanged refresh can skip them."""
    con.executemany(
        "update meta.table_versions set inputs_version = ? where table_name = ?",
        [[inputs_version, name] for name in names],
    )


def inputs_unchanged(con: duckdb.DuckDBPyConnection, names: list[str], inputs_version: str) -> bool:
    """True when every table exists and was last built from exactly these inputs."""
    for name in names:
        found = table_version(con, name)
        if found is None or found[1] != inputs_version or not table_exists(con, name):
            return False
    return True


def file_stamp(paths: list[Path]) -> str:
    """A cheap fingerprint of files and folders (names, sizes, modification times), not contents.

    Any rewrite of a file changes it, so it never misses a change; hashing the contents of a
    national-scale snapshot on every refresh would cost seconds. Compiled bytecode is left out:
    Python writes `__pycache__` during a run (`refresh_state` stamps the code too).
    """
    digest = hashlib.sha256()
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            # Named relative to the data folder's parts, so a copied or moved data folder
            # (same files, same times) keeps its stamp.
            name = f"{path.name}/{file.relative_to(path)}" if path.is_dir() else path.name
            stat = file.stat() if file.exists() else None
            entry = f"{name}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{name}:missing"
            digest.update(entry.encode() + b"\0")
    return digest.hexdigest()[:16]


def content_fingerprint(con: duckdb.DuckDBPyConnection, names: list[str]) -> str | None:
    """A fingerprint of what the tables actually hold (row count and an order-free sum of row
    hashes), however they were written; None when one is missing. ~30 ms per million rows."""
    parts = []
    for name in sorted(set(names)):
        if not table_exists(con, name):
            return None
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {qualified(name)} as t"
        ).fetchone()
        parts.append(f"{name}:{rows}:{total}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:16]


SETTINGS_TABLE = "meta.settings"


def read_settings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The `meta.settings` row(s) as they are now, or None when the table does not exist."""
    return read_table(con, SETTINGS_TABLE) if table_exists(con, SETTINGS_TABLE) else None


def restore_settings(con: duckdb.DuckDBPyConnection, before: pd.DataFrame | None) -> bool:
    """Put `meta.settings` back as it was before a failed run; True when that changed anything.

    The settings asset writes the table early in a run (the SQL models read it); if the run then
    fails, later runs (a sensor's, say) must not build on settings that never produced a
    successful run.
    """
    now = read_settings(con)
    if before is None:
        if now is None:
            return False
        con.execute(f"drop table {qualified(SETTINGS_TABLE)}")
        return True
    if now is not None and frame_fingerprint(now) == frame_fingerprint(before):
        return False
    replace_tables(con, {SETTINGS_TABLE: before})
    return True
