"""Skip an asset whose inputs have not changed since it last built its outputs.

In snapshot mode a source's inputs are files (recorded responses, demo values, the catalog) and
the upstream tables it reads; when none of them changed, parsing, validating and comparing again
would only confirm the tables that are already there. Live mode always asks the server: its
conditional requests make a repeat cheap, and only the server knows whether anything changed.
"""

import functools
import hashlib
import inspect
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.warehouse import (
    VERSIONS_DDL,
    content_fingerprint,
    file_stamp,
    fingerprint_of,
    inputs_unchanged,
    record_inputs,
    table_version,
)


def inputs_version(
    settings: PipelineSettings,
    warehouse: WarehouseResource,
    files: tuple[str, ...],
    upstream: tuple[str, ...],
    code: str,
    extra: str = "",
) -> str | None:
    """Fingerprint of everything the asset reads; None when an upstream table is missing.

    Upstream tables count by what they hold (`content_fingerprint`), not by the warehouse's own
    bookkeeping, so a table changed by other means is still seen as changed.
    """
    with warehouse.connect() as con:
        tables = content_fingerprint(con, list(upstream)) if upstream else ""
    if tables is None:
        return None
    stamp = file_stamp([settings.data_path / f for f in files])
    scope = f"{settings.source_mode}:{settings.municipality_code}:{settings.region_scope}"
    return fingerprint_of({"files": stamp, "tables": tables, "scope": scope, "code": code, "extra": extra})


def skip_when_unchanged(
    tables: tuple[str, ...],
    files: tuple[str, ...],
    upstream: tuple[str, ...] = (),
    *,
    partitioned: bool = False,
) -> Callable[[Callable[..., dg.MaterializeResult]], Callable[..., dg.MaterializeResult]]:
    """Decorate a source asset's function (below `@dg.asset`) that writes `tables` from `files`
    (relative to HYTE_DATA_DIR) and the `upstream` tables; a partitioned asset also keys on the
    partitions asked for."""

    def decorate(fn: Callable[..., dg.MaterializeResult]) -> Callable[..., dg.MaterializeResult]:
        # The defining module's text: a code change invalidates what was recorded before it.
        code = hashlib.sha256(Path(inspect.getfile(fn)).read_bytes()).hexdigest()[:12]

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> dg.MaterializeResult:
            settings: PipelineSettings = kwargs["settings"]  # type: ignore[assignment]
            warehouse: WarehouseResource = kwargs["warehouse"]  # type: ignore[assignment]
            extra = ",".join(args[0].partition_keys) if partitioned else ""  # type: ignore[attr-defined]
            version = (
                None if settings.live else inputs_version(settings, warehouse, files, upstream, code, extra)
            )
            if version is not None:
                with warehouse.connect() as con:
                    if inputs_unchanged(con, list(tables), version):
                        recorded = {t: (table_version(con, t) or ("", None))[0] for t in tables}
                        rows = con.execute(f"select count(*) from {tables[0]}").fetchone()[0]
                        version_of_data = (
                            recorded[tables[0]] if len(tables) == 1 else fingerprint_of(recorded)
                        )
                        return dg.MaterializeResult(
                            metadata={"skipped_unchanged_inputs": True, "dagster/row_count": rows},
                            data_version=dg.DataVersion(version_of_data),
                        )
            result = fn(*args, **kwargs)
            if version is not None:
                with warehouse.connect() as con:
                    record_inputs(con, list(tables), version)
            return result

        return wrapper

    return decorate


def all_tables_of(warehouse: WarehouseResource, *schemas: str) -> tuple[str, ...]:
    """Every table of these schemas (what publish, exports and the report read)."""
    with warehouse.connect() as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) order by 1",
            [list(schemas)],
        ).fetchall()
    return tuple(n for (n,) in names)


def derived_is_current(
    warehouse: WarehouseResource, marker: str, version: str | None, problems: list[str]
) -> bool:
    """True when `marker` was last built from `version` and its outputs have no `problems`
    (`lib.outputs.output_problems`: a file missing, cut short, or a stale serving file)."""
    if version is None or problems:
        return False
    with warehouse.connect() as con:
        found = table_version(con, marker)
    return found is not None and found[1] == version


def mark_derived(warehouse: WarehouseResource, marker: str, version: str | None) -> None:
    if version is None:
        return
    with warehouse.connect() as con:
        con.execute("create schema if not exists meta")
        con.execute(VERSIONS_DDL)
        con.execute(
            "insert or replace into meta.table_versions values (?, ?, ?, 0, now())",
            [marker, version, version],
        )


def skip_derived_when_unchanged(
    name: str,
    upstream: Callable[[WarehouseResource], tuple[str, ...]],
    outputs: Callable[[PipelineSettings, WarehouseResource], list[str]],
    files: tuple[str, ...] = (),
) -> Callable[[Callable[..., dg.MaterializeResult]], Callable[..., dg.MaterializeResult]]:
    """Like `skip_when_unchanged`, for assets whose output is files (report, exports, serving file):
    rebuild only when the tables they read (`upstream`), their `files` or their code changed, or
    `outputs` lists a problem (a file missing or broken). In live mode too: they read only the warehouse."""

    def decorate(fn: Callable[..., dg.MaterializeResult]) -> Callable[..., dg.MaterializeResult]:
        code = hashlib.sha256(Path(inspect.getfile(fn)).read_bytes()).hexdigest()[:12]
        marker = f"output.{name}"

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> dg.MaterializeResult:
            # An asset that reads only the warehouse (publish) needs no settings of its own.
            settings: PipelineSettings = kwargs.get("settings") or PipelineSettings()  # type: ignore[assignment]
            warehouse: WarehouseResource = kwargs["warehouse"]  # type: ignore[assignment]
            version = inputs_version(settings, warehouse, files, upstream(warehouse), code)
            if derived_is_current(warehouse, marker, version, outputs(settings, warehouse)):
                return dg.MaterializeResult(
                    metadata={"skipped_unchanged_inputs": True}, data_version=dg.DataVersion(version or "")
                )
            result = fn(*args, **kwargs)
            mark_derived(warehouse, marker, version)
            return result

        return wrapper

    return decorate
