"""StatFin PxWeb tables, shared by the statfin and employment sources: the areas in scope from the
shipped region table, a query planned from the table's metadata, and the long-form rows.

Why: StatFin answers HTTP 400 for the whole query when one value is not listed (a month not yet
published, a maakunta in a municipal table), so every query asks only what the metadata lists and
reports the rest as notes; and the areas come from `data/regions/regions-fi.csv`, so StatFin and the
employment review land while Sotkanet is down.
"""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from hyte_assets.defs.resources import PipelineSettings
from hyte_assets.defs.sources.ingest.core import STATFIN_EXTRA, fetch_time
from hyte_assets.lib.catalog import TABLE_REF, load_catalog
from hyte_assets.lib.jsonstat import decode_jsonstat2
from hyte_assets.lib.longform import conform
from hyte_assets.lib.provenance import load_real_keys
from hyte_assets.lib.pxweb import PxWebClient, QueryPlan, find_area_variable, find_variable, plan_query
from hyte_assets.lib.region_table import COUNTRY_CODE, load_region_table, normalise_municipality_code

if TYPE_CHECKING:
    import pandas as pd

DECODED_COLUMNS = ["area", "time", "content_code", "value"]


def area_to_region(code: str) -> tuple[str, str] | None:
    """Statistics Finland area code → (region_level, region_code); None for areas we do not model."""
    if code == COUNTRY_CODE:
        return "koko_maa", COUNTRY_CODE
    if code.startswith("KU"):
        return "kunta", code[2:]
    if code.startswith("MK"):
        return "maakunta", code[2:]
    return None


def scope_areas(settings: PipelineSettings, *, every_municipality: bool = False) -> "pd.DataFrame":
    """The regions in scope from the region table, as (region_level, region_code, area).

    Plan scope: the municipality, its maakunta peers, its maakunta and the country (StatFin has
    no wellbeing counties); `every_municipality` (or HYTE_REGION_SCOPE=all_municipalities) adds
    every municipality and maakunta.
    """
    import pandas as pd

    table = load_region_table(settings.data_path)
    home = table.municipality(normalise_municipality_code(settings.municipality_code))
    wide = every_municipality or settings.region_scope == "all_municipalities"
    municipalities = table.municipalities if wide else table.in_maakunta(home.maakunta_code)
    maakunnat = sorted({m.maakunta_code for m in table.municipalities}) if wide else [home.maakunta_code]
    rows = [("kunta", m.code, f"KU{m.code}") for m in municipalities]
    rows += [("maakunta", code, f"MK{code}") for code in maakunnat]
    rows.append(("koko_maa", COUNTRY_CODE, COUNTRY_CODE))
    return pd.DataFrame(rows, columns=["region_level", "region_code", "area"])


def catalog_refs(settings: PipelineSettings, sources: tuple[str, ...]) -> "pd.DataFrame":
    """Catalog measures whose source_ref is a cited `table:content_code`."""
    measures = load_catalog(settings.data_path / "catalog").measures
    measures = measures[measures["source"].isin(sources)]
    parsed = measures["source_ref"].str.extract(TABLE_REF)
    return measures.assign(table_id=parsed["table"], content_code=parsed["code"]).dropna(subset=["table_id"])


def totals_of_other_variables(metadata: dict, plan_vars: Iterable[str]) -> dict[str, tuple[str, list[str]]]:
    """`SSS` (total) for every other variable that offers it: 11re's age and sex, for example."""
    skip = set(plan_vars)
    return {
        str(v["code"]): ("item", ["SSS"])
        for v in metadata.get("variables", [])
        if v.get("code") not in skip and v.get("time") is not True and "SSS" in v.get("values", [])
    }


def latest_periods(metadata: dict, table: str, count: int) -> list[str]:
    """The table's `count` latest periods (what `top` would select), from its metadata."""
    values = [str(v) for v in find_variable(metadata, time=True, table=table).get("values", [])]
    return sorted(values)[-count:]


def plan_table(
    client: PxWebClient,
    table: str,
    codes: Sequence[str],
    areas: Sequence[str] | None,
    periods: Sequence[str] | None,
    *,
    latest: int = 15,
) -> tuple[QueryPlan, dict]:
    """Plan a query from the table's metadata: the intersection of what is wanted and what is
    listed (`areas=None`: every area the table lists; `periods=None`: its `latest` periods)."""
    metadata = client.table_metadata(table)
    if areas is None:
        areas = [str(a) for a in find_area_variable(metadata, table).get("values", [])]
    if periods is None:
        periods = latest_periods(metadata, table, latest)
    plan = plan_query(metadata, table, areas=areas, periods=periods, codes=codes)
    content = [plan.content_var] if plan.content_var else []
    extra = totals_of_other_variables(metadata, [plan.area_var, plan.time_var, *content])
    if extra:
        plan = plan_query(metadata, table, areas=areas, periods=periods, codes=codes, extra=extra)
    return plan, metadata


def run_plan(client: PxWebClient, plan: QueryPlan) -> "pd.DataFrame":
    """Query what the plan asks (nothing when nothing asked for is published) and decode it
    (suppressed cells → NULL) into `area`, `time`, `content_code`, `value`."""
    import pandas as pd

    if plan.selections is None:
        return pd.DataFrame(columns=DECODED_COLUMNS)
    payload = client.query(plan.table, plan.selections)
    df = decode_jsonstat2(payload, source="statfin", item=f"table {plan.table}")
    renames = {plan.area_var: "area", plan.time_var: "time"}
    if plan.content_var:
        renames[plan.content_var] = "content_code"
    df = df.rename(columns=renames)
    # A recorded snapshot answers the widest query; keep the areas and codes this query asked for
    # (its periods too where the caller needs exactly them: the monthly partitions).
    return df[df["area"].isin(plan.areas) & df["content_code"].isin(plan.codes)]


def to_long(
    df: "pd.DataFrame", table: str, settings: PipelineSettings, code_to_measure: dict[str, str]
) -> "pd.DataFrame":
    """Decoded PxWeb cells in the long-form contract, real or demo by the provenance list."""
    import pandas as pd

    real = load_real_keys(settings.data_path / "snapshots" / "real_values.csv")
    regions = df["area"].map(area_to_region)
    df = df[regions.notna()].assign(
        region_level=[r[0] for r in regions.dropna()], region_code=[r[1] for r in regions.dropna()]
    )
    period = df["time"].astype(str).str.replace("M", "-", regex=False)
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
