"""What the source folders share: asset defaults, publication calendars, fetch time, region
scope, long-form results, maintained files and the StatFin table helpers.

Each `defs/sources/<source>/` folder imports from here and from `lib/`, never from another
source's folder, so a source can be added or removed without touching the others.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.unchanged import code_version_of
from hyte_assets.lib.catalog import TABLE_REF, load_catalog
from hyte_assets.lib.demo_support import RECORDED_AT
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.jsonstat import decode_jsonstat2
from hyte_assets.lib.longform import conform, read_demo_values
from hyte_assets.lib.provenance import load_real_keys
from hyte_assets.lib.pxweb import PxWebClient, check_content_codes, find_variable
from hyte_assets.lib.warehouse import read_table, table_exists

if TYPE_CHECKING:
    import pandas as pd

GROUP = "sources"
OWNERS = ["team:hyte"]
REGIONS_TABLE = "raw.sotkanet_regions"
REGIONS_KEY = dg.AssetKey(["raw", "sotkanet_regions"])
CATALOG_KEY = dg.AssetKey(["catalog", "measures"])
STATFIN_EXTRA = {"table_id": "string", "content_code": "string"}
KINDS = {"python", "duckdb"}
FIRST_YEAR = 2000
REGIONS_AND_INDICATORS = (REGIONS_TABLE, "raw.sotkanet_indicators")


class Window(NamedTuple):
    """How old a source's data may get before it is overdue, from its publication calendar.

    A window counts from the asset's last successful materialisation; `warn` comes first,
    `fail` is the point where the data is stale.
    """

    warn_days: int
    fail_days: int
    calendar: str

    def policy(self) -> dg.FreshnessPolicy:
        return dg.FreshnessPolicy.time_window(
            fail_window=dt.timedelta(days=self.fail_days), warn_window=dt.timedelta(days=self.warn_days)
        )

    def metadata(self) -> dict[str, str]:
        return {"publication_calendar": self.calendar}


MONTHLY = Window(35, 45, "monthly employment review, published about 3-4 weeks after the month")
ANNUAL = Window(370, 400, "annual statistics, published once a year")
KTK = Window(760, 800, "school health survey, every second (odd) year, results in the autumn")
TEA = Window(400, 760, "TEAviisari rounds every year, each sector every second year")
DELIVERY = Window(370, 400, "city deliveries, at least once a year for the annual report")


def source_attributes(
    table: str,
    source: str,
    window: Window,
    *,
    deps: Sequence[object] = (),
    kinds: set[str] | None = None,
) -> dict[str, Any]:
    """What every source asset (or spec) says about itself: its key is the table's path, the
    shared group and owners, the source tag, and the freshness window of its calendar."""
    return {
        "key": dg.AssetKey(table.split(".")),
        "group_name": GROUP,
        "owners": OWNERS,
        "kinds": kinds or KINDS,
        "deps": list(deps),
        "tags": {"source": source},
        "freshness_policy": window.policy(),
        "metadata": window.metadata(),
    }


def source_asset(
    table: str,
    source: str,
    window: Window,
    *,
    deps: Sequence[object] = (),
    kinds: set[str] | None = None,
    **extra: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """`@dg.asset` for a source asset that writes `table`; its `code_version` is the fingerprint of
    the defining module and the parsing code it uses (`unchanged.code_version_of`)."""

    def decorate(fn: Callable[..., Any]) -> dg.AssetsDefinition:
        attributes = source_attributes(table, source, window, deps=deps, kinds=kinds)
        return dg.asset(**attributes, code_version=code_version_of(fn.__module__), **extra)(fn)

    return decorate


def fetch_time(settings: PipelineSettings) -> "pd.Timestamp":
    """When the data was fetched: now in live mode, the recording time of the snapshot otherwise."""
    import pandas as pd

    return pd.Timestamp.now().floor("s") if settings.live else pd.Timestamp(RECORDED_AT)


def changed_metadata(changed: bool, versions: dict[str, str]) -> dict[str, object]:
    return {"rewritten": changed, "content_version": next(iter(versions.values()))}


def resolve_regions_frame(regions: "pd.DataFrame", settings: PipelineSettings) -> "pd.DataFrame":
    """The regions kept by HYTE_REGION_SCOPE: the comparison set, or every municipality too."""
    code = settings.municipality_code.zfill(3)
    home = regions[(regions["region_level"] == "kunta") & (regions["region_code"] == code)]
    if home.empty:
        raise SourceError("sotkanet", f"municipality {code} is not in {REGIONS_TABLE}")
    comparison = set(home["member_of"].iloc[0]) | set(home["region_id"])
    if settings.region_scope == "all_municipalities":
        keep = regions["region_id"].isin(comparison) | (regions["region_level"] == "kunta")
    else:
        # The plan scope also keeps the municipality's own maakunta peers, for the rank column.
        keep = regions["region_id"].isin(comparison) | (
            (regions["region_level"] == "kunta") & (regions["maakunta_code"] == home["maakunta_code"].iloc[0])
        )
    return regions[keep]


def scope_regions(warehouse: WarehouseResource, settings: PipelineSettings) -> "pd.DataFrame":
    with warehouse.connect() as con:
        return resolve_regions_frame(read_table(con, REGIONS_TABLE), settings)


def demo_rows(settings: PipelineSettings, source: str, regions: "pd.DataFrame") -> "pd.DataFrame":
    """Snapshot-mode demo rows for measures without a cited source id (never in live mode)."""
    import pandas as pd

    if settings.live:
        return conform(pd.DataFrame())
    rows = read_demo_values(
        settings.data_path / "snapshots" / source / "demo_values.csv", fetch_time(settings)
    )
    return rows[rows["region_code"].isin(set(regions["region_code"]))]


def values_result(
    frame: "pd.DataFrame", changed: bool, versions: dict[str, str], stats: dict[str, object]
) -> dg.MaterializeResult:
    """The result of a long-form values asset: coverage, demo share and what changed."""
    from hyte_assets.defs.metadata import table_metadata

    years = frame["year"].dropna()
    return dg.MaterializeResult(
        metadata={
            **table_metadata(
                frame, ["measure_id", "region_code", "period", "group_value", "value", "is_demo"]
            ),
            **changed_metadata(changed, versions),
            **stats,
            "measures": int(frame["measure_id"].nunique()),
            "years_covered": f"{int(years.min())}–{int(years.max())}" if len(years) else "none",
            "demo_rows": int(frame["is_demo"].sum()),
            "real_rows": int((~frame["is_demo"]).sum()),
        },
        data_version=dg.DataVersion(next(iter(versions.values()))),
    )


def read_maintained(
    settings: PipelineSettings, relative: str, required: list[str], source: str = "teaviisari"
) -> "pd.DataFrame":
    """A file that a person keeps up to date (data/snapshots/<relative>), its columns checked."""
    import pandas as pd

    path = settings.data_path / "snapshots" / relative
    if not path.exists():
        raise SourceError(source, "maintained file is missing", file=str(path))
    try:
        df = pd.read_csv(path, dtype={"municipality_code": str}, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceError(source, f"not a UTF-8 CSV file: {exc}", file=str(path)) from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceError(source, f"missing columns {missing}; found {list(df.columns)}", file=str(path))
    return df


# Sotkanet values: the sotkanet and kouluterveyskysely sources both read them.


def indicator_measures(settings: PipelineSettings, sources: tuple[str, ...]) -> "pd.DataFrame":
    """Catalog measures of these sources that carry a cited Sotkanet indicator id."""
    measures = load_catalog(settings.data_path / "catalog").measures
    pinned = measures[measures["source"].isin(sources) & measures["source_ref"].str.fullmatch(r"\d+")]
    return pinned.assign(indicator_id=pinned["source_ref"].astype(int))


def fetch_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
    table: str,
    sources: tuple[str, ...],
) -> "tuple[pd.DataFrame, dict[str, object], pd.DataFrame]":
    """Values of the title-checked indicators of these sources in long form, with the regions in scope.

    An indicator that fails keeps its last good rows from the existing table, so one broken
    indicator never erases data the reports already show.
    """
    import pandas as pd

    client = sotkanet.client(settings)
    fetched_at = fetch_time(settings)
    with warehouse.connect() as con:
        resolved = resolve_regions_frame(read_table(con, "raw.sotkanet_regions"), settings)
        checked = read_table(con, "raw.sotkanet_indicators")
        previous = read_table(con, table) if table_exists(con, table) else None
    wanted = indicator_measures(settings, sources)
    ok_ids = set(checked.loc[checked["status"] == "ok", "indicator_id"])
    skipped = sorted(set(wanted["indicator_id"]) - ok_ids)
    wanted = wanted[wanted["indicator_id"].isin(ok_ids)]
    years = range(FIRST_YEAR, dt.date.today().year + 1)
    results = client.data_many(wanted["indicator_id"].tolist(), years, ("total",)) if len(wanted) else {}
    real = load_real_keys(settings.data_path / "snapshots" / "real_values.csv")
    frames, failed = [], {}
    region_index = resolved.set_index("region_id")
    for measure in wanted.itertuples():
        rows = results.get(measure.indicator_id)
        if isinstance(rows, SourceError):
            failed[measure.indicator_id] = str(rows)
            context.log.error(str(rows))
            if previous is not None:
                frames.append(previous[previous["indicator_id"] == measure.indicator_id])
            continue
        df = pd.DataFrame(rows or [], columns=["indicator", "region", "year", "gender", "value", "abs_value"])
        df = df[df["region"].isin(region_index.index)]
        if df.empty:
            continue
        region = region_index.loc[df["region"]]
        item = f"sotkanet:{measure.indicator_id}"
        frames.append(
            pd.DataFrame(
                {
                    "measure_id": measure.measure_id,
                    "indicator_id": measure.indicator_id,
                    "region_id": df["region"].to_numpy(),
                    "region_code": region["region_code"].to_numpy(),
                    "region_level": region["region_level"].to_numpy(),
                    "year": df["year"].to_numpy(),
                    "period": df["year"].astype(str).to_numpy(),
                    "gender": df["gender"].to_numpy(),
                    "group_type": "total",
                    "group_value": "total",
                    "value": df["value"].to_numpy(),
                    "abs_value": df["abs_value"].to_numpy(),
                    "is_demo": [
                        False if settings.live else (item, code, str(year), "total") not in real
                        for code, year in zip(region["region_code"], df["year"], strict=True)
                    ],
                    "fetched_at": fetched_at,
                }
            )
        )
    if results and len(failed) == len(results):
        raise SourceError("sotkanet", f"every indicator failed; {table} left as it was: {failed}")
    extra = {"indicator_id": "Int64", "region_id": "Int64", "gender": "string"}
    values = (
        conform(pd.concat(frames, ignore_index=True), extra) if frames else conform(pd.DataFrame(), extra)
    )
    stats = {
        "indicators_requested": len(wanted),
        "indicators_skipped_title_check": skipped,
        "indicators_failed": dg.MetadataValue.json(failed),
        **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
    }
    return values, stats, resolved


# StatFin PxWeb tables: the statfin and employment sources both read them.


def area_to_region(code: str) -> tuple[str, str] | None:
    """Statistics Finland area code → (region_level, region_code); None for areas we do not model."""
    if code == "SSS":
        return "koko_maa", "SSS"
    if code.startswith("KU"):
        return "kunta", code[2:]
    if code.startswith("MK"):
        return "maakunta", code[2:]
    return None


def catalog_refs(settings: PipelineSettings, sources: tuple[str, ...]) -> "pd.DataFrame":
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
) -> "pd.DataFrame":
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
    df: "pd.DataFrame", table: str, settings: PipelineSettings, code_to_measure: dict[str, str]
) -> "pd.DataFrame":
    """Decoded PxWeb cells in the long-form contract, real or demo by the provenance list."""
    import pandas as pd

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
