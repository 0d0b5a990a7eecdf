"""Files that city services deliver themselves (data/local/): counts, survey results, and the
status of the plan's actions. A sensor starts ingestion when a file is added or changed."""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import (
    DATA_DIR,
    SETTING_DEFAULTS,
    PipelineSettings,
    WarehouseResource,
    warehouse_tags,
)
from hyte_assets.defs.schedules import bounded_run_tags
from hyte_assets.defs.sources.ingest import CATALOG_KEY, DELIVERY, changed_metadata, source_attributes
from hyte_assets.defs.unchanged import code_version_of, skip_when_unchanged
from hyte_assets.lib import preflight
from hyte_assets.lib.actions import action_links, read_action_keys, with_links
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.local_files.folder import TABLES, delivery_files, load_folder
from hyte_assets.lib.warehouse import read_table, table_exists, write_if_changed

# This module and the parsing code it uses (ingest.py, its lib/ client): see unchanged.py.
CODE = code_version_of(__name__)

KINDS = {"csv", "excel", "duckdb"}


REJECTIONS = "raw.local_rejections"
STATUS = "raw.action_status"
REPORT_ONLY_TABLES = {STATUS, "raw.resources"}  # read only by the annual report, never by SQL models


def table_spec(table: str, description: str, *, skippable: bool) -> dg.AssetSpec:
    attributes = source_attributes(table, "local", DELIVERY, deps=[CATALOG_KEY], kinds=KINDS)
    return dg.AssetSpec(**attributes, description=description, skippable=skippable, code_version=CODE)


@dg.multi_asset(
    name="local_deliveries",
    specs=[
        table_spec("raw.local_counts", "The city's own counts (laskennat), long form.", skippable=True),
        table_spec("raw.survey_values", "The city's survey results (kyselyt), long form.", skippable=True),
        table_spec(
            STATUS,
            "Status of the plan's actions per action and report year (toimenpiteet_tila), with the "
            "canonical action key, lead (verbatim and normalised), milestone and linked measures.",
            skippable=False,
        ),
        table_spec(
            "raw.resources",
            "Resources for health and welfare promotion (resurssit): budget lines and person-years per "
            "year, for the welfare report's Resurssit section.",
            skippable=False,
        ),
        table_spec(
            REJECTIONS, "Delivered files rejected by the last ingest, with the reason.", skippable=False
        ),
    ],
    can_subset=False,
)
@skip_when_unchanged(
    (*TABLES.values(), REJECTIONS), ("local", "catalog"), multi=True, optional=frozenset(REPORT_ONLY_TABLES)
)
def local_deliveries(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """City deliveries in Finnish Excel conventions (`;`, decimal comma, UTF-8 BOM or cp1252,
    Finnish month names): `raw.local_counts`, `raw.survey_values`, `raw.action_status`,
    `raw.resources`.

    A bad file is rejected with the file, row and column named, and the rows it delivered last
    time stay in place; the other files still load. The `local_deliveries_accepted` check
    shows the rejection in the UI.
    """
    import pandas as pd

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
    if STATUS in tables:  # canonical key, lead, milestone and linked measures beside each status
        keys_file = settings.data_path / "catalog" / "action_keys.csv"
        keys = read_action_keys(keys_file) if keys_file.exists() else {}
        links = action_links(catalog.actions, keys, catalog.tables()["catalog.measure_goals"])
        tables[STATUS] = with_links(tables[STATUS], links)
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, tables)) if tables else (False, {})
        rejected_frame = pd.DataFrame(rejected, columns=["file", "row", "column", "problem"])
        _, rejection_versions = write_if_changed(con, {REJECTIONS: rejected_frame.astype(str)})
    for table, frame in tables.items():
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(table.split(".")),
            metadata={
                **table_metadata(frame),
                **changed_metadata(changed, {table: versions[table]}),
                "files": list(files),  # names relative to data/local (FolderLoad.files)
            },
            data_version=dg.DataVersion(versions[table]),
        )
    # The report reads these optionally: without a delivery they are reported as missing (nothing is
    # written, an earlier table stays), so the annual report still runs instead of being skipped.
    for table in REPORT_ONLY_TABLES - set(tables):
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(table.split(".")),
            metadata={"rows_delivered": 0, "note": "no delivery of this kind; the report says it is missing"},
            data_version=dg.DataVersion("none"),
        )
    yield dg.MaterializeResult(
        asset_key=dg.AssetKey(REJECTIONS.split(".")),
        metadata={
            "dagster/row_count": len(rejected_frame),
            "files": files,
            "rows_per_table": dg.MetadataValue.json({name: len(frame) for name, frame in tables.items()}),
            "rejected_files": dg.MetadataValue.md(rejected_frame.to_markdown(index=False))
            if rejected
            else "none",
        },
        data_version=dg.DataVersion(rejection_versions[REJECTIONS]),
    )


@dg.asset_check(asset=dg.AssetKey(REJECTIONS.split(".")), description="Every delivered file was accepted.")
def local_deliveries_accepted(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rejected = read_table(con, REJECTIONS)
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
    tags=warehouse_tags(),
)


@dg.sensor(job=local_ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def local_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Start ingestion when a file in data/local/ is added, changed or removed.

    The first evaluation only records what is there: the deliveries present when the sensor is
    switched on are ingested by the next full refresh, and a run against a still-empty warehouse
    would fail for want of the other sources.
    """
    try:  # bad settings: one clear reason in the UI, not a run that fails step after step
        preflight.from_environment(SETTING_DEFAULTS)
    except preflight.PreflightError as exc:
        return dg.SkipReason(f"settings rejected: {exc}")
    local_dir = Path(os.environ.get("HYTE_DATA_DIR", DATA_DIR)) / "local"
    fingerprint = directory_fingerprint(local_dir)
    if context.cursor is None:
        return dg.SensorResult(skip_reason="recorded the current deliveries", cursor=fingerprint)
    if fingerprint == context.cursor:
        return dg.SkipReason("no delivery changed")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=fingerprint, tags=bounded_run_tags())], cursor=fingerprint
    )
