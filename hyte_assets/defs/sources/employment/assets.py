"""The monthly employment review of Statistics Finland (työnvälitystilasto, table tyonv/12r5):
one partition per month, and the employment measures in long form."""

from typing import TYPE_CHECKING

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, StatFinResource, WarehouseResource, warehouse_tags

# The import list of the shared ingest helpers is alike in the StatFin folder: the two read one API.
from hyte_assets.defs.sources.ingest import (
    MONTHLY,
    STATFIN_EXTRA,
    catalog_refs,
    demo_rows,
    plan_table,
    run_plan,
    scope_areas,
    source_asset,
    to_long,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.longform import conform
from hyte_assets.lib.pxweb import (
    EMPLOYMENT_CODES,
    EMPLOYMENT_SEX_CODES,
    EMPLOYMENT_TABLE,
    PxWebClient,
    QueryPlan,
    sex_content_codes,
)
from hyte_assets.lib.warehouse import read_table, replace_tables, table_exists, write_if_changed

if TYPE_CHECKING:
    import pandas as pd

REGION_FILE = "regions/regions-fi.csv"
# The registered unemployed by sex are the total's figure (TYOTTOMATLOPUSSA) for men and women.
SEX_OF_CODE = {code: gender for gender, code in EMPLOYMENT_SEX_CODES.items()}

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

    A backfill runs as one query per year of months (8 figures × ~330 areas × 12 months stays
    under PxWeb's 120 000-cell limit). Each query asks only the months, areas and content codes
    the table's metadata lists: months after the table's last are "not yet published", months
    before its first "not in the table" (both in the metadata; the run succeeds and writes nothing
    for them). The unemployed by sex come where the table lists them (group_type `gender`).
    """
    import pandas as pd

    months = [key[:7] for key in context.partition_keys]
    client = statfin.client(settings)
    areas = list(scope_areas(settings, every_municipality=True)["area"])
    chunks = [months[i : i + 12] for i in range(0, len(months), 12)] if settings.live else [months]
    decoded, plans = [], []
    for chunk in chunks:
        plan = plan_months(client, areas, [m.replace("-", "M") for m in chunk])
        plans.append(plan)
        decoded.append(run_plan(client, plan))
    refs = catalog_refs(settings, ("employment",))
    code_to_measure = dict(zip(refs["content_code"], refs["measure_id"], strict=True))
    cells = pd.concat(decoded, ignore_index=True)
    cells = cells[cells["time"].str.replace("M", "-").isin(months)]
    frame = by_sex(to_long(cells, EMPLOYMENT_TABLE, settings, code_to_measure))
    with warehouse.connect() as con:
        previous = (
            read_table(con, "raw.employment_monthly") if table_exists(con, "raw.employment_monthly") else None
        )
        kept = previous[~previous["period"].isin(months)] if previous is not None else None
        merged = pd.concat([kept, frame], ignore_index=True)
        replace_tables(con, guard(con, settings, {"raw.employment_monthly": merged}))
    missing = sorted(set(months) - set(frame["period"]))
    not_published = sorted({p.replace("M", "-") for plan in plans for p in plan.not_published})
    notes = list(dict.fromkeys(note for plan in plans for note in plan.notes()))
    for note in notes:
        context.log.info(note)
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["region_code", "period", "content_code", "value", "is_demo"]),
            "months": f"{months[0]}–{months[-1]}",
            "months_without_data": dg.MetadataValue.json(missing),
            "months_not_yet_published": dg.MetadataValue.json(not_published),
            "months_not_in_table": dg.MetadataValue.json(
                sorted({p.replace("M", "-") for plan in plans for p in plan.not_in_table})
            ),
            "coverage_notes": dg.MetadataValue.json(notes),
            **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
        }
    )


@source_asset("raw.employment_values", "employment", MONTHLY, deps=[employment_monthly])
@skip_when_unchanged(
    ("raw.employment_values",), ("snapshots/employment", REGION_FILE), ("raw.employment_monthly",)
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
    regions = scope_areas(settings)
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
        (wide["PITKAAIKAISTYOTTOMAT"] / wide["TYOTTOMATLOPUSSA"] * 100)
        .round(1)
        .dropna()  # the figures by sex have no long-term split
        .rename("value")
        .reset_index()
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


def plan_months(client: PxWebClient, areas: list[str], periods: list[str]) -> QueryPlan:
    """The review's figures (and the unemployed by sex where listed) for the listed months."""
    plan, metadata = plan_table(client, EMPLOYMENT_TABLE, list(EMPLOYMENT_CODES), areas, periods)
    sex_codes = list(sex_content_codes(metadata, EMPLOYMENT_SEX_CODES).values())
    if not sex_codes:
        return plan
    plan, _ = plan_table(client, EMPLOYMENT_TABLE, [*EMPLOYMENT_CODES, *sex_codes], areas, periods)
    return plan


def by_sex(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Rows of TYOTTOMATMIEHET / TYOTTOMATNAISET as the unemployed (TYOTTOMATLOPUSSA) of men and
    women: group_type `gender`, so the total's series and the split line up."""
    import pandas as pd

    sex = frame["content_code"].map(SEX_OF_CODE)
    split = sex.notna()
    frame = frame.copy()
    frame.loc[split, "group_type"] = "gender"
    frame.loc[split, "group_value"] = sex[split]
    frame.loc[split, "content_code"] = "TYOTTOMATLOPUSSA"
    frame.loc[split, "measure_id"] = pd.NA
    return frame


employment_monthly_job = dg.define_asset_job(
    "employment_monthly_job",
    selection=[employment_monthly],
    partitions_def=monthly,
    description="Fetch the monthly employment review for one month or a backfilled range.",
    tags=warehouse_tags(),
)
