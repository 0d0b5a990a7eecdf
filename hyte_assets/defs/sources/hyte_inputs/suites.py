"""Validation rules of the tables the hyte_inputs assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    INT,
    NUMBER,
    TEXT,
    Regions,
    TableSuite,
    annual,
    hyte_items,
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
        required=(hyte_items("outcome"),),
        time="year",
        calendar=annual(2, "annual register and survey data"),
        coverage=hyte_items("outcome"),
        outliers=True,
    ),
)

ge_checks = checks_for(SUITES)
