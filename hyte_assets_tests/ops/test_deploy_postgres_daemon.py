"""The production profile for real: deploy/dagster.yaml on a PostgreSQL server this test starts,
with `dagster-daemon` launching runs. `make run` records its runs in Postgres; the schedule (a
test-only cron from HYTE_REFRESH_CRON that fires every minute) launches a refresh that succeeds; a
delivery file dropped into data/local makes the sensor's run ingest it and publish.

Slow (several minutes: three refreshes on two cores); it is the one test of the daemon itself.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from hyte_assets import refresh
from hyte_assets.defs.resources import WAREHOUSE_TAG
from hyte_assets_tests.ops.postgres_server import postgres_server

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 1500  # a hung daemon fails the test instead of blocking the suite


def wait_for(what: str, probe, deadline: float, daemon: subprocess.Popen):
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        assert daemon.poll() is None, "dagster-daemon exited"
        time.sleep(2)
    pytest.fail(f"timed out waiting for {what}")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the daemon's code server outlives it otherwise)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(daemon: subprocess.Popen) -> None:
    """SIGTERM the daemon and everything it started, by process id; SIGKILL what is left."""
    processes = [daemon.pid, *descendants(daemon.pid)]
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        daemon.wait(timeout=30)
    time.sleep(1)
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    daemon.wait()


def runs_of(instance: dg.DagsterInstance, tag: str, value: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags={tag: value})))


def finished(runs: list[dg.DagsterRun]) -> list[dg.DagsterRun]:
    return [r for r in runs if r.is_finished]


def sensor_ticks(instance: dg.DagsterInstance, name: str) -> int:
    for state in instance.all_instigator_state():
        if state.instigator_name == name:
            return len(instance.get_ticks(state.instigator_origin_id, state.selector_id))
    return 0


def published_materialised(instance: dg.DagsterInstance, run_id: str) -> bool:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    return any(r.event_log_entry.asset_materialization.asset_key == dg.AssetKey("publish") for r in records)


def test_daemon_on_postgres_runs_the_schedule_and_the_delivery_sensor(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_server() as server:
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        for name, value in {**server.env(), "DAGSTER_HOME": str(home)}.items():
            monkeypatch.setenv(name, value)

        # make run against the Postgres-backed instance fills the warehouse the sensor builds on.
        assert refresh.main() == refresh.EXIT_OK
        env = {**os.environ, "HYTE_REFRESH_CRON": "* * * * *", "HYTE_MAX_RUNTIME_S": "1200"}
        daemon = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("dagster-daemon")),
                "run",
                "-w",
                str(ROOT / "deploy" / "workspace.yaml"),
            ],
            cwd=ROOT,
            env=env,
            stdout=(tmp_path / "daemon.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + DEADLINE_S
        try:
            with dg.DagsterInstance.get() as instance:
                assert type(instance.run_storage).__name__ == "PostgresRunStorage"
                assert len(instance.get_runs()) == 2  # make run's two runs, stored in Postgres

                # The sensor's first tick only records what is there; then a delivery arrives.
                wait_for(
                    "the sensor's first tick",
                    lambda: sensor_ticks(instance, "local_files_sensor"),
                    deadline,
                    daemon,
                )
                header = (project_copy / "local" / "demo" / "laskennat_2021-2025.csv").read_text(
                    encoding="utf-8-sig"
                )
                delivery = [header.splitlines()[0], "esteettomat_reitit;2026;;640,0;"]
                (project_copy / "local" / "laskennat_2026.csv").write_text(
                    "\n".join(delivery) + "\n", encoding="utf-8"
                )

                scheduled = wait_for(
                    "a finished scheduled refresh",
                    lambda: finished(runs_of(instance, "dagster/schedule_name", "refresh_all_quarterly")),
                    deadline,
                    daemon,
                )
                sensed = wait_for(
                    "a finished sensor run",
                    lambda: finished(runs_of(instance, "dagster/sensor_name", "local_files_sensor")),
                    deadline,
                    daemon,
                )
                scheduled_run, sensor_run = scheduled[0], sensed[0]
                assert scheduled_run.status == dg.DagsterRunStatus.SUCCESS, scheduled_run.run_id
                assert (
                    scheduled_run.tags[WAREHOUSE_TAG] and scheduled_run.tags["dagster/max_runtime"] == "1200"
                )
                assert sensor_run.status == dg.DagsterRunStatus.SUCCESS, sensor_run.run_id
                assert published_materialised(instance, sensor_run.run_id)
        finally:
            stop(daemon)
