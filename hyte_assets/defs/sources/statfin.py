"""Statistics Finland (StatFin PxWeb v1): income distribution, population, and the monthly
employment review (työnvälitystilasto, table tyonv/12r5)."""

import dagster as dg
import pandas as pd

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, StatFinResource, WarehouseResource
from hyte_assets.defs.sources.sotkanet import (
    GROUP,
    OWNERS,
    changed_metadata,
    demo_rows,
    fetch_time,
    resolve_regions_frame,
    scope_regions,
    sotkanet_regions,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import TABLE_REF, load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.jsonstat import decode_jsonstat2
from hyte_assets.lib.longform import conform
from hyte_assets.lib.provenance import load_real_keys
from hyte_assets.lib.pxweb import (
    EMPLOYMENT_CODES,
    EMPLOYMENT_TABLE,
    PxWebClient,
    check_content_codes,
    find_variable,
)
from hyte_assets.lib.warehouse import read_table, replace_tables, table_exists, write_if_changed

KINDS = {"python", "duckdb"}
POPULATION = ("vaerak/11re", "vaerak-vaesto")
STATFIN_EXTRA = {"table_id": "string", "content_code": "string"}


def area_to_region(code: str) -> tuple[str, str] | None:
    """Statistics Finland area code → (region_level, region_code); None for areas we do not model."""
    if code == "SSS":
        return "koko_maa", "SSS"
    if code.startswith("KU"):
        return "kunta", code[2:]
    if code.startswith("MK"):
        return "maakunta", code[2:]
    return None


def catalog_refs(settings: PipelineSettings, sources: tuple[str, ...]) -> pd.DataFrame:
    """Catalog measures whose source_ref is a cited `table:content_code`."""
    measures = load_catalog(settings.data_path / "catalog").measures
    measures = measures[measures["source"].isin(sources)]
    parsed = measures["source_ref"].str.extract(TABLE_REF)
    return measures.assign(table_id=parsed["table"], content_code=parsed["code"]).dropna(subset=["table_id"])


def query_table(
    client: PxWebClient,
    table: str,
    codes: list[str],
    areas: list[str] | None,
    time_values: tuple[str, list[str]],
) -> pd.DataFrame:
    """Check the content codes against the table's metadata, query, and decode (suppressed → NULL).

    Variables are found by role or marker value, not by name: Statistics Finland renamed them
    in June 2026.
    """
    metadata = client.table_metadata(table)
    content_var = check_content_codes(metadata, table, codes)
    area_var = find_variable(metadata, contains_value="SSS", table=table)["code"]
    time_var = find_variable(metadata, time=True, table=table)["code"]
    available = find_variable(metadata, code=area_var, table=table)["values"]
    areas = [a for a in (available if areas is None else areas) if a in set(available)]
    payload = client.query(
        table, {area_var: ("item", areas), time_var: time_values, content_var: ("item", codes)}
    )
    df = decode_jsonstat2(payload, source="statfin", item=f"table {table}")
    df = df.rename(columns={area_var: "area", time_var: "time", content_var: "content_code"})
    # A recorded snapshot answers the widest query; keep what this query asked for.
    return df[df["area"].isin(areas) & df["content_code"].isin(codes)]


def to_long(
    df: pd.DataFrame, table: str, settings: PipelineSettings, code_to_measure: dict[str, str]
) -> pd.DataFrame:
    real = load_real_keys(settings.data_path / "snapshots" / "real_values.csv")
    regions = df["area"].map(area_to_region)
    df = df[regions.notna()].assign(
        region_level=[r[0] for r in regions.dropna()], region_code=[r[1] for r in regions.dropna()]
    )
    period = df["time"].str.replace("M", "-", regex=False)
    items = "statfin:" + table + ":" + df["content_code"]
    keys = zip(items, df["region_code"], period, strict=True)
    return conform(
        pd.DataFrame(
            {
                "measure_id": df["content_code"].map(code_to_measure),
                "table_id": table,
                "content_code": df["content_code"],
                "region_code": df["region_code"],
                "region_level": df["region_level"],
                "year": period.str[:4].astype(int),
                "period": period,
                "group_type": "total",
                "group_value": "total",
                "value": df["value"],
                "is_demo": [False if settings.live else (i, r, p, "total") not in real for i, r, p in keys],
                "fetched_at": fetch_time(settings),
            }
        ),
        STATFIN_EXTRA,
    )


def scope_areas(
    warehouse: WarehouseResource, settings: PipelineSettings, *, every_municipality: bool
) -> list[str]:
    with warehouse.connect() as con:
        regions = read_table(con, "raw.sotkanet_regions")
    if not every_municipality:
        regions = resolve_regions_frame(regions, settings)
    prefix = {"kunta": "KU", "maakunta": "MK"}
    return [
        "SSS" if level == "koko_maa" else prefix[level] + code
        for level, code in zip(regions["region_level"], regions["region_code"], strict=True)
        if level != "hyvinvointialue"
    ]


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    deps=[sotkanet_regions, "plan_catalog"],
    tags={"source": "statfin"},
)
@skip_when_unchanged(
    ("raw.statfin_values",),
    ("snapshots/statfin", "snapshots/real_values.csv", "catalog"),
    ("raw.sotkanet_regions",),
)
def statfin_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    statfin: StatFinResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Annual StatFin tables the catalog cites (e.g. tjt/14ww children's low-income rate), in long form.

    Content codes are confirmed against each table's metadata at run time; a missing code fails
    with the table and code named.
    """
    client = statfin.client(settings)
    refs = catalog_refs(settings, ("statfin",))
    areas = scope_areas(warehouse, settings, every_municipality=False)
    frames = []
    for table, group in refs.groupby("table_id"):
        codes = sorted(group["content_code"].unique())
        decoded = query_table(client, table, codes, areas, ("top", ["15"]))
        frames.append(
            to_long(
                decoded, table, settings, dict(zip(group["content_code"], group["measure_id"], strict=True))
            )
        )
    demo = demo_rows(settings, "statfin", scope_regions(warehouse, settings))
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
        },
    )


@dg.asset(group_name=GROUP, kinds=KINDS, owners=OWNERS, deps=[sotkanet_regions], tags={"source": "statfin"})
@skip_when_unchanged(
    ("raw.population",), ("snapshots/statfin", "snapshots/real_values.csv"), ("raw.sotkanet_regions",)
)
def population(
    settings: PipelineSettings, statfin: StatFinResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Population at year end for every municipality (vaerak/11re), for the hyte-kerroin's euros
    and its population-weighted national average."""
    table, code = POPULATION
    client = statfin.client(settings)
    decoded = query_table(
        client, table, [code], scope_areas(warehouse, settings, every_municipality=True), ("top", ["6"])
    )
    long = to_long(decoded, table, settings, {})
    frame = long[long["region_level"] == "kunta"][["region_code", "year", "value", "is_demo", "fetched_at"]]
    frame = frame.rename(columns={"region_code": "municipality_code", "value": "population"}).reset_index(
        drop=True
    )
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.population": frame}))
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame),
            **changed_metadata(changed, versions),
            "municipalities": int(frame["municipality_code"].nunique()),
        },
        data_version=dg.DataVersion(versions["raw.population"]),
    )


monthly = dg.MonthlyPartitionsDefinition(start_date="2023-01-01", end_offset=0)


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    partitions_def=monthly,
    backfill_policy=dg.BackfillPolicy.single_run(),
    tags={"source": "employment"},
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


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    deps=[employment_monthly, sotkanet_regions],
    tags={"source": "employment"},
)
@skip_when_unchanged(
    ("raw.employment_values",), ("snapshots/employment",), ("raw.employment_monthly", "raw.sotkanet_regions")
)
def employment_values(settings: PipelineSettings, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Employment measures in long form: the monthly review's figures, the derived long-term
    unemployed share (PITKAAIKAISTYOTTOMAT / TYOTTOMATLOPUSSA, as the plan's "39,7 % työttömistä"),
    and demo rows for employment measures without a cited source."""
    with warehouse.connect() as con:
        if not table_exists(con, "raw.employment_monthly"):
            raise SourceError(
                "employment", "raw.employment_monthly is empty: materialise employment_monthly first"
            )
        monthly_rows = read_table(con, "raw.employment_monthly")
        regions = resolve_regions_frame(read_table(con, "raw.sotkanet_regions"), settings)
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
)
