"""One Dagster asset per file in dbt_like_sql/, all in one step; its SQL tests are blocking checks.

Dependencies come from the tables each query reads (parsed with sqlglot by
`hyte_assets.lib.sql_models`): a table's asset key is its path, whichever asset writes it. A model
whose inputs have not changed since its last build is skipped, so a refresh with no new source
data does almost no SQL work.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from hyte_assets.defs.checks.verdicts import batched, with_reuse
from hyte_assets.defs.metadata import preview as preview_md
from hyte_assets.defs.resources import PROJECT_ROOT, PipelineSettings, WarehouseResource
from hyte_assets.lib.sql_models import SqlModel, SqlTest, discover
from hyte_assets.lib.sql_run import materialize, preview, run_test
from hyte_assets.lib.warehouse import content_fingerprint, table_exists, table_version

if TYPE_CHECKING:
    import duckdb

SQL_ROOT = PROJECT_ROOT / "dbt_like_sql"


def asset_key_for(table: str) -> dg.AssetKey:
    """Every table's asset key is its path (`raw.sotkanet_values` → `raw/sotkanet_values`), for
    SQL models and for the Python assets that write the source and catalog tables."""
    return dg.AssetKey(table.split("."))


def shown_path(path: Path) -> str:
    """A SQL file's path as the UI shows it: relative to the project (a test's folder stays whole)."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def column_lineage(model: SqlModel) -> dg.TableColumnLineage | None:
    deps = {}
    for column, upstream in model.column_lineage.items():
        found = {(asset_key_for(table), name) for table, _, name in (ref.rpartition(".") for ref in upstream)}
        if found:
            deps[column] = [
                dg.TableColumnDep(asset_key=key, column_name=name)
                for key, name in sorted(found, key=lambda dep: (dep[0].to_user_string(), dep[1]))
            ]
    return dg.TableColumnLineage(deps) if deps else None


def model_spec(model: SqlModel) -> dg.AssetSpec:
    """The model's asset: key = its table, its group = its schema, its code version = its SQL."""
    definition_metadata = {
        "sql_file": shown_path(model.path),
        "reads": list(model.reads),
        "dagster/table_name": model.table,
    }
    lineage = column_lineage(model)
    if lineage:
        definition_metadata["dagster/column_lineage"] = lineage
    if model.grain:
        definition_metadata["grain"] = list(model.grain)
    return dg.AssetSpec(
        key=asset_key_for(model.table),
        description=model.description,
        group_name=model.schema,
        kinds={"sql", "duckdb"},
        owners=["team:hyte"],
        deps=[asset_key_for(t) for t in model.reads],
        metadata=definition_metadata,
        tags={"layer": model.schema, **{t: "" for t in model.tags}},
        code_version=sql_hash_of(model),
        skippable=True,
    )


def sql_hash_of(model: SqlModel) -> str:
    """The model's code version: its SQL and the macros it calls (lib/sql_macros.py)."""
    return hashlib.sha256((model.macros + model.sql).encode()).hexdigest()[:12]


