"""Validation rules of the tables the employment assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    EMPLOYMENT_CODES,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    cited_measures,
    fixed,
    long_form_suite,
    measures_of,
    monthly,
)

SUITES: tuple[TableSuite, ...] = (
    long_form_suite(
        "raw.employment_monthly",
        "employment",
        {"table_id": TEXT, "content_code": TEXT},
        key=("content_code", "region_level", "region_code", "period", "group_type", "group_value"),
        # Runs in its own job, possibly before raw.sotkanet_regions exists to name the maakunta.
        regions=Regions(("kunta", "koko_maa")),
        required=(Items("content_code", "the monthly review's figures", fixed(EMPLOYMENT_CODES)),),
        time="period",
        calendar=monthly(2, "monthly employment review, published the following month"),
        outliers=True,
    ),
    long_form_suite(
        "raw.employment_values",
        "employment",
        {"table_id": TEXT, "content_code": TEXT},
        key=("series_id", "region_level", "region_code", "period", "group_type", "group_value"),
        series_id=("measure_id", "content_code"),
        # 12r5 is a municipal table: a maakunta it does not publish is a coverage note in the
        # metadata of raw/employment_monthly, not a blocking failure (issue 13).
        regions=Regions(("kunta", "koko_maa")),
        required=(cited_measures("employment"),),
        time="year",
        calendar=annual(2, "annual employment measures"),
        coverage=measures_of("employment"),
        outliers=True,
    ),
)

ge_checks = checks_for(SUITES)
