"""`make run`: check the settings, refresh the whole asset graph once, and say how it went.

1. Preflight (`lib/preflight.py`): a bad setting stops here with one message naming the variable.
2. The warehouse's run lock (`lib/run_lock.py`): a second refresh waits (bounded) and names the
   process it waits for; runs left STARTED by a refresh that was killed are marked failed, so
   the daemon's queue never stalls behind them.
3. Nothing new (`lib/refresh_state.py`): when a snapshot refresh's data files, code, packages,
   settings and date are those of the last successful refresh and its outputs are untouched,
   no run is launched (every step would skip); HYTE_FORCE_REFRESH=1 refreshes anyway.
4. The monthly employment asset runs as one ranged run, then `refresh_all` materialises the rest
   (both recorded in DAGSTER_HOME, so `make dev` shows them). Output is INFO-level;
   HYTE_LOG_LEVEL=DEBUG shows Dagster's step events too.
5. An end summary, a run-failure note for a failed run, and an exit status an operator or a
   cron wrapper can act on (`EXIT_CODES`, documented in docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from pathlib import Path

import dagster as dg

from hyte_assets.definitions import defs
from hyte_assets.defs.resources import SETTING_DEFAULTS as DEFAULTS
from hyte_assets.defs.schedules import bounded_run_tags
from hyte_assets.lib import preflight, refresh_state, run_lock, warehouse
from hyte_assets.lib.exports import export_dir
from hyte_assets.lib.publish import serving_path
from hyte_assets.refresh_summary import (  # noqa: F401  (re-exported: the exit codes of `make run`)
    EXIT_BLOCKING_CHECK,
    EXIT_BUSY,
    EXIT_CODES,
    EXIT_DELIVERY_REJECTED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    EXIT_SETTINGS,
    Summary,
    source_tags,
)

# Tags that tell a later refresh which process ran a run (to fail it once that process is gone).
PID_TAG, HOST_TAG = "hyte/pid", "hyte/host"
ACTIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING]


def say(message: str) -> None:
    print(f"hyte_assets refresh: {message}", file=sys.stderr, flush=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_runs_killed_earlier(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the runs a `make run` on this host started and did not finish (its process is
    gone). Left STARTED, they would count against `max_concurrent_runs` for ever."""
    host, failed = socket.gethostname(), []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE)):
        pid = run.tags.get(PID_TAG)
        if run.tags.get(HOST_TAG) != host or not (pid or "").isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(
            run, f"marked failed by the next refresh: the process that ran it (PID {pid}) is gone"
        )
        failed.append(run.run_id)
    return failed


