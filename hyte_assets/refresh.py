"""`make run`: materialise the whole asset graph on the embedded default, then say where outputs are.

The monthly employment asset is partitioned, so it runs first as one ranged run (every month
from its start), then `refresh_all` materialises everything else. Both runs are recorded in
DAGSTER_HOME, so `make dev` shows them in the UI.
"""

import sys

import dagster as dg

from hyte_assets.definitions import defs
from hyte_assets.outputs import main as print_outputs


def main() -> int:
    definitions = defs()
    instance = dg.DagsterInstance.get()
    monthly = definitions.resolve_job_def("employment_monthly_job")
    keys = monthly.partitions_def.get_partition_keys()
    results = [
        monthly.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": keys[0],
                "dagster/asset_partition_range_end": keys[-1],
            },
            raise_on_error=False,
        ),
        definitions.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False
        ),
    ]
    failed = [r.job_def.name for r in results if not r.success]
    if failed:
        print(
            f"\nhyte_assets refresh FAILED in job(s) {failed}; see the log above or `make dev`.",
            file=sys.stderr,
        )
        return 1
    print_outputs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
