"""Validation rules of the tables the statfin assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    BOOL,
    INT,
    NUMBER,
    STATFIN_LEVELS,
    TEXT,
    Regions,
    TableSuite,
    annual,
    cited_measures,
    long_form_suite,
    measures_of,
)

SUITES: tuple[TableSuite, ...] = (
    long_form_suite(
        "raw.statfin_values",
        "statfin",
        {"table_id": TEXT, "content_code": TEXT},
        regions=Regions(STATFIN_LEVELS),
        required=(cited_measures("statfin"),),
        time="year",
        calendar=annual(2, "annual statistics"),
        coverage=measures_of("statfin"),
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
