"""The code location root: everything under hyte_assets/defs/, run in-process by default.

A process per step costs seconds each on a 2-core machine, and every writing step shares one
DuckDB file (a single writer), so the in-process executor is both faster and safer here. Each
source folder (`defs/sources/<source>/`) brings its own assets, checks and freshness policies;
the loader finds them there, so nothing here lists sources.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return dg.Definitions.merge(loaded, dg.Definitions(executor=dg.in_process_executor))
