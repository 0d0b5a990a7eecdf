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
from hyte_assets.defs.sources.ingest import CATALOG_KEY, DELIVERY, GROUP, OWNERS, changed_metadata
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.local_files import detect_kind, load_delivery
from hyte_assets.lib.longform import conform
from hyte_assets.lib.warehouse import read_table, table_exists, write_if_changed

DELIVERY_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
TABLES = {
    "laskennat": "raw.local_counts",
    "kyselyt": "raw.survey_values",
    "toimenpiteet_tila": "raw.action_status",
}
DEMO_PREFIX = (
    "demo_"  # generated demo deliveries are named demo_*.csv (defs/sources/local_deliveries/demo.py)
)


def delivery_files(local_dir: Path) -> list[Path]:
    """Delivered files, not the templates folder."""
    return sorted(p for p in local_dir.glob("*") if p.is_file() and p.suffix.lower() in DELIVERY_SUFFIXES)


def normalise(
    kind: str, df: pd.DataFrame, sources: dict[str, str], fetched_at: pd.Timestamp, municipality: str
) -> pd.DataFrame:
    """Delivered rows in the long-form contract; the city's own counts are the configured municipality's."""
    is_demo = df["source_file"].str.startswith(DEMO_PREFIX)
    if kind == "toimenpiteet_tila":
        return df.assign(is_demo=is_demo)
    extra = {"source_file": "string", "source_row": "Int64"}
    base = df.assign(is_demo=is_demo, fetched_at=fetched_at, group_type="total")
    base.loc[base["group_value"] != "total", "group_type"] = "service"
    if kind == "laskennat":
        return conform(base.assign(region_code=municipality, region_level="kunta"), extra)
    # survey: the catalog says which survey family a measure belongs to (regional_survey, ...)
    base = base.rename(columns={"survey": "survey_name"}).assign(survey=base["measure_id"].map(sources))
    return conform(base, {**extra, "survey": "string", "survey_name": "string"})


@dg.asset(
    group_name=GROUP,
    kinds={"csv", "excel", "duckdb"},
    owners=OWNERS,
    deps=[CATALOG_KEY],
    tags={"source": "local"},
    freshness_policy=DELIVERY.policy(),
    metadata=DELIVERY.metadata(),
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
    known = set(catalog.measures["measure_id"])
    sources = dict(zip(catalog.measures["measure_id"], catalog.measures["source"], strict=True))
    fetched_at = pd.Timestamp.now().floor("s")  # files are read now, whatever the source mode
    loaded: dict[str, list[pd.DataFrame]] = {kind: [] for kind in TABLES}
    rejected: list[dict[str, object]] = []
    files = delivery_files(settings.data_path / "local")
    with warehouse.connect() as con:
        previous = {kind: read_table(con, t) if table_exists(con, t) else None for kind, t in TABLES.items()}
    for path in files:
        try:
            kind = detect_kind(path)
            delivered = load_delivery(path, kind, known_measure_ids=known)
            loaded[kind].append(
                normalise(kind, delivered, sources, fetched_at, settings.municipality_code.zfill(3))
            )
        except SourceError as exc:
            context.log.error(str(exc))
            rejected.append({"file": path.name, "row": exc.row, "column": exc.column, "problem": exc.problem})
            for kind, frame in previous.items():  # keep what this file delivered last time
                if frame is not None and "source_file" in frame:
                    loaded[kind].append(frame[frame["source_file"] == path.name])
    tables = {
        TABLES[kind]: pd.concat(frames, ignore_index=True)
        for kind, frames in loaded.items()
        if any(len(f) for f in frames)
    }
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
            "files": [p.name for p in files],
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
