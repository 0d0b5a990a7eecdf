"""Validation rules of the tables the hyte_inputs assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    INT,
    NUMBER,
    TEXT,
    Items,
    Regions,
    TableSuite,
    annual,
    hyte_indicators,
)

SUITES: tuple[TableSuite, ...] = (
    TableSuite(
        table="raw.hyte_outcome_values",
        source="hyte",
        columns={"municipality_code": TEXT, "indicator_id": TEXT, "year": INT, "value": NUMBER},
        key=("municipality_code", "indicator_id", "year"),
        value="value",
        unit="rate",
        region_columns=("municipality_code",),
        regions=Regions(("kunta",)),
        required=(
            Items("indicator_id", "the hyte-kerroin's outcome indicators", hyte_indicators("outcome")),
        ),
        time="year",
        calendar=annual(2, "annual register and survey data"),
        coverage=Items("indicator_id", "the hyte-kerroin's outcome indicators", hyte_indicators("outcome")),
        outliers=True,
    ),
)

ge_checks = checks_for(SUITES)
