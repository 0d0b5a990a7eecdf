"""Validation rules of the tables the kouluterveyskysely assets write (see defs/checks/suites.py for the
vocabulary, docs/validation.md for the rules in prose), and their asset checks."""

from hyte_assets.defs.checks.ge_checks import checks_for
from hyte_assets.defs.checks.suites import (
    INT,
    TableSuite,
    sotkanet_values_suite,
)

SUITES: tuple[TableSuite, ...] = (
    sotkanet_values_suite("kouluterveyskysely_values", "kouluterveyskysely", {"indicator_id": INT}),
)

ge_checks = checks_for(SUITES)
