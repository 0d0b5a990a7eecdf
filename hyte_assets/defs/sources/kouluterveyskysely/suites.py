"""Validation rules of the tables the kouluterveyskysely assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    BOOL,
    INT,
    NUMBER,
    REGION_LEVELS,
    TEXT,
    Items,
    TableSuite,
    fixed,
    sotkanet_values_suite,
)
from hyte_assets.lib.catalog import SCHOOL_LEVELS

SUITES: tuple[TableSuite, ...] = (
    sotkanet_values_suite("kouluterveyskysely_values", "kouluterveyskysely", {"indicator_id": INT}),
    TableSuite(
        table="raw.kouluterveyskysely_sample_sizes",
        source="kouluterveyskysely",
        columns={
            "measure_id": TEXT,
            "school_level": TEXT,
            "region_code": TEXT,
            "region_level": TEXT,
            "year": INT,
            "gender": TEXT,
            "sample_size": NUMBER,
            "cube": TEXT,
            "is_demo": BOOL,
        },
        key=("measure_id", "school_level", "region_level", "region_code", "year", "gender"),
        value="sample_size",
        unit="count",
        # Nothing required: the cube ids are unverified and the shipped configuration is empty.
        required=(Items("measure_id", "no measure is required", fixed(())),),
        time="year",
        in_sets={
            "school_level": SCHOOL_LEVELS,
            "gender": ("female", "male", "total"),
            "region_level": REGION_LEVELS,
        },
        optional=True,
    ),
)

ge_checks = checks_for(SUITES)
