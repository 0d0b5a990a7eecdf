"""TEAviisari (THL's benchmark of municipal health-promotion activity) and the hyte-kerroin inputs.

No TEAviisari cube of THL's open-data API is cited yet (the cube names and node ids are
unknown, see ../shared/reference/hyte-kerroin.md §8), so the process answers and sector scores
come from maintained files: one row per municipality × indicator × collection year. Beside them,
`raw/teaviisari_sotkanet` takes the sector scores Sotkanet carries (4072 kuntajohto, 4093
perusopetus, 4094 liikunta, 4092 perusterveydenhuolto until 2022; data/catalog/teaviisari_sectors.csv)
for the municipality, its maakunta and the country. The cube
client (`hyte_assets.lib.thl_cube`, resource `thl_cube`) is built and tested against the
JSON-stat variant, ready to replace the file once a cube is cited.
"""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    REGIONS_KEY,
    TEA,
    changed_metadata,
    fetch_time,
    read_maintained,
    source_asset,
    tea_sector_scores,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.longform import conform
from hyte_assets.lib.warehouse import write_if_changed

KINDS = {"csv", "duckdb"}


@source_asset("raw.teaviisari_values", "teaviisari", TEA, kinds=KINDS)
@skip_when_unchanged(("raw.teaviisari_values",), ("snapshots/teaviisari/sector_scores.csv",))
def teaviisari_values(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """TEAviisari sector scores (0–100: kuntajohto, peruskoulu, liikunta, kulttuuri) per municipality."""
    scores = read_maintained(
        settings, "teaviisari/sector_scores.csv", ["municipality_code", "sector", "year", "score"]
    )
    frame = conform(
        scores.assign(
            measure_id=None,
            region_code=scores["municipality_code"],
            region_level="kunta",
            period=scores["year"].astype(str),
            group_type="sector",
            group_value=scores["sector"],
            value=scores["score"],
            is_demo=scores["is_demo"].astype(str).str.lower().eq("true"),
            fetched_at=fetch_time(settings),
        ),
        {"sector": "string"},
    )
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.teaviisari_values": frame}))
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["region_code", "sector", "year", "value", "is_demo"]),
            **changed_metadata(changed, versions),
        },
        data_version=dg.DataVersion(versions["raw.teaviisari_values"]),
    )


@source_asset("raw.hyte_process_answers", "teaviisari", TEA, kinds=KINDS)
@skip_when_unchanged(("raw.hyte_process_answers",), ("snapshots/teaviisari/process_answers.csv",))
def hyte_process_answers(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The hyte-kerroin's 15 process indicators as yes/no answers per municipality and TEA round."""
    answers = read_maintained(
        settings,
        "teaviisari/process_answers.csv",
        ["municipality_code", "indicator_id", "collection_year", "answer"],
    )
    answers["is_demo"] = answers["is_demo"].astype(str).str.lower().eq("true")
    with warehouse.connect() as con:
        changed, versions = write_if_changed(
            con, guard(con, settings, {"raw.hyte_process_answers": answers}), ignore_columns=()
        )
    return dg.MaterializeResult(
        metadata={
            **table_metadata(answers),
            **changed_metadata(changed, versions),
            "municipalities": int(answers["municipality_code"].nunique()),
        },
        data_version=dg.DataVersion(versions["raw.hyte_process_answers"]),
    )


@source_asset("raw.teaviisari_sotkanet", "teaviisari", TEA, deps=[REGIONS_KEY])
@skip_when_unchanged(
    ("raw.teaviisari_sotkanet",),
    ("snapshots/sotkanet/json", "catalog/teaviisari_sectors.csv"),
    ("raw.sotkanet_regions",),
)
def teaviisari_sotkanet(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """TEAviisari sector scores (0–100) that Sotkanet publishes, title-checked, for the regions in
    scope (the municipality, its maakunta and the country among them); `reports.teaviisari` reads
    them beside the maintained file. A sector whose id fails keeps its previous rows."""
    frame, stats = tea_sector_scores(context, settings, sotkanet, warehouse)
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.teaviisari_sotkanet": frame}))
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["sector_id", "region_level", "region_code", "year", "score"]),
            **changed_metadata(changed, versions),
            **stats,
        },
        data_version=dg.DataVersion(versions["raw.teaviisari_sotkanet"]),
    )
