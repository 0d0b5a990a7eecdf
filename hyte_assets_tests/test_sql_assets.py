"""The SQL models as Dagster assets: one step builds them all, each model's tests blocking checks."""

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from hyte_assets.defs.models.sql_assets import build_models_asset
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.sql_models import discover
from hyte_assets.lib.warehouse import VERSIONS_DDL
from hyte_assets_tests.lib.test_sql_models import write

MODELS = {
    "staging/stg_x.sql": "-- Rows of raw.x.\n-- unique: k\nselect k, v from raw.x",
    "marts/x_total.sql": "-- The sum of stg_x.\nselect sum(v) as total from staging.stg_x",
}


def materialise(
    tmp_path: Path, raw_rows: list[tuple[int, int]], models: dict[str, str] = MODELS
) -> dg.ExecuteInProcessResult:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists raw; create schema if not exists meta")
        con.execute(VERSIONS_DDL)
        con.execute("create or replace table raw.x (k integer, v integer)")
        con.executemany("insert into raw.x values (?, ?)", raw_rows)
    models, tests = discover(write(tmp_path, models))
    return dg.materialize(
        [build_models_asset(models, tests)],
        resources={
            "warehouse": WarehouseResource(database=str(database)),
            "settings": PipelineSettings(),  # the project's own data folder (read only)
        },
        raise_on_error=False,
    )


def test_header_tests_run_in_the_model_step_and_a_failure_blocks_downstream(tmp_path: Path) -> None:
    good = materialise(tmp_path, [(1, 2), (2, 3)])
    assert good.success
    [check] = good.get_asset_check_evaluations()
    assert (check.asset_key.to_user_string(), check.check_name, check.passed) == (
        "staging/stg_x",
        "stg_x__unique__k",
        True,
    )
    steps = {e.step_key for e in good.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert steps == {"sql_models"}  # one step for the models and their checks

    bad = materialise(tmp_path, [(1, 2), (1, 3)])  # a duplicate key
    assert not bad.success
    [check] = bad.get_asset_check_evaluations()
    assert not check.passed and check.metadata["offending_rows"].value == 1
    written = {e.asset_key.to_user_string() for e in bad.get_asset_materialization_events()}
    assert written == {"staging/stg_x"}  # the failed blocking check stops marts.x_total
    failure = next(e for e in bad.all_events if e.event_type_value == "STEP_FAILURE")
    assert "marts.x_total: not built: it reads staging.stg_x" in str(failure.event_specific_data.error)


def test_a_failing_model_stops_only_what_reads_it(tmp_path: Path) -> None:
    broken = {**MODELS, "staging/stg_y.sql": "-- Broken.\nselect no_such_column from raw.x"}
    result = materialise(tmp_path, [(1, 2)], broken)
    assert not result.success
    written = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert written == {"staging/stg_x", "marts/x_total"}  # independent of the broken model
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "staging.stg_y: failed" in str(failure.event_specific_data.error)


def test_verdicts_of_a_batch_are_written_together_at_its_end_and_dropped_on_error(tmp_path: Path) -> None:
    """`verdicts.batched`: the SQL step's ~75 verdicts cost one commit, not one each; they are a
    cache, so a block that fails writes none of them (they are evaluated again next time)."""
    from hyte_assets.defs.checks.verdicts import batched, replay, store

    result = dg.AssetCheckResult(asset_key=dg.AssetKey(["reports", "x"]), check_name="t", passed=True)
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    with connection as con:
        store(con, "alone", "k0", [result])  # outside a batch: written at once
        with batched(con):
            store(con, "sql:a", "k1", [result])
            store(con, "sql:b", "k2", [result])
            assert replay(con, "sql:a", "k1") is None  # not yet written
        assert [r.check_name for r in replay(con, "sql:a", "k1") or []] == ["t"]
        assert replay(con, "sql:b", "k2") is not None and replay(con, "alone", "k0") is not None
        with pytest.raises(RuntimeError), batched(con):
            store(con, "sql:c", "k3", [result])
            raise RuntimeError("a model failed")
        assert replay(con, "sql:c", "k3") is None
        assert con.execute("select count(*) from meta.check_results").fetchone()[0] == 3
