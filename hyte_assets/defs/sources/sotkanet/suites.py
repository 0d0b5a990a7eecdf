"""Validation rules of the tables the sotkanet assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

import dagster as dg

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    BOOL,
    INT,
    INT_LIST,
    REGION_LEVELS,
    TEXT,
    TIME,
    Items,
    Regions,
    TableSuite,
    catalog_measures,
    ref_measures,
    sotkanet_values_suite,
)
from hyte_assets.defs.resources import WarehouseResource
from hyte_assets.lib.ge_adapter import Expectation

SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        table="raw.sotkanet_regions",
        source="sotkanet",
        columns={
            "region_id": INT,
            "region_code": TEXT,
            "region_level": TEXT,
            "region_name": TEXT,
            "member_of": INT_LIST,
            "maakunta_code": TEXT,
            "hyvinvointialue_code": TEXT,
            "is_demo": BOOL,
            "fetched_at": TIME,
        },
        key=("region_id",),
        regions=Regions(REGION_LEVELS),
        in_sets={"region_level": REGION_LEVELS},
        extra=(
            Expectation(
                "expect_compound_columns_to_be_unique",
                {"column_list": ["region_level", "region_code"]},
                "one region per level and official code",
            ),
        ),
    ),
    TableSuite(
        table="raw.sotkanet_indicators",
        source="sotkanet",
        columns={"indicator_id": INT, "measure_id": TEXT, "status": TEXT, "fetched_at": TIME},
        key=("indicator_id",),
        required=(
            Items(
                "measure_id",
                "catalog measures with a Sotkanet id (sources sotkanet, kouluterveyskysely)",
                ref_measures(("sotkanet", "kouluterveyskysely")),
            ),
        ),
        in_sets={"status": ("ok", "title_mismatch", "error")},
    ),
    TableSuite(
        table="raw.sotkanet_indicator_resolution",
        source="sotkanet",
        columns={"measure_id": TEXT, "source": TEXT, "status": TEXT, "note": TEXT},
        key=("measure_id",),
        required=(
            Items(
                "measure_id",
                "every catalog measure of sources sotkanet and kouluterveyskysely",
                catalog_measures(("sotkanet", "kouluterveyskysely")),
            ),
        ),
        in_sets={"status": ("pinned", "reviewed", "matched", "ambiguous", "unmatched")},
    ),
    sotkanet_values_suite("sotkanet_values", "sotkanet", {"indicator_id": INT, "region_id": INT}),
)

ge_checks = checks_for(SUITES)


@dg.asset_check(
    asset=dg.AssetKey(["raw", "sotkanet_indicators"]),
    name="titles_match",
    description="Warning: every pinned Sotkanet id carries the title the catalog expects (up to "
    "spacing, case and the known compound-word drift). A rejected id keeps its previous rows.",
    blocking=False,
)
def titles_match(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Visible warning per rejected title (the run summary reads `rejected_titles`)."""
    from hyte_assets.defs.sources.ingest import rejected_titles
    from hyte_assets.lib.warehouse import read_table, table_exists

    with warehouse.connect() as con:
        if not table_exists(con, "raw.sotkanet_indicators"):
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"problem": "raw.sotkanet_indicators is missing"},
            )
        frame = read_table(con, "raw.sotkanet_indicators")
    rejected = rejected_titles(frame)
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejected": len(rejected),
            "rejected_titles": dg.MetadataValue.json(rejected),
        },
    )
