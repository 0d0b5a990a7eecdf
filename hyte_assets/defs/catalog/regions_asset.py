"""The region table and the peer-group rules as catalog tables, for the peer, index and gap models."""

from collections.abc import Iterator

import dagster as dg

from hyte_assets.defs.catalog.assets import catalog_specs
from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.peers import region_tables
from hyte_assets.lib.warehouse import replace_tables

REGION_TABLES = {
    "catalog.municipalities": (
        "Finland's 308 municipalities with their maakunta, wellbeing services county and real 2025 "
        "population (data/regions/regions-fi.csv, cited in data/regions/README.md)."
    ),
    "catalog.peer_rules": (
        "Who belongs to a municipality's peer group, vertailukunnat (data/scorecard/peers.csv; "
        "rules in data/scorecard/peers.md)."
    ),
}


# The decorator and signature match plan_catalog's (assets.py) in shape only: both are multi-assets
# over catalog_specs; what they load and check differs.
@dg.multi_asset(
    name="region_catalog",
    specs=catalog_specs(REGION_TABLES, code_version="1"),
    can_subset=False,
)
def region_catalog(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Loads both files through `lib.peers`, which rejects a bad peer rule naming file, row and problem,
    so a typo cannot silently shrink the peer group the council compares with."""
    tables = region_tables(settings.data_path)
    with warehouse.connect() as con:
        versions = replace_tables(con, tables)
    rules = tables["catalog.peer_rules"]
    context.log.info(
        f"regions: {len(tables['catalog.municipalities'])} municipalities, {len(rules)} peer rules"
    )
    for table in REGION_TABLES:
        frame = tables[table]
        extra = (
            {
                "rules_by_municipality": dg.MetadataValue.md(
                    rules.groupby("municipality_code")
                    .size()
                    .rename("rules")
                    .reset_index()
                    .to_markdown(index=False)
                )
            }
            if table == "catalog.peer_rules"
            else {"population_total": int(frame["population"].sum())}
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(table.split(".")),
            metadata={**table_metadata(frame), **extra},
            data_version=dg.DataVersion(versions[table]),
        )
