"""Reuse a check's results while what it checked is unchanged.

A check is a pure function of the tables it reads, the settings and the day (freshness); when
none of them changed since its last evaluation, running Great Expectations again (2–3 s of import
in a fresh run process, then tens of milliseconds per suite) would only repeat the verdict. The
results are stored with that key in `meta.check_results` and replayed, marked `reused_verdict`.
"""

import datetime as dt
import hashlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import dagster as dg
import duckdb

from hyte_assets.defs.resources import PipelineSettings
from hyte_assets.lib.warehouse import content_fingerprint, fingerprint_of

DDL = """
create table if not exists meta.check_results (
    check_group varchar primary key,
    verdict_key varchar not null,
    results varchar not null,
    stored_at timestamp not null
)
"""


def code_version(*objects: object) -> str:
    """Hash of the modules (given as a path or any object they define) that define the checks:
    a rule change invalidates stored verdicts."""
    digest = hashlib.sha256()
    for obj in objects:
        path = obj if isinstance(obj, str | Path) else inspect.getfile(obj)  # type: ignore[arg-type]
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def verdict_key(
    con: duckdb.DuckDBPyConnection, settings: PipelineSettings, tables: Iterable[str], code: str
) -> str | None:
    """None when a checked table is missing (then the check always runs).

    Keyed on the tables' actual content, not on the warehouse's own bookkeeping: a check must
    see a table that was changed by hand as changed.
    """
    tables_version = content_fingerprint(con, list(tables))
    if tables_version is None:
        return None
    scope = f"{settings.source_mode}:{settings.municipality_code}:{settings.region_scope}"
    return fingerprint_of(
        {"tables": tables_version, "scope": scope, "code": code, "day": dt.date.today().isoformat()}
    )


def replay(con: duckdb.DuckDBPyConnection, group: str, key: str | None) -> list[dg.AssetCheckResult] | None:
    if key is None:
        return None
    con.execute("create schema if not exists meta")
    con.execute(DDL)
    row = con.execute(
        "select results from meta.check_results where check_group = ? and verdict_key = ?", [group, key]
    ).fetchone()
    if row is None:
        return None
    return [
        dg.AssetCheckResult(
            asset_key=dg.AssetKey.from_user_string(item["asset"]),
            check_name=item["check"],
            passed=item["passed"],
            severity=dg.AssetCheckSeverity(item["severity"]),
            metadata={**dg.deserialize_value(item["metadata"]), "reused_verdict": True},
        )
        for item in dg.deserialize_value(row[0])
    ]


# Verdicts waiting for the end of a `batched` block, else None (each is stored at once).
_PENDING: ContextVar[list[list[str]] | None] = ContextVar("pending_verdicts", default=None)


@contextmanager
def batched(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Store the verdicts of the checks run inside in one transaction at the end.

    Each DuckDB commit syncs the write-ahead log (5–15 ms on this machine); the SQL models' step
    stores some 75 verdicts. Stored verdicts are only a cache: if the block fails, the ones it
    had not written are evaluated again next time.
    """
    pending: list[list[str]] = []
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    if pending:
        con.execute("begin transaction")
        try:
            _write(con, pending)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def _write(con: duckdb.DuckDBPyConnection, rows: list[list[str]]) -> None:
    con.execute("create schema if not exists meta")
    con.execute(DDL)
    con.executemany("insert or replace into meta.check_results values (?, ?, ?, now())", rows)


def store(
    con: duckdb.DuckDBPyConnection, group: str, key: str | None, results: list[dg.AssetCheckResult]
) -> None:
    if key is None:
        return
    payload = [
        {
            "asset": r.asset_key.to_user_string(),
            "check": r.check_name,
            "passed": r.passed,
            "severity": r.severity.value,
            "metadata": dg.serialize_value(r.metadata),
        }
        for r in results
    ]
    row = [group, key, dg.serialize_value(payload)]
    pending = _PENDING.get()
    if pending is not None:
        pending.append(row)
    else:
        _write(con, [row])


def with_reuse(
    group: str,
    settings: PipelineSettings,
    con: duckdb.DuckDBPyConnection,
    tables: Iterable[str],
    code: str,
    evaluate: Callable[[], list[dg.AssetCheckResult]],
) -> list[dg.AssetCheckResult]:
    """The stored results when nothing the check reads changed, else `evaluate()` (stored)."""
    key = verdict_key(con, settings, tables, code)
    reused = replay(con, group, key)
    if reused is not None:
        return reused
    results = evaluate()
    store(con, group, key, results)
    return results
