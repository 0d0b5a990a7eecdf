"""Run settings as a table, so the SQL models stay plain SQL runnable in the DuckDB CLI."""

import datetime as dt

import dagster as dg

from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.warehouse import fingerprint_of, replace_tables


@dg.asset(
    key=["meta", "settings"],
    group_name="catalog",
    kinds={"duckdb"},
    owners=["team:hyte"],
    tags={"layer": "catalog"},
)
def pipeline_settings(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`meta.settings`: the municipality the scorecards report on, the as-of date and the source mode.

    The SQL models read the municipality from here (HYTE_MUNICIPALITY_CODE), so the same models
    produce a scorecard for any municipality whose data is loaded.
    """
    import pandas as pd

    frame = pd.DataFrame(
        {
            "municipality_code": [settings.municipality_code],
            "as_of_date": [dt.date.today()],
            "source_mode": [settings.source_mode],
            "region_scope": [settings.region_scope],
        }
    )
    # The date changes daily; the version covers what changes the results.
    version = fingerprint_of(
        {
            "municipality": settings.municipality_code,
            "mode": settings.source_mode,
            "scope": settings.region_scope,
        }
    )
    with warehouse.connect() as con:
        replace_tables(con, {"meta.settings": frame})
    return dg.MaterializeResult(metadata=table_metadata(frame), data_version=dg.DataVersion(version))