def run_tags() -> dict[str, str]:
    """The warehouse and timeout tags of scheduled runs, plus which process runs it."""
    return {**bounded_run_tags(), PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def run_config() -> dict[str, object]:
    level = (os.environ.get("HYTE_LOG_LEVEL") or "INFO").upper()
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def run_jobs(definitions: dg.Definitions, instance: dg.DagsterInstance) -> list[dg.ExecuteInProcessResult]:
    monthly = definitions.resolve_job_def("employment_monthly_job")
    keys = monthly.partitions_def.get_partition_keys()
    ranged = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    common = {"instance": instance, "raise_on_error": False, "run_config": run_config()}
    return [
        monthly.execute_in_process(tags={**run_tags(), **ranged}, **common),
        definitions.resolve_job_def("refresh_all").execute_in_process(tags=run_tags(), **common),
    ]


def main() -> int:
    try:
        settings = preflight.from_environment(DEFAULTS)
    except preflight.PreflightError as exc:
        say(str(exc))
        return EXIT_SETTINGS
    say(
        f"{settings.source_mode} refresh for {settings.municipality_code} {settings.municipality_name} "
        f"into {settings.duckdb_path}"
    )
    instance = dg.DagsterInstance.get()
    try:
        with run_lock.hold(settings.duckdb_path, purpose="make run (hyte_assets.refresh)", on_wait=say):
            for run_id in fail_runs_killed_earlier(instance):
                say(f"run {run_id} was left STARTED by a killed refresh: marked failed")
            inputs = refresh_state.inputs_fingerprint(
                settings.data_dir, settings.duckdb_path, os.environ, dt.date.today()
            )
            unchanged = nothing_new(settings, instance, inputs)
            if unchanged is not None:
                print(unchanged, flush=True)
                return EXIT_OK
            with warehouse.held_open(settings.duckdb_path):
                results = run_jobs(defs(), instance)
            summary = Summary.collect(results, settings)
            if summary.exit_code() == EXIT_OK and settings.source_mode == "snapshot":
                refresh_state.record(
                    refresh_state.state_path(settings.duckdb_path),
                    inputs,
                    refresh_state.outputs_stamp(outputs(settings)),
                    [r.dagster_run.run_id for r in results],
                )
    except (run_lock.RunLockTimeout, warehouse.WarehouseBusy) as exc:
        say(str(exc))
        return EXIT_BUSY
    for result in results:
        if not result.success:
            summary.notes.append(write_failure_note(result, settings))
    print(summary.text(), flush=True)
    return summary.exit_code()


def outputs(settings: preflight.Settings) -> list[Path]:
    """What a refresh leaves; a change to any of them (a daemon run, a deleted export) means the
    next `make run` must run."""
    path = settings.duckdb_path
    return [
        path,
        path.with_name(path.name + ".wal"),
        serving_path(path),
        export_dir(settings.data_dir / "exports"),
        settings.data_dir / "reports",
    ]


def nothing_new(
    settings: preflight.Settings, instance: dg.DagsterInstance, inputs: dict[str, str]
) -> str | None:
    """The end message when a snapshot refresh would rewrite nothing (`lib/refresh_state.py`), else
    None. The runs the state names must be in this instance and have succeeded: a new
    DAGSTER_HOME gets its run history."""
    if settings.source_mode != "snapshot":
        return None
    if os.environ.get(refresh_state.FORCE_VARIABLE, "").strip() not in ("", "0"):
        say(f"{refresh_state.FORCE_VARIABLE} is set: refreshing although nothing may be new")
        return None
    state, why = refresh_state.unchanged_since(
        refresh_state.state_path(settings.duckdb_path), inputs, refresh_state.outputs_stamp(outputs(settings))
    )
    if state is not None:
        for run_id in state.get("run_ids", []):
            run = instance.get_run_by_id(run_id)
            if run is None or run.status != dg.DagsterRunStatus.SUCCESS:
                state, why = None, f"run {run_id} of the last refresh is not a success in this DAGSTER_HOME"
                break
    if state is None:
        say(f"refreshing: {why}")
        return None
    finished = dt.datetime.fromisoformat(state["finished_at"])
    age = dt.datetime.now(dt.UTC) - finished
    published = Summary.collect([], settings)  # reads the demo share of what stays published
    return "\n".join(
        [
            "",
            f"hyte_assets refresh: nothing new (exit 0). The data files, code, packages, settings and "
            f"date are those of the refresh finished {finished:%Y-%m-%d %H:%M} UTC "
            f"({age.total_seconds() / 3600:.1f} h ago; runs {', '.join(state['run_ids'])}), and its "
            "outputs are untouched: no run launched, every output stays as published then.",
            f"To refresh anyway: {refresh_state.FORCE_VARIABLE}=1 make run.",
            *published.demo_lines(),
            *published.output_lines(),
        ]
    )


def write_failure_note(result: dg.ExecuteInProcessResult, settings: preflight.Settings) -> Path:
    """The same note the daemon's run-failure sensor writes, for runs `make run` executes itself."""
    from hyte_assets.defs.reports.sensors import failure_note, kept_data, last_publication

    sources = {key.to_python_identifier(): source for key, source in source_tags(result).items()}
    failures = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            chain, error = [], event.step_failure_data.error
            while error is not None:
                chain.append(error)
                error = error.cause
            told = [e for e in chain if e.cls_name != "DagsterExecutionStepExecutionError"] or chain
            failures.append(
                {
                    "step": event.step_key or "?",
                    "source": sources.get(event.step_key or "", ""),
                    "error": "\n".join(e.message.strip() for e in told),
                }
            )
    run = result.dagster_run
    failure = next((e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE), None)
    note = failure_note(
        run.run_id,
        run.job_name,
        (failure.message if failure else "") or "",
        failures,
        kept_data(settings.duckdb_path),
        last_publication(serving_path(settings.duckdb_path)),
    )
    out_dir = settings.data_dir / "reports" / "run_failures"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{run.run_id}.md"
    path.write_text(note, encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
