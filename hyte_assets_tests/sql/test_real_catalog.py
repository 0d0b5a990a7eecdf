"""The models on the real catalog (data/catalog) with no source data yet: the plan's own figures only."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.peers import region_tables
from hyte_assets.lib.warehouse import replace_tables

from .conftest import DATA_DIR, MIN_CHANGE_CSV, REPO, create_raw_tables, write_settings

CATALOG_DIR = REPO / "data" / "catalog"


@pytest.fixture
def real_catalog_db(build) -> duckdb.DuckDBPyConnection:
    if not (CATALOG_DIR / "measures.csv").exists():
        pytest.skip("data/catalog is not there yet")
    con = duckdb.connect()
    create_raw_tables(con)
    write_settings(con)
    tables = dict(load_catalog(CATALOG_DIR).tables())
    tables["catalog.min_change"] = pd.read_csv(MIN_CHANGE_CSV)
    tables.update(region_tables(DATA_DIR))
    replace_tables(con, tables)
    build(con)
    yield con
    con.close()


def test_every_real_measure_is_on_the_scorecard(real_catalog_db, failing_rows):
    measures = real_catalog_db.execute("select count(*) from catalog.measures").fetchone()[0]
    rows = real_catalog_db.execute(
        "select count(distinct measure_id) from reports.scorecard_indicator"
    ).fetchone()
    assert rows == (measures,)
    assert all(n == 0 for n in failing_rows(real_catalog_db).values())


def test_the_plans_child_low_income_figure_is_the_latest_value(real_catalog_db):
    found = real_catalog_db.execute(
        "select latest_value, latest_period, latest_source, is_demo, status, status_rule "
        "from reports.scorecard_indicator where measure_id = 'lasten_pienituloisuusaste'"
    ).fetchall()
    # one figure and nothing to compare it with yet
    assert found == [(19.9, "2024", "plan", False, "stable", "no_baseline")]


def test_measures_without_any_source_say_so(real_catalog_db):
    statuses = dict(
        real_catalog_db.execute(
            "select source_status, count(*) from reports.scorecard_indicator group by all"
        ).fetchall()
    )
    assert statuses["no_source_yet"] > 0
    assert statuses["has_data"] > 0
