"""THL Sotkanet: regions, indicator metadata, register values and the school health survey.

Kouluterveyskysely (THL's biennial school health survey) is published through Sotkanet, so it
shares this client; its measures keep their school level.
"""

import datetime as dt

import dagster as dg
import pandas as pd

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.demo_data import RECORDED_AT
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.longform import conform, read_demo_values
from hyte_assets.lib.provenance import load_real_keys
from hyte_assets.lib.sotkanet import REGION_LEVELS, check_title, match_titles, resolve_regions
from hyte_assets.lib.warehouse import read_table, table_exists, write_if_changed

GROUP = "sources"
OWNERS = ["team:hyte"]
KINDS = {"python", "duckdb"}
FIRST_YEAR = 2000
REGIONS_AND_INDICATORS = ("raw.sotkanet_regions", "raw.sotkanet_indicators")


def fetch_time(settings: PipelineSettings) -> pd.Timestamp:
    """When the data was fetched: now in live mode, the recording time of the snapshot otherwise."""
    return pd.Timestamp.now().floor("s") if settings.live else pd.Timestamp(RECORDED_AT)


def indicator_measures(settings: PipelineSettings, sources: tuple[str, ...]) -> pd.DataFrame:
    """Catalog measures of these sources that carry a cited Sotkanet indicator id."""
    measures = load_catalog(settings.data_path / "catalog").measures
    pinned = measures[measures["source"].isin(sources) & measures["source_ref"].str.fullmatch(r"\d+")]
    return pinned.assign(indicator_id=pinned["source_ref"].astype(int))


def changed_metadata(changed: bool, versions: dict[str, str]) -> dict[str, object]:
    return {"rewritten": changed, "content_version": next(iter(versions.values()))}


@dg.asset(group_name=GROUP, kinds=KINDS, owners=OWNERS, tags={"source": "sotkanet"})
@skip_when_unchanged(("raw.sotkanet_regions",), ("snapshots/sotkanet/regions.json",))
def sotkanet_regions(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Sotkanet's regions (`/regions`) with each municipality's region and wellbeing county.

    Region ids are internal to Sotkanet and have been renumbered before, so everything
    downstream resolves regions by category and official code from this table.
    """
    client = sotkanet.client(settings)
    regions = [r for r in client.regions() if r.category in REGION_LEVELS]
    resolved = resolve_regions(regions, settings.municipality_code)
    by_id = {r.id: r for r in regions}

    def parent_code(member_of: tuple[int, ...], category: str) -> str | None:
        codes = [by_id[i].code for i in member_of if i in by_id and by_id[i].category == category]
        return codes[0] if codes else None

    frame = pd.DataFrame(
        {
            "region_id": [r.id for r in regions],
            "region_code": ["SSS" if r.category == "MAA" else r.code for r in regions],
            "sotkanet_code": [r.code for r in regions],
            "region_level": [REGION_LEVELS[r.category] for r in regions],
            "region_name": [r.title_fi for r in regions],
            "category": [r.category for r in regions],
            "member_of": [list(r.member_of) for r in regions],
            "maakunta_code": [parent_code(r.member_of, "MAAKUNTA") for r in regions],
            "hyvinvointialue_code": [parent_code(r.member_of, "HYVINVOINTIALUE") for r in regions],
            # Codes starting with Z are placeholders of the demo snapshot (lib/regions.py).
            "is_demo": [r.code.startswith("Z") for r in regions],
            "fetched_at": fetch_time(settings),
        }
    )
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.sotkanet_regions": frame}))
    comparison = {level: f"{r.title_fi} (id {r.id}, code {r.code})" for level, r in resolved.items()}
    context.log.info(f"comparison regions for {settings.municipality_code}: {comparison}")
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["region_id", "region_code", "region_level", "region_name"]),
            **changed_metadata(changed, versions),
            "municipalities": int((frame["region_level"] == "kunta").sum()),
            "comparison_regions": dg.MetadataValue.json(comparison),
            **client.stats.as_dict(),
        },
        data_version=dg.DataVersion(versions["raw.sotkanet_regions"]),
    )


@dg.asset(group_name=GROUP, kinds=KINDS, owners=OWNERS, deps=["plan_catalog"], tags={"source": "sotkanet"})
@skip_when_unchanged(("raw.sotkanet_indicators",), ("snapshots/sotkanet/indicators", "catalog"))
def sotkanet_indicators(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Metadata (`/indicators/{id}`) of every catalog measure with a Sotkanet id, title-checked.

    Public sources often mislabel ids, so each indicator's Finnish title must match the
    catalog's `source_title`; a mismatch fails that indicator (status `title_mismatch`) and the
    values asset skips it, while the other indicators still load.
    """
    client = sotkanet.client(settings)
    rows = []
    for measure in indicator_measures(settings, ("sotkanet", "kouluterveyskysely")).itertuples():
        row = {
            "indicator_id": measure.indicator_id,
            "measure_id": measure.measure_id,
            "expected_title": measure.source_title,
            "title_fi": None,
            "has_municipal_data": None,
            "range_start": None,
            "range_end": None,
            "data_updated": None,
            "status": "ok",
            "error": None,
        }
        try:
            meta = client.indicator(measure.indicator_id)
            row.update(
                title_fi=meta.title_fi,
                has_municipal_data=meta.has_municipal_data,
                range_start=meta.range_start,
                range_end=meta.range_end,
                data_updated=meta.data_updated,
            )
            check_title(measure.indicator_id, measure.source_title, meta)
        except SourceError as exc:
            row.update(status="title_mismatch" if "title" in exc.problem else "error", error=str(exc))
            context.log.warning(str(exc))
        rows.append(row)
    frame = pd.DataFrame(rows).assign(fetched_at=fetch_time(settings))
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.sotkanet_indicators": frame}))
    failed = frame[frame["status"] != "ok"]
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["indicator_id", "measure_id", "status", "title_fi"]),
            **changed_metadata(changed, versions),
            "indicators_ok": int((frame["status"] == "ok").sum()),
            "indicators_failed": len(failed),
            "failures": dg.MetadataValue.md(failed[["indicator_id", "error"]].to_markdown(index=False))
            if len(failed)
            else "none",
        },
        data_version=dg.DataVersion(versions["raw.sotkanet_indicators"]),
    )


