"""The monthly employment review of Statistics Finland (työnvälitystilasto, table tyonv/12r5):
one partition per month, and the employment measures in long form."""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, StatFinResource, WarehouseResource, warehouse_tags
from hyte_assets.defs.sources.ingest import (
    MONTHLY,
    REGIONS_KEY,
    REGIONS_TABLE,
    STATFIN_EXTRA,
    catalog_refs,
    demo_rows,
    query_table,
    resolve_regions_frame,
    source_asset,
    to_long,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.longform import conform
from hyte_assets.lib.pxweb import EMPLOYMENT_CODES, EMPLOYMENT_TABLE
from hyte_assets.lib.warehouse import read_table, replace_tables, table_exists, write_if_changed

monthly = dg.MonthlyPartitionsDefinition(start_date="2023-01-01", end_offset=0)


@source_asset(
    "raw.employment_monthly",
    "employment",
    MONTHLY,
    partitions_def=monthly,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
@skip_when_unchanged(
    ("raw.employment_monthly",),
    ("snapshots/statfin", "snapshots/real_values.csv", "catalog"),
    partitioned=True,
)
def employment_monthly(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    statfin: StatFinResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The monthly employment review (tyonv/12r5) for every area, one partition per month.

    A backfill runs as one query per year of months (6 figures × ~420 areas × 12 months stays
    under PxWeb's 120 000-cell limit). Months the source has not published yet write nothing
    and are listed in the metadata.
    """
    import pandas as pd

    months = [key[:7] for key in context.partition_keys]
    client = statfin.client(settings)
    chunks = [months[i : i + 12] for i in range(0, len(months), 12)] if settings.live else [months]
    decoded = pd.concat(
        [
            query_table(
                client,
                EMPLOYMENT_TABLE,
                list(EMPLOYMENT_CODES),
                None,
                ("item", [m.replace("-", "M") for m in chunk]) if settings.live else ("all", ["*"]),
            )
            for chunk in chunks
        ],
        ignore_index=True,
    )
    decoded = decoded[decoded["time"].str.replace("M", "-").isin(months)]
    refs = catalog_refs(settings, ("employment",))
    code_to_measure = dict(zip(refs["content_code"], refs["measure_id"], strict=True))
    frame = to_long(decoded, EMPLOYMENT_TABLE, settings, code_to_measure)
    with warehouse.connect() as con:
        previous = (
            read_table(con, "raw.employment_monthly") if table_exists(con, "raw.employment_monthly") else None
        )
        kept = previous[~previous["period"].isin(months)] if previous is not None else None
        merged = pd.concat([kept, frame], ignore_index=True)
        replace_tables(con, guard(con, settings, {"raw.employment_monthly": merged}))
    missing = sorted(set(months) - set(frame["period"]))
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["region_code", "period", "content_code", "value", "is_demo"]),
            "months": f"{months[0]}–{months[-1]}",
            "months_without_data": dg.MetadataValue.json(missing),
            **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
        }
    )


@source_asset("raw.employment_values", "employment", MONTHLY, deps=[employment_monthly, REGIONS_KEY])
@skip_when_unchanged(
    ("raw.employment_values",), ("snapshots/employment",), ("raw.employment_monthly", "raw.sotkanet_regions")
)
def employment_values(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Employment measures in long form: the monthly review's figures, the derived long-term
    unemployed share (PITKAAIKAISTYOTTOMAT / TYOTTOMATLOPUSSA, as the plan's "39,7 % työttömistä"),
    and demo rows for employment measures without a cited source."""
    import pandas as pd

    with warehouse.connect() as con:
        if not table_exists(con, "raw.employment_monthly"):
            raise SourceError(
                "employment", "raw.employment_monthly is empty: materialise employment_monthly first"
            )
        monthly_rows = read_table(con, "raw.employment_monthly")
        regions = resolve_regions_frame(read_table(con, REGIONS_TABLE), settings)
    in_scope = set(zip(regions["region_level"], regions["region_code"], strict=True))
    monthly_rows = monthly_rows[
        [
            (lv, c) in in_scope
            for lv, c in zip(monthly_rows["region_level"], monthly_rows["region_code"], strict=True)
        ]
    ]
    keys = ["region_code", "region_level", "year", "period", "group_type", "group_value"]
    wide = monthly_rows.pivot_table(index=keys, columns="content_code", values="value", aggfunc="first")
    share = (
        (wide["PITKAAIKAISTYOTTOMAT"] / wide["TYOTTOMATLOPUSSA"] * 100).round(1).rename("value").reset_index()
    )
    demo_flag = monthly_rows.groupby(keys)["is_demo"].any().reset_index()
    derived = share.merge(demo_flag, on=keys).assign(
        content_code="PITKAAIKAISTYOTTOMAT_OSUUS",
        measure_id=None,
        table_id=EMPLOYMENT_TABLE,
        fetched_at=monthly_rows["fetched_at"].max(),
    )
    frame = conform(
        pd.concat([monthly_rows, derived, demo_rows(settings, "employment", regions)], ignore_index=True),
        STATFIN_EXTRA,
    )
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.employment_values": frame})
        changed, versions = write_if_changed(con, tables)
    latest = monthly_rows["period"].max()
    return values_result(tables["raw.employment_values"], changed, versions, {"latest_month": latest})


employment_monthly_job = dg.define_asset_job(
    "employment_monthly_job",
    selection=[employment_monthly],
    partitions_def=monthly,
    description="Fetch the monthly employment review for one month or a backfilled range.",
    tags=warehouse_tags(),
)
