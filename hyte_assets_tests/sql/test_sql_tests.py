"""The SQL tests in dbt_like_sql/tests pass on the good scenario and catch a deliberately broken one."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pytest

from hyte_assets.lib.sql_models import run_test

from .conftest import insert_values, write_scenario

# How to break the scenario so that each test must complete with rows. "rebuild" breakages go in
# through the inputs; the others stand for a model regression and edit the built table directly.
BREAKAGES: dict[str, tuple[bool, str]] = {
    "no_measure_without_goal": (False, "delete from catalog.measure_goals where measure_id = 'mc_stable'"),
    "no_status_without_value": (
        False,
        "update reports.scorecard_indicator set latest_value = null where measure_id = 'hb_improving'",
    ),
    "scorecard_one_row_per_measure_group": (
        False,
        "insert into reports.scorecard_indicator select * from reports.scorecard_indicator "
        "where measure_id = 'hb_improving'",
    ),
    "indicator_values_unique_key": (
        False,
        "insert into marts.indicator_values "
        "select * from marts.indicator_values where measure_id = 'mc_stable'",
    ),
    "indicator_values_known_measure": (True, "not_in_catalog"),
    "percent_values_in_range": (True, "percent_130"),
}


def test_sql_tests_pass_on_the_good_scenario(scenario_db, failing_rows):
    assert failing_rows(scenario_db) == dict.fromkeys(failing_rows(scenario_db), 0)


def test_every_sql_test_has_a_breakage(sql_tests):
    assert {t.name for t in sql_tests} == set(BREAKAGES)


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_sql_test_fails_on_a_broken_scenario(
    name: str,
    sql_tests,
    tmp_path,
    build: Callable[[duckdb.DuckDBPyConnection], dict[str, int]],
):
    test = next(t for t in sql_tests if t.name == name)
    rebuild, breakage = BREAKAGES[name]
    con = duckdb.connect()
    write_scenario(con, tmp_path / "catalog")
    if rebuild:
        rows = {
            "not_in_catalog": [{"measure_id": "not_in_catalog", "period": "2025", "value": 1.0}],
            "percent_130": [{"measure_id": "mc_stable", "period": "2027", "value": 130.0}],
        }[breakage]
        insert_values(con, "raw.sotkanet_values", rows)
        build(con)
    else:
        build(con)
        assert run_test(con, test).empty
        con.execute(breakage)
    assert len(run_test(con, test)) > 0
    con.close()