def fetch_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
    table: str,
    sources: tuple[str, ...],
) -> tuple[pd.DataFrame, dict[str, object], pd.DataFrame]:
    """Values of the title-checked indicators of these sources in long form, with the regions in scope.

    An indicator that fails keeps its last good rows from the existing table, so one broken
    indicator never erases data the reports already show.
    """
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


def scope_regions(warehouse: WarehouseResource, settings: PipelineSettings) -> pd.DataFrame:
    with warehouse.connect() as con:
        return resolve_regions_frame(read_table(con, "raw.sotkanet_regions"), settings)


def resolve_regions_frame(regions: pd.DataFrame, settings: PipelineSettings) -> pd.DataFrame:
    """The regions kept by HYTE_REGION_SCOPE: the comparison set, or every municipality too."""
    code = settings.municipality_code.zfill(3)
    home = regions[(regions["region_level"] == "kunta") & (regions["region_code"] == code)]
    if home.empty:
        raise SourceError("sotkanet", f"municipality {code} is not in raw.sotkanet_regions")
    comparison = set(home["member_of"].iloc[0]) | set(home["region_id"])
    if settings.region_scope == "all_municipalities":
        keep = regions["region_id"].isin(comparison) | (regions["region_level"] == "kunta")
    else:
        # The plan scope also keeps the municipality's own maakunta peers, for the rank column.
        keep = regions["region_id"].isin(comparison) | (
            (regions["region_level"] == "kunta") & (regions["maakunta_code"] == home["maakunta_code"].iloc[0])
        )
    return regions[keep]


