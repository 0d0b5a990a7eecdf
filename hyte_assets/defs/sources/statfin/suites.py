"""Validation rules of the tables the statfin assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    BOOL,
    INT,
    LONG_FORM,
    LONG_KEY,
    NUMBER,
    STATFIN_LEVELS,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    catalog_measures,
    ref_measures,
)

SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        table="raw.statfin_values",
        source="statfin",
        columns={**LONG_FORM, "table_id": TEXT, "content_code": TEXT},
        key=LONG_KEY,
        value="value",
        unit="catalog",
        regions=Regions(STATFIN_LEVELS),
        required=(
            Items(
                "measure_id",
                "catalog measures of source statfin with a cited table",
                ref_measures(("statfin",)),
            ),
        ),
        time="year",
        calendar=annual(2, "annual statistics"),
        coverage=Items("measure_id", "catalog measures of source statfin", catalog_measures(("statfin",))),
        outliers=True,
    ),
    TableSuite(
        table="raw.population",
        source="statfin",
        columns={"municipality_code": TEXT, "year": INT, "population": NUMBER, "is_demo": BOOL},
        key=("municipality_code", "year"),
        value="population",
        unit="count",
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        time="year",
        calendar=annual(2, "population at year end"),
        outliers=True,
    ),
)

ge_checks = checks_for(SUITES)
