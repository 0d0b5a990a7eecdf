"""Respondents (n) of the school health survey per school level, region, year and gender, asked of
THL's open-data cube with the `n` flag (reference thl-report-tea-ktk.md §3).

Which cube answers for which measure and school level is configured in
data/catalog/thl_cube_sample_sizes.csv. The school-survey cubes' ids and dimension names were not
verified (no live access when this was built), so the file ships empty: with nothing configured the
table is empty and typed, the run succeeds, and the scorecard takes n from the source rows or the
city's delivery (`vastaajia`) instead; a survey row without n stays `not_judged`.
"""

from typing import TYPE_CHECKING

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, ThlCubeResource, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    KTK,
    REGIONS_KEY,
    REGIONS_TABLE,
    changed_metadata,
    fetch_time,
    resolve_regions_frame,
    source_asset,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import SCHOOL_LEVELS, load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.thl_cube import (
    SAMPLE_SIZE_TYPES,
    fetch_sample_sizes,
    read_sample_size_config,
)
from hyte_assets.lib.warehouse import read_table, table_exists, write_if_changed

if TYPE_CHECKING:
    import pandas as pd

TABLE = "raw.kouluterveyskysely_sample_sizes"
CONFIG = "catalog/thl_cube_sample_sizes.csv"
NOTHING_CONFIGURED = (
    "no cube configured: data/catalog/thl_cube_sample_sizes.csv has no rows (the school-survey "
    "cube ids and dimension names are unverified; see data/catalog/README.md)"
)


def region_names(regions: "pd.DataFrame") -> dict[str, tuple[str, str]]:
    """Region name (lower-case) → (region_code, region_level), municipalities first when a name
    repeats across levels; the cube names regions, it does not use Sotkanet's codes."""
    order = {"kunta": 0, "maakunta": 1, "hyvinvointialue": 2, "koko_maa": 3}
    ranked = regions.assign(rank=regions["region_level"].map(order).fillna(9)).sort_values("rank")
    names: dict[str, tuple[str, str]] = {}
    for row in ranked.itertuples():
        names.setdefault(str(row.region_name).strip().lower(), (str(row.region_code), str(row.region_level)))
    return names


def empty_table() -> "pd.DataFrame":
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in SAMPLE_SIZE_TYPES.items()})
    return frame.assign(fetched_at=pd.Series(dtype="datetime64[us]"))


@source_asset(TABLE, "kouluterveyskysely", KTK, deps=[REGIONS_KEY], kinds={"python", "duckdb", "json"})
@skip_when_unchanged((TABLE,), (CONFIG, "snapshots/thl_cube"), (REGIONS_TABLE,))
def kouluterveyskysely_sample_sizes(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    thl_cube: ThlCubeResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Respondents of the school health survey per measure, school level, region, year and gender,
    from the THL cubes configured in data/catalog/thl_cube_sample_sizes.csv (unverified ids: the
    file ships empty, and then this table is empty). A cube that fails (HTML error page with 200,
    429 after retries, silence) is a warning in the metadata and keeps its previous rows."""
    import pandas as pd

    catalog = load_catalog(settings.data_path / "catalog")
    school = set(catalog.measures_of("kouluterveyskysely")["measure_id"])
    specs = read_sample_size_config(settings.data_path / CONFIG, measures=school, school_levels=SCHOOL_LEVELS)
    with warehouse.connect() as con:
        regions = resolve_regions_frame(read_table(con, REGIONS_TABLE), settings)
        previous = read_table(con, TABLE) if table_exists(con, TABLE) else None
    client = thl_cube.client(settings)
    names = region_names(regions)
    now = pd.Timestamp(fetch_time(settings)).as_unit("us")
    frames, warnings = [], {}
    for spec in specs:
        try:
            fetched = fetch_sample_sizes(client, spec, names)
            # a recording read offline is not vouched for as live data is
            frames.append(fetched.assign(is_demo=fetched["is_demo"] | (not settings.live), fetched_at=now))
        except SourceError as exc:
            warnings[f"{spec.measure_id} {spec.school_level}"] = str(exc)
            context.log.warning(f"THL cube {spec.path} not loaded this run, previous rows kept: {exc}")
            if previous is not None:
                kept = previous[
                    (previous["measure_id"] == spec.measure_id)
                    & (previous["school_level"] == spec.school_level)
                ]
                frames.append(kept)  # with their own fetch time
    frame = empty_table()
    if frames:
        frame = pd.concat(frames, ignore_index=True).astype(SAMPLE_SIZE_TYPES)
        frame["fetched_at"] = pd.to_datetime(frame["fetched_at"]).astype("datetime64[us]")
    with warehouse.connect() as con:
        tables = guard(con, settings, {TABLE: frame})
        changed, versions = write_if_changed(con, tables)
    written = tables[TABLE]
    return dg.MaterializeResult(
        metadata={
            **table_metadata(
                written, ["measure_id", "school_level", "region_code", "year", "gender", "sample_size"]
            ),
            **changed_metadata(changed, versions),
            "cubes_configured": len(specs),
            "note": f"{len(specs) - len(warnings)} of {len(specs)} loaded" if specs else NOTHING_CONFIGURED,
            "cube_warnings": dg.MetadataValue.json(warnings),
            **{f"http_{k}": v for k, v in client.stats.as_dict().items()},
        },
        data_version=dg.DataVersion(versions[TABLE]),
    )
