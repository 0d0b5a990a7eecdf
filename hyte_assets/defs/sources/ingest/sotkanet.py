"""Sotkanet ids to fetch, their metadata, and their values in long form, shared by the sotkanet,
kouluterveyskysely and teaviisari sources.

Why here and not in a source folder: the school survey and the TEAviisari sector scores are
published through Sotkanet too, so the three sources share the pin list, the title check and the
rule that an indicator that did not load this run keeps its previous rows (issue 18 #3).
"""

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.sources.ingest.core import FIRST_YEAR, fetch_time, resolve_regions_frame
from hyte_assets.lib.catalog import SCHOOL_LEVELS, SOURCES, load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.longform import conform
from hyte_assets.lib.provenance import load_real_keys
from hyte_assets.lib.sotkanet import IndicatorMeta, available_level, check_title, indicator_warnings
from hyte_assets.lib.warehouse import read_table, table_exists

if TYPE_CHECKING:
    import pandas as pd

INDICATORS_TABLE = "raw.sotkanet_indicators"
# pin_source: the source of the pin (catalog source, or `hyte` for the hyte-kerroin-only ids).
VALUES_EXTRA = {"indicator_id": "Int64", "region_id": "Int64", "gender": "string", "pin_source": "string"}
# Hyte-kerroin outcome ids without a plan measure line land in raw.sotkanet_values with the
# hyte indicator id (data/hyte/indicators.csv) as measure_id; staging keeps catalog measures only.
HYTE_SOURCE = "hyte"
# raw.sotkanet_values takes every pinned id but the school survey's: register ids, the adult
# surveys THL publishes through Sotkanet (e.g. 4284 for the regional survey) and the hyte-only ids.
REGISTER_SOURCES = (*(s for s in SOURCES if s != "kouluterveyskysely"), HYTE_SOURCE)
ALL_PIN_SOURCES = (*SOURCES, HYTE_SOURCE)
# Levels an indicator without municipality data is shown at instead (in this order).
FALLBACK_LEVELS = ("maakunta", "hyvinvointialue")


def hyte_only_pins(settings: PipelineSettings, known: set[int]) -> "pd.DataFrame":
    """Hyte-kerroin outcome ids (data/hyte/indicators.csv `sotkanet_id`, `sotkanet_title`) that no
    catalog pin carries: 3906 (ylipaino) and 306 (työkyvyttömyyseläke) today."""
    import pandas as pd

    path = settings.data_path / "hyte" / "indicators.csv"
    if not path.exists():
        return pd.DataFrame(columns=["measure_id", "source", "group", "indicator_id", "expected_title"])
    hyte = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "sotkanet_title" not in hyte.columns:
        raise SourceError(
            "hyte", "missing column sotkanet_title (the id's 2015 Sotkanet title)", file=str(path)
        )
    rows = hyte[hyte["sotkanet_id"].str.fullmatch(r"\d+") & (hyte["sotkanet_title"] != "")]
    rows = rows[~rows["sotkanet_id"].astype(int).isin(known)]
    return pd.DataFrame(
        {
            "measure_id": rows["indicator_id"],
            "source": HYTE_SOURCE,
            "group": "total",
            "indicator_id": rows["sotkanet_id"].astype(int),
            "expected_title": rows["sotkanet_title"],
        }
    )


def wanted_indicators(settings: PipelineSettings, sources: tuple[str, ...]) -> "pd.DataFrame":
    """Every pinned Sotkanet id of these sources (catalog pins; `hyte` adds the hyte-only outcome
    ids), with the group its rows go to: the school level for school-survey ids, else total.

    `required` marks catalog pins: a required indicator that loses all its rows fails the asset.
    """
    import pandas as pd

    catalog = load_catalog(settings.data_path / "catalog")
    pins = catalog.sotkanet_pins()
    pins = pins.assign(required=True)
    if HYTE_SOURCE in sources:
        extra = hyte_only_pins(settings, set(pins["indicator_id"])).assign(required=False)
        pins = pd.concat([pins, extra], ignore_index=True)
    pins = pins[pins["source"].isin(sources)].drop_duplicates("indicator_id")
    school = pins["group"].isin(SCHOOL_LEVELS)
    return pins.assign(
        group_type=school.map({True: "school_level", False: "total"}),
        group_value=pins["group"].where(school, "total"),
        indicator_id=pins["indicator_id"].astype(int),
    ).reset_index(drop=True)


