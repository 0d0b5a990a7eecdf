"""The hyte-kerroin's outcome indicators (data/snapshots/hyte/outcome_values.csv), a maintained
file until THL's open-data cube for them is cited (see ../shared/reference/hyte-kerroin.md)."""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    ANNUAL,
    changed_metadata,
    read_maintained,
    source_asset,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.warehouse import write_if_changed

KINDS = {"csv", "duckdb"}


# Like-shaped with the TEAviisari file asset (a cited CSV read through the same helpers).
@source_asset("raw.hyte_outcome_values", "hyte", ANNUAL, kinds=KINDS)
@skip_when_unchanged(("raw.hyte_outcome_values",), ("snapshots/hyte/outcome_values.csv",))
def hyte_outcome_values(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The hyte-kerroin's 6 outcome indicators for every municipality (national scope: the
    coefficient is normalised by the population-weighted national average)."""
    values = read_maintained(
        settings,
        "hyte/outcome_values.csv",
        ["municipality_code", "indicator_id", "year", "value"],
        source="hyte",
    )
    values["is_demo"] = values["is_demo"].astype(str).str.lower().eq("true")
    with warehouse.connect() as con:
        changed, versions = write_if_changed(
            con, guard(con, settings, {"raw.hyte_outcome_values": values}), ignore_columns=()
        )
    return dg.MaterializeResult(
        metadata={
            **table_metadata(values),
            **changed_metadata(changed, versions),
            "municipalities": int(values["municipality_code"].nunique()),
        },
        data_version=dg.DataVersion(versions["raw.hyte_outcome_values"]),
    )
