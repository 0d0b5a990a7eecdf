"""The models on the real catalog (data/catalog) with no source data yet: the plan's own figures only."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.peers import region_tables
from hyte_assets.lib.scorecard_files import load_scorecard_tables
from hyte_assets.lib.warehouse import replace_tables

from .conftest import DATA_DIR, REPO, create_raw_tables, write_settings

CATALOG_DIR = REPO / "data" / "catalog"


@pytest.fixture
def real_catalog_db(build) -> duckdb.DuckDBPyConnection:
    if not (CATALOG_DIR / "measures.csv").exists():
        pytest.skip("data/catalog is not there yet")
    con = duckdb.connect()
    create_raw_tables(con)
    write_settings(con)
    tables = dict(load_catalog(CATALOG_DIR).tables())
    tables.update(load_scorecard_tables(REPO / "data"))
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
    # one figure, pinned as the plan's baseline, and nothing to compare it with yet
    assert found == [(19.9, "2024", "plan", False, "not_judged", "no_comparison_point")]


def test_measures_without_any_source_say_so(real_catalog_db):
    statuses = dict(
        real_catalog_db.execute(
            "select source_status, count(*) from reports.scorecard_indicator group by all"
        ).fetchall()
    )
    assert statuses["no_source_yet"] > 0
    assert statuses["has_data"] > 0


def plan_blocks() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """From the plan's own lines: the measures each MITTARIT block lists (L60, a cross-reference,
    listed apart), and the goals of each theme."""
    lines = pd.read_csv(REPO / "data" / "plan" / "measure_lines.csv", dtype=str)
    block_of = dict(zip(lines["line_id"], lines["theme_id"], strict=True))
    measures = pd.read_csv(CATALOG_DIR / "measures.csv", dtype=str, keep_default_na=False)
    listed: dict[str, set[str]] = {}
    cross_referenced: dict[str, set[str]] = {}
    for measure_id, line_ids in zip(measures["measure_id"], measures["plan_line_ids"], strict=True):
        for line_id in line_ids.split("|"):
            target = cross_referenced if line_id == "L60" else listed
            target.setdefault(block_of[line_id], set()).add(measure_id)
    goals = pd.read_csv(CATALOG_DIR / "goals.csv", dtype=str)
    theme_goals: dict[str, set[str]] = {}
    for goal_id, theme_id in zip(goals["goal_id"], goals["theme_id"], strict=True):
        theme_goals.setdefault(theme_id, set()).add(goal_id)
    return listed, {t: m - listed.get(t, set()) for t, m in cross_referenced.items()}, theme_goals


def test_theme_and_goal_counts_agree_with_the_plans_blocks(real_catalog_db):
    listed, cross_referenced, theme_goals = plan_blocks()
    themes = {
        r[0]: r[1:]
        for r in real_catalog_db.execute(
            "select theme_id, measures_total, n_supporting, supporting_measures from reports.scorecard_theme"
        ).fetchall()
    }
    for theme_id, measure_ids in listed.items():
        assert themes[theme_id][0] == len(measure_ids), theme_id
        assert themes[theme_id][1] == len(cross_referenced.get(theme_id, ())), theme_id
    # L60 ("kts. Arjen turvallisuus") puts the employment indicators beside block 3, not in it
    assert themes["mielen_hyvinvointi"][1] == 12
    assert "Työttömyysaste" in themes["mielen_hyvinvointi"][2]
    # goals: a measure counts in a goal of a theme whose block lists it, once per goal
    measures = pd.read_csv(CATALOG_DIR / "measures.csv", dtype=str, keep_default_na=False)
    goals = {
        r[0]: r[1:]
        for r in real_catalog_db.execute(
            "select goal_id, measures_total, n_supporting from reports.scorecard_goal"
        ).fetchall()
    }
    for theme_id, goal_ids in theme_goals.items():
        for goal_id in goal_ids:
            in_goal = {
                m
                for m, g in zip(measures["measure_id"], measures["goal_ids"], strict=True)
                if goal_id in g.split("|")
            }
            primary = in_goal & listed.get(theme_id, set())
            assert goals[goal_id][0] == len(primary), goal_id
            assert goals[goal_id][1] == len(in_goal - primary), goal_id
    assert goals["g5"][1] == 12  # the L60 employment indicators support goal 5