def metadata_row(meta: IndicatorMeta, today: dt.date) -> dict[str, Any]:
    """What the indicators table keeps of one `/indicators/{id}` document."""
    return {
        "title_fi": meta.title_fi,
        "region_levels": "|".join(meta.region_levels),
        "has_municipal_data": meta.has_municipal_data,
        "reporting_level": available_level(meta, "kunta", FALLBACK_LEVELS),
        "genders": "|".join(meta.genders),
        "range_start": meta.range_start,
        "range_end": meta.range_end,
        "data_updated": meta.data_updated,
        "warnings": "; ".join(indicator_warnings(meta, current_year=today.year)) or None,
    }


def check_indicators(
    context: dg.AssetExecutionContext, settings: PipelineSettings, sotkanet: SotkanetResource
) -> "tuple[pd.DataFrame, dict[str, Any]]":
    """Metadata and title check of every wanted id; a failure marks that id, never the others."""
    import pandas as pd

    client = sotkanet.client(settings)
    today = dt.date.today()
    rows = []
    wanted = wanted_indicators(settings, ALL_PIN_SOURCES)
    for pin in wanted.itertuples():
        row: dict[str, Any] = {
            "indicator_id": pin.indicator_id,
            "measure_id": pin.measure_id,
            "source": pin.source,
            "group_value": pin.group_value,
            "expected_title": pin.expected_title,
            "status": "ok",
            "error": None,
        }
        try:
            meta = client.indicator(pin.indicator_id)
            row.update(metadata_row(meta, today))
            check_title(pin.indicator_id, pin.expected_title, meta)
        except SourceError as exc:
            row.update(
                status="title_mismatch" if "title mismatch" in exc.problem else "error", error=str(exc)
            )
        rows.append(row)
    warn_each(context, "sotkanet indicator metadata not read", [r["error"] for r in rows if r["error"]])
    frame = pd.DataFrame(rows).assign(fetched_at=fetch_time(settings))
    for column in ("title_fi", "region_levels", "reporting_level", "genders", "warnings", "data_updated"):
        frame[column] = frame.get(column, pd.Series(None, index=frame.index)).astype("string")
    for column in ("range_start", "range_end"):
        frame[column] = pd.to_numeric(frame.get(column), errors="coerce").astype("Int64")
    frame["has_municipal_data"] = frame.get("has_municipal_data", pd.Series(pd.NA)).astype("boolean")
    return frame, {f"http_{k}": v for k, v in client.stats.as_dict().items()}


def warn_each(context: dg.AssetExecutionContext, headline: str, problems: list[str]) -> None:
    """One warning listing every problem: each log line is an event Dagster writes to its run
    storage, and with the recorded snapshot some thirty ids are missing at once."""
    if problems:
        context.log.warning(f"{len(problems)} {headline}:\n" + "\n".join(f"- {p}" for p in problems))


class Fetched(NamedTuple):
    """What `fetch_values` returns: the rows, the metadata of the asset, the regions in scope."""

    values: "pd.DataFrame"
    stats: dict[str, object]
    regions: "pd.DataFrame"


def _long_rows(
    pin: Any, rows: list[Any], region_index: "pd.DataFrame", settings: PipelineSettings, real: set
) -> "pd.DataFrame":
    import pandas as pd

    df = pd.DataFrame(rows, columns=["indicator", "region", "year", "gender", "value", "abs_value"])
    df = df[df["region"].isin(region_index.index)]
    region = region_index.loc[df["region"]]
    gender = df["gender"].fillna("total")
    # Men and women are their own group for register ids; a school-survey row keeps its school
    # level as the group and the gender beside it.
    by_gender = (gender != "total") & (pin.group_type == "total")
    item = f"sotkanet:{pin.indicator_id}"
    return pd.DataFrame(
        {
            "measure_id": pin.measure_id,
            "indicator_id": pin.indicator_id,
            "pin_source": pin.source,
            "region_id": df["region"].to_numpy(),
            "region_code": region["region_code"].to_numpy(),
            "region_level": region["region_level"].to_numpy(),
            "year": df["year"].to_numpy(),
            "period": df["year"].astype(str).to_numpy(),
            "gender": gender.to_numpy(),
            "group_type": by_gender.map({True: "gender", False: pin.group_type}).to_numpy(),
            "group_value": gender.where(by_gender, pin.group_value).to_numpy(),
            "value": df["value"].to_numpy(),
            "abs_value": df["abs_value"].to_numpy(),
            # real_values.csv cites totals only: a male/female row of a cited year stays demo
            "is_demo": [
                False if settings.live else (sex != "total" or (item, code, str(year), "total") not in real)
                for code, year, sex in zip(region["region_code"], df["year"], gender, strict=True)
            ],
            "fetched_at": fetch_time(settings),
        }
    )


