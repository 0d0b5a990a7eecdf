"""Jobs and schedules: the whole-graph refresh that `make run` and the quarterly schedule use."""

import dagster as dg

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all() - dg.AssetSelection.keys("employment_monthly"),
    description="Materialise every asset: sources, checks, SQL models, reports and publishing.",
    executor_def=dg.in_process_executor,
)


@dg.definitions
def schedules() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_all])
