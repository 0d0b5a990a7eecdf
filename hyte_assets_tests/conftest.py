"""Shared fixtures for tests that run the real Dagster definitions on a private copy of data/.

* `project_copy` copies data/ (without the warehouse and caches) into the test's tmp dir and points
  HYTE_DATA_DIR and HYTE_DUCKDB_PATH at the copy, so runs never touch the repository's files.
* `run_job` runs a job of `hyte_assets.definitions.defs()` in-process and returns the result
  without raising, so a test can assert on failures as well as successes.
* `refreshed_project` materialises everything once per test session (the monthly backfill, then
  `refresh_all`) on a private copy of data/, for the tests that only read the result (or copy it
  before changing anything): a full refresh costs tens of seconds on two cores.

Example::

    def test_something(project_copy: Path) -> None:
        run_job("employment_monthly_job", partition_range=("2023-01-01", "2026-10-01"))
        result = run_job("refresh_all")
        assert result.success
"""

import functools
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from hyte_assets.definitions import defs
from hyte_assets.defs.resources import DATA_DIR

ENV_VARS = ("HYTE_DATA_DIR", "HYTE_DUCKDB_PATH")
MONTHS = ("2023-01-01", "2026-10-01")  # the monthly backfill of `make run`


def copy_data(target: Path) -> Path:
    """Copy data/ to `target` without the warehouse files and HTTP caches; returns `target`."""
    shutil.copytree(
        DATA_DIR, target, ignore=shutil.ignore_patterns("warehouse", "cache", "exports", "reports")
    )
    (target / "warehouse").mkdir(exist_ok=True)
    return target


def point_env_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Make the resources read `data_dir` and its warehouse; unset settings that change results."""
    monkeypatch.setenv("HYTE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("HYTE_DUCKDB_PATH", str(data_dir / "warehouse" / "hyte.duckdb"))
    for name in ("HYTE_SOURCE_MODE", "HYTE_MUNICIPALITY_CODE", "HYTE_REGION_SCOPE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ that the resources use (see the module docstring)."""
    data_dir = copy_data(tmp_path / "data")
    point_env_at(monkeypatch, data_dir)
    return data_dir


def warehouse_path() -> Path:
    return Path(os.environ["HYTE_DUCKDB_PATH"])


# Settings become an EnvVar only where the variable is set when the definitions are built, so the
# cache is keyed by which of them are set: a test that sets one (live mode, another municipality)
# gets definitions that read it.
SETTING_VARS = (
    "HYTE_SOURCE_MODE",
    "HYTE_MUNICIPALITY_CODE",
    "HYTE_REGION_SCOPE",
    "HYTE_SOTKANET_URL",
    "HYTE_STATFIN_URL",
    "HYTE_THL_CUBE_URL",
    "HYTE_PAYMENT_YEAR",
    "HYTE_ASSUMPTION_SET",
)


@functools.cache
def _definitions_for(_set_vars: tuple[bool, ...]) -> dg.Definitions:
    return defs()


def _definitions() -> dg.Definitions:
    return _definitions_for(tuple(bool(os.environ.get(name)) for name in SETTING_VARS))


_definitions.cache_clear = _definitions_for.cache_clear  # type: ignore[attr-defined]


def definitions() -> dg.Definitions:
    """The real definitions, built once per test session.

    They must be built while HYTE_DATA_DIR and HYTE_DUCKDB_PATH are set: the resources then hold
    `EnvVar`s, read at run time, so every later test's own copy is used; built without them they
    would hold the repository's paths.
    """
    missing = [name for name in ENV_VARS if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"set {missing} (use the project_copy fixture) before running jobs")
    return _definitions()


def with_multi_asset_neighbors(assets: Sequence[str]) -> list[dg.AssetKey]:
    """These asset keys and the other tables of their multi-assets (`catalog/measures` brings the
    whole catalog: one step writes it)."""
    selection = dg.AssetSelection.assets(*(dg.AssetKey.from_user_string(a) for a in assets))
    return sorted(selection.required_multi_asset_neighbors().resolve(definitions().resolve_asset_graph()))


def run_job(
    name: str = "refresh_all",
    *,
    assets: Sequence[str] | None = None,
    partition_range: tuple[str, str] | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Run job `name` in-process; `assets` narrows it to those asset keys (with their checks).

    `partition_range` runs a partitioned job for (first, last) partition keys as one backfill run.
    Pass an `instance` to keep several runs in one event log; the default is a fresh ephemeral one.
    """
    tags = (
        {
            "dagster/asset_partition_range_start": partition_range[0],
            "dagster/asset_partition_range_end": partition_range[1],
        }
        if partition_range
        else None
    )
    return (
        definitions()
        .resolve_job_def(name)
        .execute_in_process(
            instance=instance or dg.DagsterInstance.ephemeral(),
            tags=tags,
            asset_selection=with_multi_asset_neighbors(assets) if assets else None,
            raise_on_error=False,
        )
    )


@dataclass(frozen=True)
class Refreshed:
    """A whole-graph refresh: its data folder (warehouse in data/warehouse/), instance and runs."""

    data_dir: Path
    instance: dg.DagsterInstance
    monthly: dg.ExecuteInProcessResult
    full: dg.ExecuteInProcessResult

    @property
    def db(self) -> Path:
        return self.data_dir / "warehouse" / "hyte.duckdb"


def step_failures(result: dg.ExecuteInProcessResult) -> str:
    """The messages of every failed step, including the exceptions they wrap."""
    texts = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            texts.append(error.message)
            error = error.cause
    return "\n".join(texts)


@pytest.fixture(scope="session")
def refreshed_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refreshed]:
    """Everything materialised once per session on a private copy of data/ (see the module
    docstring). Read it, or copy `data_dir` first: other test modules share it."""
    data_dir = copy_data(tmp_path_factory.mktemp("refreshed") / "data")
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_env_at(monkeypatch, data_dir)
        monthly = run_job("employment_monthly_job", partition_range=MONTHS, instance=instance)
        assert monthly.success, step_failures(monthly)
        full = run_job("refresh_all", instance=instance)
        assert full.success, step_failures(full)
        yield Refreshed(data_dir, instance, monthly, full)