def fetch_values(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
    table: str,
    sources: tuple[str, ...],
) -> Fetched:
    """Values of the title-checked ids of these sources in long form (male, female and total where
    the id has a gender classification), with the regions in scope.

    An id that did not load this run (metadata failed, title rejected, data call failed, no rows)
    keeps its previous rows from `table`, with the reason in the metadata; a catalog pin that
    had rows and would lose all of them fails the asset instead (the table is left as it was).
    """
    import pandas as pd

    client = sotkanet.client(settings)
    with warehouse.connect() as con:
        resolved = resolve_regions_frame(read_table(con, "raw.sotkanet_regions"), settings)
        checked = read_table(con, INDICATORS_TABLE)
        previous = read_table(con, table) if table_exists(con, table) else None
    wanted = wanted_indicators(settings, sources)
    status = checked.set_index("indicator_id")
    not_loaded: dict[int, str] = {}
    for pin in wanted.itertuples():
        if pin.indicator_id not in status.index:
            not_loaded[pin.indicator_id] = "not in raw.sotkanet_indicators (metadata not read this run)"
        elif status.at[pin.indicator_id, "status"] != "ok":
            not_loaded[pin.indicator_id] = str(status.at[pin.indicator_id, "error"])
    ok = wanted[~wanted["indicator_id"].isin(not_loaded)]
    genders = {
        i: tuple(str(status.at[i, "genders"]).split("|")) if pd.notna(status.at[i, "genders"]) else ("total",)
        for i in ok["indicator_id"]
    }
    years = range(FIRST_YEAR, dt.date.today().year + 1)
    results = client.data_many(ok["indicator_id"].tolist(), years, genders_by_id=genders) if len(ok) else {}
    real = load_real_keys(settings.data_path / "snapshots" / "real_values.csv")
    region_index = resolved.set_index("region_id")
    frames = []
    for pin in ok.itertuples():
        rows = results.get(pin.indicator_id)
        if isinstance(rows, SourceError):
            not_loaded[pin.indicator_id] = str(rows)
            context.log.error(str(rows))
            continue
        long = _long_rows(pin, rows or [], region_index, settings, real)
        if long.empty:
            not_loaded[pin.indicator_id] = "no rows for the regions in scope"
            continue
        frames.append(long)
    errors = {i: str(r) for i, r in results.items() if isinstance(r, SourceError)}
    if results and len(errors) == len(results):
        # Nothing answered: a source-wide fault (HTML error pages, an outage), not one indicator.
        raise SourceError("sotkanet", f"every indicator failed; {table} left as it was: {errors}")
    if previous is not None:
        frames.append(previous[previous["indicator_id"].isin(list(not_loaded))])
    values = conform(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), VALUES_EXTRA)
    check_nothing_lost(wanted, previous, values, not_loaded, table)
    warn_each(
        context,
        "sotkanet indicators not loaded this run (previous rows kept)",
        [f"{indicator_id}: {reason}" for indicator_id, reason in not_loaded.items()],
    )
    stats: dict[str, object] = {
        "indicators_requested": len(ok),
        "indicators_loaded": len(ok) - len(set(not_loaded) & set(ok["indicator_id"])),
        "genders": dg.MetadataValue.json({str(k): list(v) for k, v in genders.items()}),
        "indicators_not_loaded": dg.MetadataValue.json({str(k): v for k, v in not_loaded.items()}),
        "indicators_kept_previous_rows": dg.MetadataValue.json(
            {str(k): int((values["indicator_id"] == k).sum()) for k in not_loaded}
        ),
        **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
    }
    return Fetched(values, stats, resolved)


def check_nothing_lost(
    wanted: "pd.DataFrame",
    previous: "pd.DataFrame | None",
    values: "pd.DataFrame",
    not_loaded: dict[int, str],
    table: str,
) -> None:
    """A catalog pin that had rows in `table` and has none in the new batch fails the asset (the
    table is left as it was): its figures would silently vanish from the reports."""
    if previous is None:
        return
    required = set(wanted.loc[wanted["required"], "indicator_id"])
    had = set(previous["indicator_id"].dropna().astype(int))
    now = set(values["indicator_id"].dropna().astype(int))
    lost = sorted((required & had) - now)
    if lost:
        reasons = {i: not_loaded.get(i, "no rows") for i in lost}
        raise SourceError("sotkanet", f"required indicators would lose all their rows in {table}: {reasons}")


