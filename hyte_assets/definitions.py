"""The code location root: everything under hyte_assets/defs/, run in-process by default.

A process per step costs seconds each on a 2-core machine, and every writing step shares one
DuckDB file (a single writer), so the in-process executor is both faster and safer here. Source
assets get their freshness policies (publication calendars) here, where every spec is visible.
"""

from pathlib import Path

import dagster as dg

from hyte_assets.defs.reports.freshness import with_freshness


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return with_freshness(dg.Definitions.merge(loaded, dg.Definitions(executor=dg.in_process_executor)))