def build_models_asset(models: list[SqlModel], tests: list[SqlTest]) -> dg.AssetsDefinition:
    """Every SQL model as one multi-asset, one step, its SQL tests blocking checks evaluated right
    after their model is built (issue 19: one step instead of about a hundred, each of which cost
    Dagster's bookkeeping for a query of milliseconds). Any subset can still run on its own.

    Models run in dependency order (`models` as `discover` returns them). A model whose query fails
    or whose blocking test fails stops the models that read it; the others still run, and the step
    fails at the end, naming them.
    """
    tests_of = {m.table: [t for t in tests if t.model == m.table] for m in models}

    @dg.multi_asset(
        name="sql_models",
        specs=[model_spec(m) for m in models],
        check_specs=[
            dg.AssetCheckSpec(t.name, asset=asset_key_for(t.model), description=t.description, blocking=True)
            for t in tests
        ],
        can_subset=True,
    )
    def _models(
        context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        selected_checks = context.selected_asset_check_keys
        stopped: dict[str, str] = {}  # table → why it (and what reads it) was not built or failed
        skipped: list[str] = []  # logged once: each log line is an event in Dagster's run storage
        with warehouse.connect() as con, batched(con):
            for model in models:
                if asset_key_for(model.table) not in context.selected_asset_keys:
                    continue
                blocked = [t for t in model.reads if t in stopped]
                if blocked:
                    stopped[model.table] = f"not built: it reads {', '.join(blocked)}"
                    context.log.error(f"{model.table}: {stopped[model.table]}")
                    continue
                try:
                    result = build_or_skip(context, con, model, sql_hash_of(model))
                except Exception as exc:  # noqa: BLE001 - named at the end; the independent models go on
                    stopped[model.table] = f"failed: {exc}"
                    context.log.error(f"{model.table}: {stopped[model.table]}")
                    continue
                checks = [
                    r
                    for test in tests_of[model.table]
                    if dg.AssetCheckKey(asset_key_for(model.table), test.name) in selected_checks
                    for r in sql_check_results(con, settings, test)
                ]
                if result.metadata.get("skipped_unchanged_inputs"):
                    skipped.append(model.table)
                failed = [c.check_name for c in checks if not c.passed]
                if failed:
                    stopped[model.table] = f"blocking test(s) failed: {', '.join(failed)}"
                yield dg.MaterializeResult(
                    asset_key=asset_key_for(model.table),
                    metadata=result.metadata,
                    data_version=result.data_version,
                    check_results=checks,
                )
        if skipped:
            context.log.info(f"{len(skipped)} {SKIPPED_NOTE}: {', '.join(skipped)}")
        errors = {t: why for t, why in stopped.items() if not why.startswith("blocking")}
        if errors:
            raise SqlModelsFailed("; ".join(f"{t}: {why}" for t, why in errors.items()))

    return _models


SKIPPED_NOTE = "models skipped, inputs unchanged since the last build"


class SqlModelsFailed(RuntimeError):
    """Some SQL models failed or were not built (each named); the others were built."""


def build_or_skip(
    context: dg.AssetExecutionContext, con: "duckdb.DuckDBPyConnection", model: SqlModel, sql_hash: str
) -> dg.MaterializeResult:
    """Build the model's table, or skip it when its inputs and SQL are those of the last build."""
    inputs = content_fingerprint(con, list(model.reads))
    inputs_version = f"{inputs}:{sql_hash}" if inputs else None
    recorded = table_version(con, model.table)
    if inputs_version and recorded and recorded[1] == inputs_version and table_exists(con, model.table):
        rows = con.execute(f"select count(*) from {model.table}").fetchone()[0]
        return dg.MaterializeResult(
            metadata={"dagster/row_count": rows, "skipped_unchanged_inputs": True},
            data_version=dg.DataVersion(recorded[0]),
        )

    def version_of(rows: int) -> str:
        return hashlib.sha256(f"{inputs_version}:{rows}".encode()).hexdigest()[:16]

    def record_version(rows: int) -> None:
        con.execute(
            "insert or replace into meta.table_versions values (?, ?, ?, ?, now())",
            [model.table, version_of(rows), inputs_version, rows],
        )

    rows = materialize(con, model, before_commit=record_version)
    version = version_of(rows)
    sample = preview(con, model.schema, model.name)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "preview": preview_md(sample),
            "skipped_unchanged_inputs": False,
        },
        data_version=dg.DataVersion(version),
    )


def sql_check_results(
    con: "duckdb.DuckDBPyConnection", settings: PipelineSettings, test: SqlTest
) -> list[dg.AssetCheckResult]:
    """The test's verdict: the offending rows of its query (none = passed), replayed from the last
    evaluation while nothing it reads has changed."""

    def evaluate() -> list[dg.AssetCheckResult]:
        offending = run_test(con, test)
        return [
            dg.AssetCheckResult(
                asset_key=dg.AssetKey(test.model.split(".")),
                check_name=test.name,
                passed=offending.empty,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "offending_rows": len(offending),
                    "sample": preview_md(offending),
                    "sql_file": shown_path(Path(test.path)),
                },
            )
        ]

    code = hashlib.sha256(test.sql.encode()).hexdigest()[:12]
    return with_reuse(f"sql:{test.name}", settings, con, [*test.reads, test.model], code, evaluate)


@dg.definitions
def sql_models() -> dg.Definitions:
    models, tests = discover(
        SQL_ROOT, manifest=PROJECT_ROOT / "data" / "cache" / "dbt_like_sql_manifest.json"
    )
    tables = {m.table for m in models}
    orphans = [f"{t.path}: {t.name} tests {t.model}" for t in tests if t.model not in tables]
    if orphans:  # a test of no model would silently never run
        raise ValueError(f"SQL tests of tables that no model in {SQL_ROOT} builds: {orphans}")
    return dg.Definitions(assets=[build_models_asset(models, tests)])
