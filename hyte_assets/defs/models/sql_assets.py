"""One Dagster asset per file in dbt_like_sql/, and one blocking asset check per SQL test.

Dependencies come from the tables each query reads (parsed with sqlglot by
`hyte_assets.lib.sql_models`): a table's asset key is its path, whichever asset writes it. A model
whose inputs have not changed since its last build is skipped, so a refresh with no new source
data does almost no SQL work.
"""

import hashlib
from pathlib import Path

import dagster as dg

from hyte_assets.defs.checks.verdicts import with_reuse
from hyte_assets.defs.metadata import preview as preview_md
from hyte_assets.defs.resources import PROJECT_ROOT, PipelineSettings, WarehouseResource
from hyte_assets.lib.sql_models import SqlModel, SqlTest, discover, materialize, preview, run_test
from hyte_assets.lib.warehouse import content_fingerprint, table_exists, table_version

SQL_ROOT = PROJECT_ROOT / "dbt_like_sql"


def asset_key_for(table: str) -> dg.AssetKey:
    """Every table's asset key is its path (`raw.sotkanet_values` → `raw/sotkanet_values`), for
    SQL models and for the Python assets that write the source and catalog tables."""
    return dg.AssetKey(table.split("."))


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


def build_model_asset(model: SqlModel) -> dg.AssetsDefinition:
    sql_hash = hashlib.sha256((model.macros + model.sql).encode()).hexdigest()[:12]  # macros: sql_macros
    lineage = column_lineage(model)
    definition_metadata = {
        "sql_file": str(model.path.relative_to(PROJECT_ROOT)),
        "reads": list(model.reads),
        "dagster/table_name": model.table,
    }
    if lineage:
        definition_metadata["dagster/column_lineage"] = lineage
    if model.grain:
        definition_metadata["grain"] = list(model.grain)

    @dg.asset(
        key=dg.AssetKey([model.schema, model.name]),
        description=model.description,
        group_name=model.schema,
        kinds={"sql", "duckdb"},
        owners=["team:hyte"],
        deps=[asset_key_for(t) for t in model.reads],
        metadata=definition_metadata,
        tags={"layer": model.schema, **{t: "" for t in model.tags}},
        code_version=sql_hash,
    )
    def _model(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            inputs = content_fingerprint(con, list(model.reads))
            inputs_version = f"{inputs}:{sql_hash}" if inputs else None
            recorded = table_version(con, model.table)
            if (
                inputs_version
                and recorded
                and recorded[1] == inputs_version
                and table_exists(con, model.table)
            ):
                context.log.info(f"{model.table}: inputs unchanged since the last build, skipped")
                rows = con.execute(f"select count(*) from {model.table}").fetchone()[0]
                return dg.MaterializeResult(
                    metadata={"dagster/row_count": rows, "skipped_unchanged_inputs": True},
                    data_version=dg.DataVersion(recorded[0]),
                )
            rows = materialize(con, model)
            version = hashlib.sha256(f"{inputs_version}:{rows}".encode()).hexdigest()[:16]
            con.execute(
                "insert or replace into meta.table_versions values (?, ?, ?, ?, now())",
                [model.table, version, inputs_version, rows],
            )
            sample = preview(con, model.schema, model.name)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "preview": preview_md(sample),
                "skipped_unchanged_inputs": False,
            },
            data_version=dg.DataVersion(version),
        )

    return _model


def build_sql_check(test: SqlTest) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(test.model.split(".")),
        name=test.name,
        description=test.description,
        blocking=True,
    )
    def _check(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.AssetCheckResult:
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
                        "sql_file": str(Path(test.path).relative_to(PROJECT_ROOT)),
                    },
                )
            ]

        # The query's result depends only on what it reads: replay it while that is unchanged.
        code = hashlib.sha256(test.sql.encode()).hexdigest()[:12]
        with warehouse.connect() as con:
            [result] = with_reuse(
                f"sql:{test.name}", settings, con, [*test.reads, test.model], code, evaluate
            )
        return result

    return _check


@dg.definitions
def sql_models() -> dg.Definitions:
    models, tests = discover(
        SQL_ROOT, manifest=PROJECT_ROOT / "data" / "cache" / "dbt_like_sql_manifest.json"
    )
    return dg.Definitions(
        assets=[build_model_asset(m) for m in models],
        asset_checks=[build_sql_check(t) for t in tests],
    )
