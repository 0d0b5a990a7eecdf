"""One Dagster asset per file in dbt_like_sql/, and one blocking asset check per SQL test.

Dependencies come from the tables each query reads (parsed with sqlglot by
`hyte_assets.lib.sql_models`); raw and catalog tables map to the assets that write them. A model
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

# Tables written by Python assets → the asset that writes them.
SOURCE_TABLES: dict[str, str] = {
    "catalog.themes": "plan_catalog",
    "catalog.goals": "plan_catalog",
    "catalog.measures": "plan_catalog",
    "catalog.measure_goals": "plan_catalog",
    "catalog.actions": "plan_catalog",
    "catalog.plan_figures": "plan_catalog",
    "catalog.min_change": "scorecard_thresholds",
    "meta.settings": "pipeline_settings",
    "raw.sotkanet_regions": "sotkanet_regions",
    "raw.sotkanet_values": "sotkanet_values",
    "raw.kouluterveyskysely_values": "kouluterveyskysely_values",
    "raw.statfin_values": "statfin_values",
    "raw.employment_values": "employment_values",
    "raw.teaviisari_values": "teaviisari_values",
    "raw.survey_values": "local_deliveries",
    "raw.local_counts": "local_deliveries",
    "raw.action_status": "local_deliveries",
    "raw.population": "population",
}


def asset_key_for(table: str, models: dict[str, SqlModel]) -> dg.AssetKey:
    if table in models:
        return dg.AssetKey(table.split("."))
    if table in SOURCE_TABLES:
        return dg.AssetKey(SOURCE_TABLES[table])
    raise ValueError(f"dbt_like_sql reads {table!r}, which no asset writes; add it to SOURCE_TABLES")


def column_lineage(model: SqlModel, models: dict[str, SqlModel]) -> dg.TableColumnLineage | None:
    deps = {}
    for column, upstream in model.column_lineage.items():
        # Several tables can map to one asset (catalog.goals and catalog.themes → plan_catalog).
        found = {
            (asset_key_for(table, models), name)
            for table, _, name in (ref.rpartition(".") for ref in upstream)
            if table in models or table in SOURCE_TABLES
        }
        if found:
            deps[column] = [
                dg.TableColumnDep(asset_key=key, column_name=name)
                for key, name in sorted(found, key=lambda dep: (dep[0].to_user_string(), dep[1]))
            ]
    return dg.TableColumnLineage(deps) if deps else None


def build_model_asset(model: SqlModel, models: dict[str, SqlModel]) -> dg.AssetsDefinition:
    sql_hash = hashlib.sha256(model.sql.encode()).hexdigest()[:12]
    lineage = column_lineage(model, models)
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
        deps=[asset_key_for(t, models) for t in model.reads],
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
    by_table = {m.table: m for m in models}
    return dg.Definitions(
        assets=[build_model_asset(m, by_table) for m in models],
        asset_checks=[build_sql_check(t) for t in tests],
    )