def demo_rows(settings: PipelineSettings, source: str, regions: pd.DataFrame) -> pd.DataFrame:
    """Snapshot-mode demo rows for measures without a cited source id (never in live mode)."""
    if settings.live:
        return conform(pd.DataFrame())
    rows = read_demo_values(
        settings.data_path / "snapshots" / source / "demo_values.csv", fetch_time(settings)
    )
    return rows[rows["region_code"].isin(set(regions["region_code"]))]


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    deps=[sotkanet_regions, sotkanet_indicators],
    tags={"source": "sotkanet"},
)
@skip_when_unchanged(
    ("raw.sotkanet_values",),
    ("snapshots/sotkanet/json", "snapshots/sotkanet/demo_values.csv", "snapshots/real_values.csv", "catalog"),
    REGIONS_AND_INDICATORS,
)
def sotkanet_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Register indicators from Sotkanet (`/json`) in long form, plus demo rows where no id is cited."""
    values, stats, regions = fetch_values(
        context, settings, sotkanet, warehouse, "raw.sotkanet_values", ("sotkanet",)
    )
    frame = conform(
        pd.concat([values, demo_rows(settings, "sotkanet", regions)], ignore_index=True),
        {"indicator_id": "Int64", "region_id": "Int64", "gender": "string"},
    )
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.sotkanet_values": frame})
        changed, versions = write_if_changed(con, tables)
    return values_result(tables["raw.sotkanet_values"], changed, versions, stats)


def values_result(
    frame: pd.DataFrame, changed: bool, versions: dict[str, str], stats: dict[str, object]
) -> dg.MaterializeResult:
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


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    owners=OWNERS,
    deps=[sotkanet_regions, sotkanet_indicators],
    tags={"source": "kouluterveyskysely"},
)
@skip_when_unchanged(
    ("raw.kouluterveyskysely_values",),
    ("snapshots/sotkanet/json", "snapshots/kouluterveyskysely", "snapshots/real_values.csv", "catalog"),
    REGIONS_AND_INDICATORS,
)
def kouluterveyskysely_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Kouluterveyskysely (school health survey) results by school level (4.–5. lk, 8.–9. lk, lukio,
    ammatillinen), from Sotkanet where an indicator id is cited, demo rows otherwise."""
    values, stats, regions = fetch_values(
        context, settings, sotkanet, warehouse, "raw.kouluterveyskysely_values", ("kouluterveyskysely",)
    )
    extra = {"indicator_id": "Int64", "school_level": "string"}
    frame = pd.concat([values, demo_rows(settings, "kouluterveyskysely", regions)], ignore_index=True)
    frame["school_level"] = frame["group_value"].where(frame["group_type"] == "school_level")
    frame = conform(frame, extra)
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.kouluterveyskysely_values": frame})
        changed, versions = write_if_changed(con, tables)
    return values_result(tables["raw.kouluterveyskysely_values"], changed, versions, stats)


@dg.asset(group_name=GROUP, kinds=KINDS, owners=OWNERS, deps=["plan_catalog"], tags={"source": "sotkanet"})
@skip_when_unchanged(
    ("raw.sotkanet_indicator_resolution",), ("snapshots/sotkanet/indicators.json", "catalog")
)
def sotkanet_indicator_resolution(
    settings: PipelineSettings, sotkanet: SotkanetResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Which catalog measures have a Sotkanet id, and candidates for those that do not.

    Matches each catalog title against the `/indicators` listing by exact normalised Finnish
    title, then applies the reviewed mapping file (data/catalog/sotkanet_reviewed_mapping.csv).
    Unmatched measures are reported as "no source id", never guessed.
    """
    catalog = load_catalog(settings.data_path / "catalog").measures
    measures = catalog[catalog["source"].isin(["sotkanet", "kouluterveyskysely"])]
    listing = sotkanet.client(settings).indicators()
    matches = {
        m.measure_id: m
        for m in match_titles(dict(zip(measures["measure_id"], measures["title_fi"], strict=True)), listing)
    }
    reviewed_path = settings.data_path / "catalog" / "sotkanet_reviewed_mapping.csv"
    reviewed = pd.read_csv(reviewed_path, dtype=str) if reviewed_path.exists() else pd.DataFrame()
    reviewed_ids = dict(zip(reviewed.get("measure_id", []), reviewed.get("indicator_id", []), strict=True))
    rows = []
    for measure in measures.itertuples():
        match = matches[measure.measure_id]
        if measure.source_ref:
            status, note = "pinned", "catalog cites this id; title checked at ingest"
        elif measure.measure_id in reviewed_ids:
            status, note = "reviewed", "id from the reviewed mapping file"
        elif match.status != "unmatched":
            status, note = match.status, "exact normalised title in /indicators; pin after review"
        else:
            status, note = "unmatched", "no source id"
        rows.append(
            {
                "measure_id": measure.measure_id,
                "title_fi": measure.title_fi,
                "source": measure.source,
                "catalog_ref": measure.source_ref or None,
                "status": status,
                "candidate_ids": ",".join(str(c) for c in match.candidates) or None,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows)
    with warehouse.connect() as con:
        changed, versions = write_if_changed(
            con, guard(con, settings, {"raw.sotkanet_indicator_resolution": frame})
        )
    counts = frame["status"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["measure_id", "status", "candidate_ids", "note"]),
            **changed_metadata(changed, versions),
            "status_counts": dg.MetadataValue.json(counts),
            "listing_size": len(listing),
        },
        data_version=dg.DataVersion(versions["raw.sotkanet_indicator_resolution"]),
    )
