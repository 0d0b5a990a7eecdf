"""The hyte-kerroin's outcome indicators (data/snapshots/hyte/outcome_values.csv), a maintained
file until THL's open-data cube for them is cited (see ../shared/reference/hyte-kerroin.md)."""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.defs.sources.ingest import ANNUAL, GROUP, OWNERS, changed_metadata, read_maintained
from hyte_assets.defs.unchanged import code_version_of, skip_when_unchanged
from hyte_assets.lib.warehouse import write_if_changed

# This module and the parsing code it uses (ingest.py, its lib/ client): see unchanged.py.
CODE = code_version_of(__name__)

KINDS = {"csv", "duckdb"}


@dg.asset(
    key=["raw", "hyte_outcome_values"],
    code_version=CODE,
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    tags={"source": "hyte"},
    freshness_policy=ANNUAL.policy(),
    metadata=ANNUAL.metadata(),
)
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
