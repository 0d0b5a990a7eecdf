"""Validation rules of the tables the local_deliveries assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    INT,
    LONG_KEY,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    catalog_measures,
    long_form_suite,
    measures_of,
)

SUITES: tuple[TableSuite, ...] = (
    long_form_suite(
        "raw.local_counts",
        "local_files",
        {"source_file": TEXT, "source_row": INT},
        regions=Regions(("kunta",), allowed=("kunta",)),
        time="year",
        calendar=annual(1, "the city's own annual counts"),
        coverage=measures_of("local"),
        outliers=True,
        optional=True,
    ),
    long_form_suite(
        "raw.survey_values",
        "local_files",
        {"survey": TEXT, "survey_name": TEXT, "source_file": TEXT, "source_row": INT},
        key=(*LONG_KEY, "survey_name"),
        # Each survey covers its own levels; the delivery parser accepts only 111, 07, 09 and SSS.
        time="year",
        calendar=annual(3, "surveys every two to three years"),
        coverage=Items(
            "measure_id",
            "catalog measures of the survey sources",
            catalog_measures(("regional_survey", "older_people_survey", "resident_survey")),
        ),
        optional=True,
    ),
)

ge_checks = checks_for(SUITES)
