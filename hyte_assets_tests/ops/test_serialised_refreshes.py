"""Issue 18, fault 7: two refreshes of one warehouse ran side by side. Now a run lock, held for
the run, makes the second wait (bounded, naming the holder), and every run the daemon starts for
the warehouse carries a tag the queued run coordinator limits to one at a time."""

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from hyte_assets import refresh
from hyte_assets.defs.resources import WAREHOUSE_TAG, WarehouseResource
from hyte_assets.lib import run_lock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hyte_assets.lib import run_lock
    with run_lock.hold(sys.argv[1], purpose="test holder"):
        Path(sys.argv[2]).write_text("held")
        time.sleep(600)
    """
)


@pytest.fixture
def holder(tmp_path: Path):
    """Another process holding the run lock of tmp_path/w.duckdb; yields (database, process)."""
    database, ready = tmp_path / "w.duckdb", tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(database), str(ready)])
    for _ in range(600):
        if ready.exists() or process.poll() is not None:
            break
        time.sleep(0.05)
    assert ready.exists(), "the holder process did not take the lock"
    yield database, process
    process.kill()
    process.wait()


def test_second_refresh_waits_boundedly_and_names_the_holder(holder) -> None:
    database, process = holder
    waits: list[str] = []
    with (
        pytest.raises(run_lock.RunLockTimeout) as caught,
        run_lock.hold(database, timeout_s=0.3, on_wait=waits.append),
    ):
        pass
    assert f"PID {process.pid}" in str(caught.value) and "test holder" in str(caught.value)
    assert waits and f"PID {process.pid}" in waits[0]


def test_the_lock_is_free_as_soon_as_the_holder_dies(holder) -> None:
    database, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    with run_lock.hold(database, timeout_s=5):
        assert run_lock.held_here(database)
    assert not run_lock.held_here(database)


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    with run_lock.hold(database, timeout_s=0), run_lock.hold(database, timeout_s=0):
        assert run_lock.held_here(database)
    assert not run_lock.held_here(database)


def test_a_run_that_writes_waits_for_the_other_refresh_and_fails_naming_it(holder) -> None:
    database, process = holder

    @dg.asset
    def writes(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table t as select 1 as x")

    resource = WarehouseResource(database=str(database), run_lock_timeout_s=0.3)
    result = dg.materialize([writes], resources={"warehouse": resource}, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert f"PID {process.pid}" in str(failure.step_failure_data.error.to_string())


def test_a_run_holds_the_lock_from_its_first_write_to_its_end(tmp_path: Path) -> None:
    """Between two steps of one run another refresh cannot slip in (each step opens the file anew)."""
    database = tmp_path / "w.duckdb"
    seen: list[bool] = []

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table t as select 1 as x")
        seen.append(run_lock.held_here(database))

    @dg.asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        with warehouse.connect(read_only=True) as con:
            con.execute("select * from t")
        seen.append(run_lock.held_here(database))

    assert dg.materialize(
        [first, second], resources={"warehouse": WarehouseResource(database=str(database))}
    ).success
    assert seen == [True, True]
    assert not run_lock.held_here(database)  # released at the end of the run


def test_make_run_exits_5_when_another_refresh_keeps_the_warehouse(
    holder,
    project_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    database, process = holder
    monkeypatch.setenv("HYTE_DUCKDB_PATH", str(database))
    monkeypatch.setenv("HYTE_RUN_LOCK_TIMEOUT_S", "0.3")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert refresh.main() == refresh.EXIT_BUSY
    assert f"PID {process.pid}" in capsys.readouterr().err
    assert not database.exists()  # nothing was written


def test_daemon_runs_of_one_warehouse_are_limited_to_one() -> None:
    """Both instance profiles limit the warehouse tag to one run per value, and the jobs and
    schedules in hyte_assets/defs/schedules.py tag every run they start."""
    root = Path(__file__).resolve().parents[2]
    for config in (root / "hyte_assets" / "dagster.yaml", root / "deploy" / "dagster.yaml"):
        coordinator = yaml.safe_load(config.read_text())["run_coordinator"]["config"]
        assert {
            "key": WAREHOUSE_TAG,
            "value": {"applyLimitPerUniqueValue": True},
            "limit": 1,
        } in coordinator["tag_concurrency_limits"], config
    from hyte_assets.defs.schedules import employment_monthly_schedule, refresh_all, refresh_all_quarterly

    warehouse = str(Path(os.environ.get("HYTE_DUCKDB_PATH", refresh.DEFAULTS["HYTE_DUCKDB_PATH"])).resolve())
    assert refresh_all.tags[WAREHOUSE_TAG] == warehouse
    tick = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 10, 28, 6, tzinfo=dt.UTC))
    for schedule in (refresh_all_quarterly, employment_monthly_schedule):
        [request] = schedule.evaluate_tick(tick).run_requests
        assert request.tags[WAREHOUSE_TAG] == warehouse
        assert float(request.tags["dagster/max_runtime"]) > 0


def test_the_deploy_profile_configures_dagsters_coordinator_with_the_limit() -> None:
    """Dagster's own coordinator accepts the profile's config and reads the limit from it."""
    from dagster._core.run_coordinator.queued_run_coordinator import QueuedRunCoordinator

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml").read_text())
    coordinator = QueuedRunCoordinator(**config["run_coordinator"]["config"])
    limits = {(lim["key"], lim["limit"]) for lim in coordinator.get_run_queue_config().tag_concurrency_limits}
    assert limits == {(WAREHOUSE_TAG, 1)}
