"""Validation rules of the tables the employment assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    EMPLOYMENT_CODES,
    LONG_FORM,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    catalog_measures,
    fixed,
    monthly,
    ref_measures,
)

SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        table="raw.employment_monthly",
        source="employment",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=("content_code", "region_level", "region_code", "period", "group_type", "group_value"),
        value="value",
        unit="catalog",
        # Runs in its own job, possibly before raw.sotkanet_regions exists to name the maakunta.
        regions=Regions(("kunta", "koko_maa")),
        required=(Items("content_code", "the monthly review's figures", fixed(EMPLOYMENT_CODES)),),
        time="period",
        calendar=monthly(2, "monthly employment review, published the following month"),
        outliers=True,
    ),
    TableSuite(
        table="raw.employment_values",
        source="employment",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=("series_id", "region_level", "region_code", "period", "group_type", "group_value"),
        series_id=("measure_id", "content_code"),
        value="value",
        unit="catalog",
        # 12r5 is a municipal table: a maakunta it does not publish is a coverage note in the
        # metadata of raw/employment_monthly, not a blocking failure (issue 13).
        regions=Regions(("kunta", "koko_maa")),
        required=(
            Items(
                "measure_id",
                "catalog measures of source employment with a cited table",
                ref_measures(("employment",)),
            ),
        ),
        time="year",
        calendar=annual(2, "annual employment measures"),
        coverage=Items(
            "measure_id", "catalog measures of source employment", catalog_measures(("employment",))
        ),
        outliers=True,
    ),
)

ge_checks = checks_for(SUITES)
