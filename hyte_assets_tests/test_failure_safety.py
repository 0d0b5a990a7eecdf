"""Nothing lost, nothing half-written: failures leave the last good tables, and checks are visible.

One module fixture materialises everything once (the monthly backfill, then `refresh_all`) on a
private copy of data/; each test works on its own copy of that result.
"""

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from hyte_assets_tests.conftest import copy_data, definitions, point_env_at, run_job, warehouse_path
from hyte_assets_tests.test_checks import failure_text

MONTHS = ("2023-01-01", "2026-10-01")
STATFIN_MEASURES = ["lasten_pienituloisuusaste"]
# Every source asset with a GE suite; employment_monthly's checks run in the monthly job.
CHECKED_SOURCES = [
    "raw/sotkanet_regions",
    "raw/sotkanet_indicators",
    "raw/sotkanet_indicator_resolution",
    "raw/sotkanet_values",
    "raw/kouluterveyskysely_values",
    "raw/statfin_values",
    "raw/population",
    "raw/employment_values",
    "raw/teaviisari_values",
    "raw/hyte_process_answers",
    "raw/hyte_outcome_values",
    "raw/local_counts",
    "raw/survey_values",
]
WARNING_CHECKS = {"ge_quarantine", "ge_freshness", "ge_coverage", "ge_outliers"}


@dataclass(frozen=True)
class Refreshed:
    data_dir: Path
    instance: dg.DagsterInstance
    monthly: dg.ExecuteInProcessResult
    full: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refreshed]:
    data_dir = copy_data(tmp_path_factory.mktemp("refreshed") / "data")
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_env_at(monkeypatch, data_dir)
        monthly = run_job("employment_monthly_job", partition_range=MONTHS, instance=instance)
        assert monthly.success, failure_text(monthly)
        full = run_job("refresh_all", instance=instance)
        assert full.success, failure_text(full)
        yield Refreshed(data_dir, instance, monthly, full)


