"""Issue 18, fault 4: a killed `make run` left its run STARTED in DAGSTER_HOME for ever, and with
`max_concurrent_runs` the daemon never launched the sensor's or the schedule's runs again. Now the
next refresh marks such runs failed, and the daemon's run monitoring fails them after their
`dagster/max_runtime` even if no refresh comes."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import yaml

from hyte_assets import refresh

ROOT = Path(__file__).resolve().parents[2]


def started_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(statuses=refresh.ACTIVE)))


def test_a_killed_refresh_is_marked_failed_at_the_next_start(project_copy: Path, tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "hyte_assets" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hyte_assets.refresh"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            for _ in range(1200):  # until the refresh has a run in progress (or gives up)
                if started_runs(instance) or process.poll() is not None:
                    break
                time.sleep(0.1)
            assert started_runs(instance), "the refresh never started a run"
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            [stale] = started_runs(instance)  # what used to stall the queue for ever
            assert stale.tags[refresh.PID_TAG] == str(process.pid)

            assert refresh.fail_runs_killed_earlier(instance) == [stale.run_id]
            assert not started_runs(instance)
            reloaded = instance.get_run_by_id(stale.run_id)
            assert reloaded is not None and reloaded.status == dg.DagsterRunStatus.FAILURE
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_live_refresh_is_left_alone(tmp_path: Path) -> None:
    """Only runs whose process is gone are failed: a run of a living process keeps going."""
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:

        @dg.op
        def noop() -> None: ...

        @dg.job
        def job() -> None:
            noop()

        run = instance.create_run_for_job(
            job, tags={refresh.PID_TAG: str(os.getpid()), refresh.HOST_TAG: refresh.socket.gethostname()}
        )
        instance.handle_run_event(
            run.run_id,
            dg.DagsterEvent(
                event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name, message="started"
            ),
        )
        assert [r.run_id for r in started_runs(instance)] == [run.run_id]
        assert refresh.fail_runs_killed_earlier(instance) == []


def test_the_daemon_fails_hung_or_orphaned_runs() -> None:
    """Run monitoring is on in both profiles, and scheduled runs and `make run` carry a timeout."""
    for config in (ROOT / "hyte_assets" / "dagster.yaml", ROOT / "deploy" / "dagster.yaml"):
        monitoring = yaml.safe_load(config.read_text())["run_monitoring"]
        assert monitoring["enabled"] is True and monitoring["max_runtime_seconds"] > 0
    assert float(refresh.run_tags()["dagster/max_runtime"]) > 0
