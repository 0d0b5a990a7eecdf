"""Skip an asset whose inputs have not changed since it last built its outputs.

In snapshot mode a source's inputs are files (recorded responses, demo values, the catalog) and
the upstream tables it reads; when none of them changed, parsing, validating and comparing again
would only confirm the tables that are already there. Live mode always asks the server: its
conditional requests make a repeat cheap, and only the server knows whether anything changed.
"""

import functools
import hashlib
import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.warehouse import (
    VERSIONS_DDL,
    content_fingerprint,
    file_stamp,
    fingerprint_of,
    inputs_unchanged,
    record_inputs,
    table_exists,
    table_version,
)

# Modules whose text counts as a source's parsing code: its own folder, the shared ingest helpers,
# and the protocol clients in lib/ (not Dagster, resources or checks, which have their own versions).
PARSING_CODE = ("hyte_assets.defs.sources.", "hyte_assets.lib.")


def _referenced_modules(module: ModuleType) -> set[str]:
    names = set()
    for value in vars(module).values():
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.startswith(PARSING_CODE):
            names.add(name)
    return names


def parsing_modules(module_name: str) -> set[str]:
    """The module and every parsing module it reaches through its names (see PARSING_CODE)."""
    seen: set[str] = set()
    todo = [module_name]
    while todo:
        name = todo.pop()
        if name in seen or name not in sys.modules:
            continue
        seen.add(name)
        todo.extend(_referenced_modules(sys.modules[name]))
    return seen


@functools.cache
def code_version_of(module_name: str) -> str:
    """Fingerprint of a source module's text and of every parsing module it reaches (its `lib/`
    client, the shared helpers): a parser fix changes it, so the snapshot is read again."""
    digest = hashlib.sha256()
    for name in sorted(parsing_modules(module_name)):
        source = getattr(sys.modules[name], "__file__", None)
        if source:
            digest.update(name.encode() + b"\0" + Path(source).read_bytes())
    return digest.hexdigest()[:12]


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
    multi: bool = False,
    optional: frozenset[str] = frozenset(),
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Decorate a source asset's function (below `@dg.asset`) that writes `tables` from `files`
    (relative to HYTE_DATA_DIR) and the `upstream` tables; a partitioned asset also keys on the
    partitions asked for. A `multi` asset (one spec per table) yields one result per table;
    its `optional` tables may be absent (nothing delivered yet), which does not prevent a skip.

    The key covers the code that parses the source (`code_version_of`): the defining module,
    the shared helpers and the `lib/` client it uses.
    """

    def decorate(fn: Callable[..., object]) -> Callable[..., object]:
        def version_for(args: tuple[object, ...], kwargs: dict[str, object]) -> str | None:
            settings: PipelineSettings = kwargs["settings"]  # type: ignore[assignment]
            warehouse: WarehouseResource = kwargs["warehouse"]  # type: ignore[assignment]
            extra = ",".join(args[0].partition_keys) if partitioned else ""  # type: ignore[attr-defined]
            if settings.live:
                return None
            code = code_version_of(fn.__module__)
            return inputs_version(settings, warehouse, files, upstream, code, extra)

        def skipped(warehouse: WarehouseResource, version: str) -> list[dg.MaterializeResult] | None:
            with warehouse.connect() as con:
                absent = [t for t in tables if t in optional and not table_exists(con, t)]
                present = [t for t in tables if t not in absent]
                if not inputs_unchanged(con, present, version):
                    return None
                recorded = {t: (table_version(con, t) or ("", None))[0] for t in present}
                rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in present}
            if multi:
                return [
                    dg.MaterializeResult(
                        asset_key=dg.AssetKey(t.split(".")),
                        metadata={"skipped_unchanged_inputs": True, "dagster/row_count": rows[t]},
                        data_version=dg.DataVersion(recorded[t]),
                    )
                    for t in present
                ] + [
                    dg.MaterializeResult(
                        asset_key=dg.AssetKey(t.split(".")),
                        metadata={"skipped_unchanged_inputs": True, "rows_delivered": 0},
                        data_version=dg.DataVersion("none"),
                    )
                    for t in absent
                ]
            version_of_data = recorded[tables[0]] if len(tables) == 1 else fingerprint_of(recorded)
            return [
                dg.MaterializeResult(
                    metadata={"skipped_unchanged_inputs": True, "dagster/row_count": rows[tables[0]]},
                    data_version=dg.DataVersion(version_of_data),
                )
            ]

        def record(kwargs: dict[str, object], version: str | None) -> None:
            if version is not None:
                warehouse: WarehouseResource = kwargs["warehouse"]  # type: ignore[assignment]
                with warehouse.connect() as con:
                    record_inputs(con, list(tables), version)

        if multi:

            @functools.wraps(fn)
            def multi_wrapper(*args: object, **kwargs: object) -> Iterator[dg.MaterializeResult]:
                version = version_for(args, kwargs)
                done = skipped(kwargs["warehouse"], version) if version else None  # type: ignore[arg-type]
                if done is not None:
                    yield from done
                    return
                yield from fn(*args, **kwargs)  # type: ignore[misc]
                record(kwargs, version)

            return multi_wrapper

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            version = version_for(args, kwargs)
            done = skipped(kwargs["warehouse"], version) if version else None  # type: ignore[arg-type]
            if done is not None:
                return done[0]
            result = fn(*args, **kwargs)
            record(kwargs, version)
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
