"""Kouluterveyskysely (THL's biennial school health survey), published through Sotkanet: its
measures keep their school level (4.–5. lk, 8.–9. lk, lukio, ammatillinen)."""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    KTK,
    REGIONS_AND_INDICATORS,
    REGIONS_KEY,
    VALUES_EXTRA,
    demo_rows,
    fetch_values,
    source_asset,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.longform import conform
from hyte_assets.lib.warehouse import write_if_changed


@source_asset(
    "raw.kouluterveyskysely_values",
    "kouluterveyskysely",
    KTK,
    deps=[REGIONS_KEY, dg.AssetKey(["raw", "sotkanet_indicators"])],
)
@skip_when_unchanged(
    ("raw.kouluterveyskysely_values",),
    ("snapshots/sotkanet/json", "snapshots/kouluterveyskysely", "snapshots/real_values.csv", "catalog"),
    REGIONS_AND_INDICATORS,
)
def kouluterveyskysely_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Kouluterveyskysely (school health survey) results by school level (4.–5. lk, 8.–9. lk, lukio,
    ammatillinen), from Sotkanet where an indicator id is pinned (one per school level,
    data/catalog/sotkanet_school_level_ids.csv), demo rows otherwise.

    Every row keeps its school level as the group and its gender (male, female, total) beside it;
    an id that did not load this run keeps its previous rows."""
    import pandas as pd

    values, stats, regions = fetch_values(
        context, settings, sotkanet, warehouse, "raw.kouluterveyskysely_values", ("kouluterveyskysely",)
    )
    extra = {**VALUES_EXTRA, "school_level": "string"}
    demo = demo_rows(settings, "kouluterveyskysely", regions).assign(gender="total")
    frame = pd.concat([values, demo], ignore_index=True)
    frame["school_level"] = frame["group_value"].where(frame["group_type"] == "school_level")
    frame = conform(frame, extra)
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.kouluterveyskysely_values": frame})
        changed, versions = write_if_changed(con, tables)
    return values_result(tables["raw.kouluterveyskysely_values"], changed, versions, stats)