@pytest.fixture
def data(refreshed: Refreshed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the refreshed project, warehouse included, that the resources now use."""
    copy = tmp_path / "data"
    shutil.copytree(refreshed.data_dir, copy)
    point_env_at(monkeypatch, copy)
    return copy


def all_tables() -> dict[str, pd.DataFrame]:
    """Every table of the warehouse, rows in a stable order, for row-for-row comparisons."""
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        names = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables order by all"
            ).fetchall()
        ]
        return {name: con.execute(f"select * from {name} order by all").df() for name in names}


def downstream_tables(asset: str, tables: set[str]) -> set[str]:
    """Tables written by `asset` and by every asset downstream of it (assets keyed schema/table)."""
    graph = definitions().resolve_asset_graph()
    found, todo = set(), [dg.AssetKey.from_user_string(asset)]
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(graph.get(key).child_keys)
    named = {".".join(key.path) for key in found if len(key.path) == 2}
    name = dg.AssetKey.from_user_string(asset).path[-1]
    return (named | {f"quarantine.{name}"}) & tables


def test_garbage_from_one_source_leaves_its_data_and_reports_unchanged(data: Path) -> None:
    before = all_tables()
    statfin = data / "snapshots" / "statfin" / "tjt__14ww.data.json"
    statfin.write_text("<html><body><h1>503 Service Unavailable</h1></body></html>", encoding="utf-8")
    scores = data / "snapshots" / "teaviisari" / "sector_scores.csv"
    tea = pd.read_csv(scores, dtype={"municipality_code": str})
    heinola = (tea["municipality_code"] == "111") & (tea["sector"] == "kuntajohto")
    tea.loc[heinola, "score"] = 100 - tea.loc[heinola, "score"]  # genuine new data from another source
    tea.to_csv(scores, index=False)

    result = run_job("refresh_all")

    assert not result.success
    assert "source=statfin" in failure_text(result) and "HTML error page" in failure_text(result)
    after = all_tables()
    kept = downstream_tables("raw/statfin_values", set(before))
    assert {"raw.statfin_values", "marts.indicator_values"} <= kept
    assert any(name.startswith("reports.") for name in kept)
    for name in sorted(kept):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    # Every table that carries measures keeps the statfin rows exactly, fetched_at included.
    for name, frame in before.items():
        if "measure_id" in frame.columns and name in after:
            old = frame[frame["measure_id"].isin(STATFIN_MEASURES)].reset_index(drop=True)
            new = after[name][after[name]["measure_id"].isin(STATFIN_MEASURES)].reset_index(drop=True)
            pd.testing.assert_frame_equal(new, old, obj=name)
    # The other sources still refreshed.
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert set(CHECKED_SOURCES) - {"raw/statfin_values"} <= materialized
    new_scores = after["raw.teaviisari_values"]
    new_heinola = new_scores[(new_scores["region_code"] == "111") & (new_scores["sector"] == "kuntajohto")]
    assert sorted(new_heinola["value"]) == sorted(tea.loc[heinola, "score"])


# Replaces raw.teaviisari_values and then the staging table built from it (with a big frame) in one
# transaction, announcing on stdout when the first table is replaced but nothing is committed yet.
KILLED_WRITER = """
import sys
import numpy as np
import pandas as pd
from hyte_assets.lib import warehouse

class Announcing:
    def __init__(self, con):
        self.con = con

    def __getattr__(self, name):
        return getattr(self.con, name)

    def execute(self, sql, *args):
        result = self.con.execute(sql, *args)
        if sql.startswith("insert or replace into meta.table_versions"):
            print("IN_TRANSACTION", flush=True)
        return result

path, staging = sys.argv[1:]
big = pd.DataFrame({"n": np.arange(2_500_000)}).assign(text=lambda d: d["n"].astype(str))
with warehouse.connect(path) as con:
    scores = warehouse.read_table(con, "raw.teaviisari_values").assign(value=0.0)
    warehouse.replace_tables(Announcing(con), {"raw.teaviisari_values": scores, staging: big})
print("COMMITTED", flush=True)
"""


def test_write_killed_mid_transaction_leaves_the_old_tables_and_the_next_run_succeeds(data: Path) -> None:
    before = all_tables()
    (staging,) = downstream_tables("raw/teaviisari_values", {n for n in before if n.startswith("staging.")})
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(warehouse_path()), staging],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "IN_TRANSACTION"  # raw.teaviisari_values replaced, uncommitted
    os.kill(writer.pid, signal.SIGKILL)  # while the big staging table is being written
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert "COMMITTED" not in writer.stdout.read()

    after = all_tables()
    assert after.keys() == before.keys()
    for name in sorted(before):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)

    # The next run that writes the same two tables succeeds and leaves them as a clean run does.
    result = run_job(assets=["raw/teaviisari_values", staging.replace(".", "/")])
    assert result.success, failure_text(result)
    final = all_tables()
    for name in ("raw.teaviisari_values", staging):
        pd.testing.assert_frame_equal(final[name], before[name], obj=name)


def test_check_results_are_visible_through_dagster(refreshed: Refreshed) -> None:
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in [
            *refreshed.full.get_asset_check_evaluations(),
            *refreshed.monthly.get_asset_check_evaluations(),
        ]
    }
    for asset in [*CHECKED_SOURCES, "raw/employment_monthly"]:
        valid = evaluations[(asset, "ge_valid")]
        assert valid.passed, valid.metadata["failed_expectations"].value
        assert valid.severity == dg.AssetCheckSeverity.ERROR and valid.blocking
        assert "✅ pass" in valid.metadata["expectations"].value
        assert {"failed_expectations", "offending_rows", "rows", "evaluated", "failed"} <= set(valid.metadata)
        warnings = {name: e for (a, name), e in evaluations.items() if a == asset and name in WARNING_CHECKS}
        assert "ge_quarantine" in warnings
        for evaluation in warnings.values():
            assert evaluation.severity == dg.AssetCheckSeverity.WARN and not evaluation.blocking
    assert {name for (asset, name) in evaluations if asset == "raw/sotkanet_values"} == {
        "ge_valid",
        *WARNING_CHECKS,
    }

    # The instance's event log holds the same evaluations the UI shows.
    records = refreshed.instance.get_records_for_run(
        refreshed.full.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    logged = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    assert {(e.asset_key.to_user_string(), e.check_name) for e in logged} == {
        (a, name) for (a, name) in evaluations if a != "raw/employment_monthly"
    }
