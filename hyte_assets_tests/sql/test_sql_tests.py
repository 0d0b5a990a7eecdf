"""The SQL tests pass on the good scenario and catch a deliberately broken one.

Singular tests (files in dbt_like_sql/tests) each have a hand-written breakage; the generic tests
compiled from model headers (`-- unique:`, `-- not_null:`, `-- accepted_values:`) are broken by
rule: duplicate a row, blank a column, write a value outside the list.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pytest

from hyte_assets.lib.sql_models import SqlTest, discover
from hyte_assets.lib.sql_run import run_test

from .conftest import SQL_ROOT, insert_values, write_scenario

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
    "scorecard_change_is_latest_minus_comparison": (
        False,
        "update reports.scorecard_indicator set change = 0 where measure_id = 'hb_improving'",
    ),
    "scorecard_not_judged_reasons": (
        False,
        "update reports.scorecard_indicator set not_judged_reason = 'unheard_of' "
        "where measure_id = 'hb_improving'",
    ),
    "indicator_values_known_measure": (True, "not_in_catalog"),
    "percent_values_in_range": (True, "percent_130"),
}


def test_sql_tests_pass_on_the_good_scenario(scenario_db, failing_rows):
    assert failing_rows(scenario_db) == dict.fromkeys(failing_rows(scenario_db), 0)


def test_every_singular_sql_test_has_a_breakage(sql_tests):
    assert {t.name for t in sql_tests if t.kind == "singular"} == set(BREAKAGES)


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


GENERIC_TESTS = [t for t in discover(SQL_ROOT)[1] if t.kind != "singular"]


def generic_breakage(test: SqlTest) -> str:
    """A statement that makes the model's first row break the directive `test` was compiled from."""
    table = test.model
    column = test.columns[0]
    first_row = f"rowid = (select min(rowid) from {table})"
    return {
        "unique": f"insert into {table} select * from {table} where {first_row}",
        "not_null": f'update {table} set "{column}" = null where {first_row}',
        "accepted_values": f"update {table} set \"{column}\" = 'not an accepted value' where {first_row}",
    }[test.kind]


def test_the_models_declare_generic_tests():
    kinds = {(t.model, t.kind) for t in GENERIC_TESTS}
    assert {
        ("marts.indicator_values", "unique"),
        ("marts.indicator_values", "not_null"),
        ("reports.scorecard_indicator", "accepted_values"),
        ("staging.stg_regions", "unique"),
    } <= kinds


@pytest.mark.parametrize("test", GENERIC_TESTS, ids=lambda t: t.name)
def test_generic_test_fails_when_its_table_breaks_the_contract(test: SqlTest, scenario_db):
    assert run_test(scenario_db, test).empty
    cursor = scenario_db.cursor()  # its own transaction, rolled back: the shared database stays good
    cursor.begin()
    try:
        assert cursor.execute(f"select count(*) from {test.model}").fetchone()[0] > 0, "no row to break"
        cursor.execute(generic_breakage(test))
        assert len(run_test(cursor, test)) > 0
    finally:
        cursor.rollback()
