"""Jobs and schedules: the whole-graph refresh (`make run`, quarterly) and the monthly employment fetch.

Every run they start carries the warehouse tag (one writer per warehouse under the queued run
coordinator) and a run-level timeout (`dagster/max_runtime`): the daemon's run monitoring fails a
run that hangs or whose process was killed, so the queue never waits for ever.
"""

import os

import dagster as dg

from hyte_assets.defs.resources import warehouse_tags
from hyte_assets.defs.sources.employment.assets import employment_monthly_job

QUARTERLY_CRON = "0 6 1 1,4,7,10 *"
# A snapshot refresh takes about a minute and a live one a few; two hours means something hangs.
DEFAULT_MAX_RUNTIME_S = 7200


def bounded_run_tags() -> dict[str, str]:
    """Tags for scheduled runs: the warehouse they write and the most time they may take."""
    runtime = os.environ.get("HYTE_MAX_RUNTIME_S") or str(DEFAULT_MAX_RUNTIME_S)
    return {**warehouse_tags(), "dagster/max_runtime": runtime}


refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(["raw", "employment_monthly"]),
    description="Materialise every asset: sources, checks, SQL models, reports and publishing.",
    executor_def=dg.in_process_executor,
    tags=warehouse_tags(),
)

# Most sources publish yearly or every second year; a quarterly refresh picks up each release
# within three months. It runs at 06:00 Finnish time on the first day of each quarter.
# HYTE_REFRESH_CRON replaces the cron (the deployment test uses one that fires every minute).
refresh_all_quarterly = dg.ScheduleDefinition(
    name="refresh_all_quarterly",
    job=refresh_all,
    cron_schedule=os.environ.get("HYTE_REFRESH_CRON") or QUARTERLY_CRON,
    execution_timezone="Europe/Helsinki",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags=bounded_run_tags(),
    description="Refresh every source, check, model, report table, export and the annual report.",
)

# The employment review for month M is published in the second half of month M+1; on the 28th the
# schedule fetches the partition of the month before (the latest complete one).
employment_monthly_schedule = dg.build_schedule_from_partitioned_job(
    employment_monthly_job,
    name="employment_monthly_schedule",
    day_of_month=28,
    hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags=bounded_run_tags(),
    description="Fetch the newest month of the employment review (tyonv/12r5).",
)


@dg.definitions
def schedules() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_all], schedules=[refresh_all_quarterly, employment_monthly_schedule])
