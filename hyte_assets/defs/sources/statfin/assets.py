"""Statistics Finland (StatFin PxWeb v1): annual tables the catalog cites (income distribution)
and the population at year end."""

from typing import TYPE_CHECKING

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, StatFinResource, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    ANNUAL,
    CATALOG_KEY,
    STATFIN_EXTRA,
    catalog_refs,
    changed_metadata,
    demo_rows,
    plan_table,
    run_plan,
    scope_areas,
    source_asset,
    to_long,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.longform import conform
from hyte_assets.lib.region_table import load_region_table
from hyte_assets.lib.warehouse import write_if_changed

if TYPE_CHECKING:
    import pandas as pd

POPULATION = ("vaerak/11re", "vaerak-vaesto")
REGION_FILE = "regions/regions-fi.csv"


def from_region_table(frame: "pd.DataFrame", settings: PipelineSettings) -> "pd.Series":
    """Rows equal to the shipped region table's population (StatFin 11re, 31.12.2025, cited in
    data/regions/README.md): real, even when they come from the snapshot."""
    import pandas as pd

    real = {
        (m.code, m.population_year): m.population
        for m in load_region_table(settings.data_path).municipalities
    }
    keys = zip(frame["municipality_code"], frame["year"].astype(int), frame["population"], strict=True)
    return pd.Series([real.get((c, y)) == v for c, y, v in keys], index=frame.index, dtype=bool)


@source_asset("raw.statfin_values", "statfin", ANNUAL, deps=[CATALOG_KEY])
@skip_when_unchanged(
    ("raw.statfin_values",), ("snapshots/statfin", "snapshots/real_values.csv", "catalog", REGION_FILE)
)
def statfin_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    statfin: StatFinResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Annual StatFin tables the catalog cites (e.g. tjt/14ww children's low-income rate), in long form.

    Each query asks only what the table's metadata lists (its 15 latest years, the areas in scope
    from the region table, the cited content codes); areas and codes it does not publish are
    coverage notes in the metadata, not failures.
    """
    import pandas as pd

    client = statfin.client(settings)
    refs = catalog_refs(settings, ("statfin",))
    regions = scope_areas(settings)
    frames, notes = [], []
    for table, group in refs.groupby("table_id"):
        codes = sorted(group["content_code"].unique())
        plan, _ = plan_table(client, table, codes, list(regions["area"]), None, latest=15)
        notes += plan.notes()
        frames.append(
            to_long(
                run_plan(client, plan),
                table,
                settings,
                dict(zip(group["content_code"], group["measure_id"], strict=True)),
            )
        )
    demo = demo_rows(settings, "statfin", regions)
    frame = conform(pd.concat([*frames, demo], ignore_index=True), STATFIN_EXTRA)
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.statfin_values": frame})
        changed, versions = write_if_changed(con, tables)
    context.log.info(f"statfin tables: {sorted(refs['table_id'].unique())}")
    return values_result(
        tables["raw.statfin_values"],
        changed,
        versions,
        {
            **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
            "tables": sorted(refs["table_id"].unique()),
            "coverage_notes": dg.MetadataValue.json(notes),
        },
    )


@source_asset("raw.population", "statfin", ANNUAL)
@skip_when_unchanged(("raw.population",), ("snapshots/statfin", "snapshots/real_values.csv", REGION_FILE))
def population(
    settings: PipelineSettings, statfin: StatFinResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Population at year end for every municipality (vaerak/11re), for the hyte-kerroin's euros
    and its population-weighted national average: every municipality the table lists, its six
    latest years, totals of age and sex (found by role, not by name)."""
    table, code = POPULATION
    client = statfin.client(settings)
    plan, _ = plan_table(client, table, [code], None, None, latest=6)
    long = to_long(run_plan(client, plan), table, settings, {})
    frame = long[long["region_level"] == "kunta"][["region_code", "year", "value", "is_demo", "fetched_at"]]
    frame = frame.rename(columns={"region_code": "municipality_code", "value": "population"}).reset_index(
        drop=True
    )
    frame["is_demo"] = frame["is_demo"] & ~from_region_table(frame, settings)
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.population": frame}))
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame),
            **changed_metadata(changed, versions),
            "municipalities": int(frame["municipality_code"].nunique()),
            "coverage_notes": dg.MetadataValue.json(plan.notes()),
        },
        data_version=dg.DataVersion(versions["raw.population"]),
    )