def rejected_titles(frame: "pd.DataFrame") -> list[dict[str, object]]:
    """One entry per id whose title was rejected: what the catalog expects and what Sotkanet has."""
    import pandas as pd

    rejected = frame[frame["status"] == "title_mismatch"]
    return [
        {
            "indicator_id": int(r.indicator_id),
            "measure_id": r.measure_id,
            "expected_title": r.expected_title,
            "sotkanet_title": None if pd.isna(r.title_fi) else r.title_fi,
        }
        for r in rejected.itertuples()
    ]


TEA_TABLE = "raw.teaviisari_sotkanet"
TEA_COLUMNS = [
    "sector_id",
    "indicator_id",
    "region_code",
    "region_level",
    "year",
    "score",
    "is_demo",
    "fetched_at",
]


def tea_sector_scores(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> "tuple[pd.DataFrame, dict[str, object]]":
    """TEAviisari sector scores where Sotkanet carries them (data/catalog/teaviisari_sectors.csv:
    `sotkanet_id` with its 2015 `sotkanet_title`), for the regions in scope, title-checked.

    A sector whose id fails (metadata, title, data) keeps its previous rows, with the reason.
    """
    import pandas as pd

    sectors = pd.read_csv(
        settings.data_path / "catalog" / "teaviisari_sectors.csv", dtype=str, keep_default_na=False
    )
    sectors = sectors[sectors["sotkanet_id"].str.fullmatch(r"\d+")]
    client = sotkanet.client(settings)
    with warehouse.connect() as con:
        regions = resolve_regions_frame(read_table(con, "raw.sotkanet_regions"), settings).set_index(
            "region_id"
        )
        previous = read_table(con, TEA_TABLE) if table_exists(con, TEA_TABLE) else None
    failed: dict[str, str] = {}
    ok: dict[int, str] = {}
    for sector in sectors.itertuples():
        try:
            check_title(
                int(sector.sotkanet_id), sector.sotkanet_title, client.indicator(int(sector.sotkanet_id))
            )
            ok[int(sector.sotkanet_id)] = sector.sector_id
        except SourceError as exc:
            failed[sector.sector_id] = str(exc)
    years = range(FIRST_YEAR, dt.date.today().year + 1)
    results = client.data_many(list(ok), years) if ok else {}
    frames = []
    for indicator_id, rows in results.items():
        if isinstance(rows, SourceError) or not rows:
            failed[ok[indicator_id]] = str(rows) if isinstance(rows, SourceError) else "no rows"
            continue
        df = pd.DataFrame(rows)
        df = df[df["region"].isin(regions.index) & (df["gender"] == "total")]
        region = regions.loc[df["region"]]
        frames.append(
            pd.DataFrame(
                {
                    "sector_id": ok[indicator_id],
                    "indicator_id": indicator_id,
                    "region_code": region["region_code"].to_numpy(),
                    "region_level": region["region_level"].to_numpy(),
                    "year": df["year"].to_numpy(),
                    "score": df["value"].to_numpy(),
                    "is_demo": not settings.live,
                    "fetched_at": fetch_time(settings),
                }
            )
        )
    if previous is not None and failed:
        frames.append(previous[previous["sector_id"].isin(list(failed))])
    warn_each(
        context,
        "TEAviisari sectors from Sotkanet not loaded this run (previous rows kept)",
        [f"{sector_id}: {reason}" for sector_id, reason in failed.items()],
    )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TEA_COLUMNS)
    frame = frame[TEA_COLUMNS].astype(
        {
            "sector_id": "string",
            "indicator_id": "Int64",
            "region_code": "string",
            "region_level": "string",
            "year": "Int64",
            "score": "Float64",
            "is_demo": "boolean",
        }
    )
    frame["fetched_at"] = pd.to_datetime(frame["fetched_at"]).astype("datetime64[us]")
    stats = {
        "sectors_from_sotkanet": sorted(ok.values()),
        "sectors_not_loaded": dg.MetadataValue.json(failed),
        **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
    }
    return frame, stats
