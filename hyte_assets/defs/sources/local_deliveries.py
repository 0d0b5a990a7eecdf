"""Files that city services deliver themselves (data/local/): counts, survey results, and the
status of the plan's actions. A sensor starts ingestion when a file is added or changed."""

import hashlib
import json
import os
from pathlib import Path

import dagster as dg
import pandas as pd

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import DATA_DIR, PipelineSettings, WarehouseResource
from hyte_assets.defs.sources.sotkanet import GROUP, OWNERS, changed_metadata
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.local_files.folder import TABLES, delivery_files, load_folder
from hyte_assets.lib.warehouse import read_table, table_exists, write_if_changed


@dg.asset(
    group_name=GROUP,
    kinds={"csv", "excel", "duckdb"},
    owners=OWNERS,
    deps=["plan_catalog"],
    tags={"source": "local"},
)
@skip_when_unchanged(
    ("raw.local_counts", "raw.survey_values", "raw.action_status", "raw.local_rejections"),
    ("local", "catalog"),
)
def local_deliveries(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """City deliveries in Finnish Excel conventions (`;`, decimal comma, UTF-8 BOM or cp1252,
    Finnish month names): `raw.local_counts`, `raw.survey_values`, `raw.action_status`.

    A bad file is rejected with the file, row and column named, and the rows it delivered last
    time stay in place; the other files still load. The `local_deliveries_accepted` check
    shows the rejection in the UI.
    """
    catalog = load_catalog(settings.data_path / "catalog")
    fetched_at = pd.Timestamp.now().floor("s")  # files are read now, whatever the source mode
    with warehouse.connect() as con:
        previous = {kind: read_table(con, t) if table_exists(con, t) else None for kind, t in TABLES.items()}
    municipality = settings.municipality_code.zfill(3)
    local_dir = settings.data_path / "local"
    load = load_folder(
        local_dir, catalog.measures, catalog.actions["action_id"], municipality, previous, fetched_at
    )
    for rejection in load.rejected:
        context.log.error(rejection.message)
    rejected = [
        {"file": r.file, "row": r.row, "column": r.column, "problem": r.problem} for r in load.rejected
    ]
    tables, files = load.tables, load.files
    with warehouse.connect() as con:
        changed, versions = (
            write_if_changed(con, guard(con, settings, tables)) if tables else (False, {"none": ""})
        )
        rejected_frame = pd.DataFrame(rejected, columns=["file", "row", "column", "problem"])
        write_if_changed(con, {"raw.local_rejections": rejected_frame.astype(str)})
    counts = {name: len(frame) for name, frame in tables.items()}
    return dg.MaterializeResult(
        metadata={
            **table_metadata(tables.get("raw.local_counts", pd.DataFrame())),
            **changed_metadata(changed, versions),
            "files": files,
            "rows_per_table": dg.MetadataValue.json(counts),
            "rejected_files": dg.MetadataValue.md(rejected_frame.to_markdown(index=False))
            if rejected
            else "none",
        },
        data_version=dg.DataVersion(json.dumps(versions, sort_keys=True)[:64]),
    )


@dg.asset_check(asset=local_deliveries, description="Every delivered file was accepted.")
def local_deliveries_accepted(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rejected = read_table(con, "raw.local_rejections")
    return dg.AssetCheckResult(
        passed=rejected.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rejected": len(rejected),
            "details": dg.MetadataValue.md(rejected.to_markdown(index=False)) if len(rejected) else "none",
        },
    )


def directory_fingerprint(local_dir: Path) -> str:
    """Names, sizes and modification times of the delivered files: changes when a file does."""
    parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in delivery_files(local_dir)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


local_ingest_job = dg.define_asset_job(
    "local_ingest_job",
    selection=dg.AssetSelection.assets(local_deliveries).downstream(),
    description="Ingest city deliveries from data/local/ and rebuild what depends on them.",
)


@dg.sensor(job=local_ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def local_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Start ingestion when a file in data/local/ is added, changed or removed.

    The first evaluation only records what is there: the deliveries present when the sensor is
    switched on are ingested by the next full refresh, and a run against a still-empty warehouse
    would fail for want of the other sources.
    """
    local_dir = Path(os.environ.get("HYTE_DATA_DIR", DATA_DIR)) / "local"
    fingerprint = directory_fingerprint(local_dir)
    if context.cursor is None:
        return dg.SensorResult(skip_reason="recorded the current deliveries", cursor=fingerprint)
    if fingerprint == context.cursor:
        return dg.SkipReason("no delivery changed")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)
