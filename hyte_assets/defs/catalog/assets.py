"""The welfare plan itself as data: themes, goals, measures, actions and the plan's own figures."""

from collections.abc import Iterator

import dagster as dg

from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.scorecard_files import load_scorecard_tables
from hyte_assets.lib.warehouse import replace_tables


def catalog_specs(tables: dict[str, str], code_version: str | None = None) -> list[dg.AssetSpec]:
    """One spec per `catalog.<table>` (key = table path) for a multi-asset that loads hand-kept files."""
    return [
        dg.AssetSpec(
            key=dg.AssetKey(table.split(".")),
            description=description,
            group_name="catalog",
            kinds={"csv", "duckdb"},
            owners=["team:hyte"],
            tags={"layer": "catalog"},
            code_version=code_version,
        )
        for table, description in tables.items()
    ]


CATALOG_TABLES = {
    "catalog.themes": "The plan's 4 themes (teemat), the top level of the plan.",
    "catalog.goals": "The plan's 7 goals (tavoitteet), each under a theme.",
    "catalog.measures": "The plan's measures (mittarit) with their source, unit and direction.",
    "catalog.measure_goals": "Which goal each measure follows (a measure can serve several).",
    "catalog.actions": "The plan's actions (toimenpiteet) with their responsible units.",
    "catalog.plan_figures": "The figures the plan itself states, to check against the data.",
}


@dg.multi_asset(
    name="plan_catalog",
    specs=catalog_specs(CATALOG_TABLES, code_version="1"),
    can_subset=False,
)
def plan_catalog(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """The plan's 4 themes, 7 goals, measures, actions and stated figures (data/catalog/).

    Curated from Heinolan hyvinvointisuunnitelma 2026–2029; every other asset reads its
    measure list from here, so an edit by the welfare coordinator flows through the whole graph.
    """
    catalog = load_catalog(settings.data_path / "catalog")
    tables = catalog.tables()
    with warehouse.connect() as con:
        versions = replace_tables(con, tables)
    measures = catalog.measures
    per_theme = measures.groupby("theme_id").size().rename("measures").reset_index()
    per_goal = tables["catalog.measure_goals"].groupby("goal_id").size().rename("measures").reset_index()
    per_source = measures.groupby("source").size().rename("measures").reset_index()
    context.log.info(f"catalog: {len(measures)} measures, {len(catalog.actions)} actions")
    summary = {
        "themes": len(catalog.themes),
        "goals": len(catalog.goals),
        "actions": len(catalog.actions),
        "plan_figures": len(catalog.plan_figures),
        "measures_per_theme": dg.MetadataValue.md(per_theme.to_markdown(index=False)),
        "measures_per_goal": dg.MetadataValue.md(per_goal.to_markdown(index=False)),
        "measures_per_source": dg.MetadataValue.md(per_source.to_markdown(index=False)),
        # Per source: measures with a cited source id (Sotkanet, per school level, StatFin) and without.
        "pinned_ids": dg.MetadataValue.json(catalog.pin_counts()),
        "sotkanet_pinned_ids": len(catalog.sotkanet_pins()),
    }
    for table in CATALOG_TABLES:
        frame = tables[table]
        metadata = (
            {
                **table_metadata(frame, preview_columns=["measure_id", "title_fi", "source", "goal_ids"]),
                **summary,
            }
            if table == "catalog.measures"
            else table_metadata(frame)
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(table.split(".")),
            metadata=metadata,
            data_version=dg.DataVersion(versions[table]),
        )


SCORECARD_TABLES = {
    "catalog.min_change": "The smallest change per unit called real when no sample size or count is known.",
    "catalog.scorecard_baselines": "The plan's pinned baselines: the value known when the plan was adopted.",
    "catalog.survey_response_rates": "Survey response rates (low-response flag below 50 %).",
    "catalog.measure_themes": "Theme membership from the plan's MITTARIT blocks (primary / supporting).",
    "catalog.measure_goal_links": "Goal links with their role (primary / supporting) for the roll-ups.",
}


@dg.multi_asset(
    name="scorecard_thresholds",
    specs=catalog_specs(SCORECARD_TABLES),
    can_subset=False,
)
def scorecard_thresholds(
    settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """The scorecard's hand-kept files (data/scorecard/*.csv, data/catalog/measure_themes.csv and
    measure_goal_links.csv), validated by lib/scorecard_files.py with file, row and column named."""
    tables = load_scorecard_tables(settings.data_path)
    with warehouse.connect() as con:
        versions = replace_tables(con, tables)
    for table in SCORECARD_TABLES:
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(table.split(".")),
            metadata=table_metadata(tables[table]),
            data_version=dg.DataVersion(versions[table]),
        )
