"""THL Sotkanet: regions, indicator metadata and register values.

The school health survey is published through Sotkanet too; its assets live in
`defs/sources/kouluterveyskysely/`; both use `defs/sources/sotkanet_fetch.py`.
"""

import dagster as dg

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, SotkanetResource, WarehouseResource
from hyte_assets.defs.sources.ingest import (
    ANNUAL,
    CATALOG_KEY,
    REGIONS_AND_INDICATORS,
    REGISTER_SOURCES,
    VALUES_EXTRA,
    changed_metadata,
    check_indicators,
    demo_rows,
    fetch_time,
    fetch_values,
    rejected_titles,
    source_asset,
    values_result,
)
from hyte_assets.defs.unchanged import skip_when_unchanged
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.longform import conform
from hyte_assets.lib.sotkanet import REGION_LEVELS, match_titles, resolve_regions
from hyte_assets.lib.warehouse import write_if_changed


@source_asset("raw.sotkanet_regions", "sotkanet", ANNUAL)
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
    import pandas as pd

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


@source_asset("raw.sotkanet_indicators", "sotkanet", ANNUAL, deps=[CATALOG_KEY])
@skip_when_unchanged(
    ("raw.sotkanet_indicators",), ("snapshots/sotkanet/indicators", "catalog", "hyte/indicators.csv")
)
def sotkanet_indicators(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    sotkanet: SotkanetResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Metadata (`/indicators/{id}`) of every pinned Sotkanet id, title-checked.

    The pins are the catalog's (`measures.csv` and, per school level, `sotkanet_school_level_ids.csv`)
    and the hyte-kerroin outcome ids without a plan measure line (`data/hyte/indicators.csv`).
    Public sources mislabel ids, so each id's Finnish title must match the expected (2015) title
    up to spacing, case and the known compound-word drift; a mismatch marks that id
    (`title_mismatch`, a failed warning check `titles_match`), the values assets keep its previous
    rows, and the other ids still load. Region levels, genders and `range.end` are kept here, with
    a warning per id ("no municipality level", "data ended in N").
    """
    frame, http = check_indicators(context, settings, sotkanet)
    with warehouse.connect() as con:
        changed, versions = write_if_changed(con, guard(con, settings, {"raw.sotkanet_indicators": frame}))
    rejected = frame[frame["status"] == "title_mismatch"]
    failed = frame[frame["status"] == "error"]
    warnings = frame[frame["warnings"].notna()]
    return dg.MaterializeResult(
        metadata={
            **table_metadata(frame, ["indicator_id", "measure_id", "status", "title_fi", "warnings"]),
            **changed_metadata(changed, versions),
            **http,
            "indicators_ok": int((frame["status"] == "ok").sum()),
            "indicators_failed": len(failed) + len(rejected),
            # Read by the run summary: one line per rejected title.
            "rejected_titles": dg.MetadataValue.json(rejected_titles(frame)),
            "metadata_errors": dg.MetadataValue.json(
                {str(i): e for i, e in zip(failed["indicator_id"], failed["error"], strict=True)}
            ),
            "indicator_warnings": dg.MetadataValue.json(
                {str(i): w for i, w in zip(warnings["indicator_id"], warnings["warnings"], strict=True)}
            ),
            "with_gender_classification": int(frame["genders"].fillna("").str.contains("male").sum()),
        },
        data_version=dg.DataVersion(versions["raw.sotkanet_indicators"]),
    )


@source_asset("raw.sotkanet_values", "sotkanet", ANNUAL, deps=[sotkanet_regions, sotkanet_indicators])
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
    """Register indicators from Sotkanet (`/json`) in long form, plus demo rows where no id is cited.

    Ids with a gender classification come as male, female and total (`gender`; the men and women
    rows are group_type `gender`). The hyte-kerroin outcome ids without a plan measure line land
    here too, under their hyte indicator id. An id that did not load this run keeps its previous
    rows (the reason is in `indicators_not_loaded`).
    """
    import pandas as pd

    values, stats, regions = fetch_values(
        context, settings, sotkanet, warehouse, "raw.sotkanet_values", REGISTER_SOURCES
    )
    demo = demo_rows(settings, "sotkanet", regions)
    frame = conform(pd.concat([values, demo.assign(gender="total")], ignore_index=True), VALUES_EXTRA)
    with warehouse.connect() as con:
        tables = guard(con, settings, {"raw.sotkanet_values": frame})
        changed, versions = write_if_changed(con, tables)
    return values_result(tables["raw.sotkanet_values"], changed, versions, stats)


@source_asset("raw.sotkanet_indicator_resolution", "sotkanet", ANNUAL, deps=[CATALOG_KEY])
@skip_when_unchanged(
    ("raw.sotkanet_indicator_resolution",), ("snapshots/sotkanet/indicators.json", "catalog")
)
def sotkanet_indicator_resolution(
    settings: PipelineSettings, sotkanet: SotkanetResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Which catalog measures have a pinned Sotkanet id, and candidates for those that do not.

    A measure is pinned when `sotkanet_pins()` carries it (its own id, or one per school level).
    The others are matched against the `/indicators` listing by exact normalised Finnish title:
    `matched` (one id), `ambiguous` (several, with their titles) or `unmatched` (with up to three
    close titles in `near`), and the reviewed mapping file (data/catalog/sotkanet_reviewed_mapping.csv)
    applies. A candidate is for a maintainer to pin with evidence, never a pin by itself.
    """
    import pandas as pd

    catalog = load_catalog(settings.data_path / "catalog")
    measures = catalog.measures[catalog.measures["source"].isin(["sotkanet", "kouluterveyskysely"])]
    pins = catalog.sotkanet_pins()
    pinned_ids = pins.groupby("measure_id")["indicator_id"].apply(lambda s: ",".join(map(str, sorted(s))))
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
        if measure.measure_id in pinned_ids.index:
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
                "catalog_ref": pinned_ids.get(measure.measure_id),
                "status": status,
                "candidate_ids": ",".join(str(c) for c in match.candidates) or None,
                "candidate_titles": " | ".join(match.candidate_titles) or None,
                "near": " | ".join(f"{i}: {t}" for i, t in match.near) or None,
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
            **table_metadata(frame, ["measure_id", "status", "candidate_ids", "candidate_titles", "near"]),
            **changed_metadata(changed, versions),
            "status_counts": dg.MetadataValue.json(counts),
            "listing_size": len(listing),
        },
        data_version=dg.DataVersion(versions["raw.sotkanet_indicator_resolution"]),
    )
