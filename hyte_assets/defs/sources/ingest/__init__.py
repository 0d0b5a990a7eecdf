"""What the source folders share: asset defaults, publication calendars, fetch time, region
scope, long-form results and maintained files (`core`), the Sotkanet pins, title check and values
(`sotkanet`), and the StatFin query planning (`statfin`).

Each `defs/sources/<source>/` folder imports from here and from `lib/`, never from another
source's folder, so a source can be added or removed without touching the others.
"""

from hyte_assets.defs.sources.ingest.core import (
    ANNUAL,
    CATALOG_KEY,
    DELIVERY,
    FIRST_YEAR,
    GROUP,
    KINDS,
    KTK,
    MONTHLY,
    OWNERS,
    REGIONS_AND_INDICATORS,
    REGIONS_KEY,
    REGIONS_TABLE,
    STATFIN_EXTRA,
    TEA,
    Window,
    changed_metadata,
    demo_rows,
    fetch_time,
    read_maintained,
    resolve_regions_frame,
    scope_regions,
    source_asset,
    source_attributes,
    values_result,
)
from hyte_assets.defs.sources.ingest.sotkanet import (
    HYTE_SOURCE,
    VALUES_EXTRA,
    check_indicators,
    fetch_values,
    rejected_titles,
    wanted_indicators,
)
from hyte_assets.defs.sources.ingest.statfin import (
    area_to_region,
    catalog_refs,
    plan_table,
    run_plan,
    scope_areas,
    to_long,
)

__all__ = [
    "ANNUAL",
    "CATALOG_KEY",
    "DELIVERY",
    "FIRST_YEAR",
    "GROUP",
    "HYTE_SOURCE",
    "KINDS",
    "KTK",
    "MONTHLY",
    "OWNERS",
    "REGIONS_AND_INDICATORS",
    "REGIONS_KEY",
    "REGIONS_TABLE",
    "STATFIN_EXTRA",
    "TEA",
    "VALUES_EXTRA",
    "Window",
    "area_to_region",
    "catalog_refs",
    "changed_metadata",
    "check_indicators",
    "demo_rows",
    "fetch_time",
    "fetch_values",
    "plan_table",
    "read_maintained",
    "rejected_titles",
    "resolve_regions_frame",
    "run_plan",
    "scope_areas",
    "scope_regions",
    "source_asset",
    "source_attributes",
    "to_long",
    "values_result",
    "wanted_indicators",
]
