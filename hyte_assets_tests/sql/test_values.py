"""Staging, deduplication and the marts on the hand-made scenario (conftest.write_scenario)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> dict:
    frame = con.execute(sql, params or []).df()
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


def test_plan_figures_become_real_values_of_their_measure(scenario_db):
    rows = scenario_db.execute(
        "select measure_id, period, year, value, region_code, region_level, group_type, is_demo "
        "from staging.stg_plan_figures order by measure_id"
    ).fetchall()
    # without a measure, without a period or in another unit than the measure: left out
    assert rows == [
        ("lasten_pienituloisuusaste", "2024", 2024, 19.9, "111", "kunta", "total", False),
        ("tyottomyysaste", "2025-12", 2025, 17.5, "111", "kunta", "total", False),
    ]


def test_plan_figure_wins_over_a_demo_value_of_the_same_period(scenario_db):
    row = one(
        scenario_db,
        "select source, value, is_demo, superseded_demo from intermediate.int_values_deduplicated "
        "where measure_id = 'lasten_pienituloisuusaste' and period = '2024'",
    )
    assert row == {"source": "plan", "value": 19.9, "is_demo": False, "superseded_demo": 1}
    monthly = one(
        scenario_db,
        "select source, value, is_demo from marts.indicator_values "
        "where measure_id = 'tyottomyysaste' and period = '2025-12'",
    )
    assert monthly == {"source": "plan", "value": 17.5, "is_demo": False}


def test_real_value_wins_over_demo_of_another_source(scenario_db):
    row = one(
        scenario_db,
        "select source, value, is_demo, superseded_demo from intermediate.int_values_deduplicated "
        "where measure_id = 'hb_improving' and region_code = '111' and period = '2026'",
    )
    assert row == {"source": "sotkanet", "value": 55.0, "is_demo": False, "superseded_demo": 1}


def test_latest_fetch_wins_between_equal_candidates(scenario_db):
    row = one(
        scenario_db,
        "select value, superseded_demo from intermediate.int_values_deduplicated "
        "where measure_id = 'mc_stable' and period = '2026'",
    )
    assert row == {"value": 30.6, "superseded_demo": 0}


def test_union_keeps_every_candidate(scenario_db):
    unioned, deduplicated = scenario_db.execute(
        "select (select count(*) from intermediate.int_values_unioned), "
        "(select count(*) from intermediate.int_values_deduplicated)"
    ).fetchone()
    # lost to deduplication: the demo values under the plan's 2024 and 2025-12 figures, the demo
    # hb_improving 2026 under the real one and the older of mc_stable's two 2026 fetches
    assert unioned - deduplicated == 4


@pytest.mark.parametrize(
    ("region_code", "region_level", "name"),
    [("111", "kunta", "Heinola"), ("07", "maakunta", "Päijät-Häme"), ("SSS", "koko_maa", "Koko maa")],
)
def test_indicator_values_carry_region_names_and_units(scenario_db, region_code, region_level, name):
    row = one(
        scenario_db,
        "select region_name, unit from marts.indicator_values "
        "where measure_id = 'hb_improving' and region_code = ? and region_level = ? and period = '2026'",
        [region_code, region_level],
    )
    assert row == {"region_name": name, "unit": "percent"}


def test_codes_are_trimmed_and_padded(shaped_db, build):
    from .conftest import insert_values

    insert_values(
        shaped_db,
        "raw.sotkanet_values",
        [
            {
                "measure_id": " m1 ",
                "period": "2025",
                "value": 1.0,
                "region_code": " 98",
                "region_level": "kunta",
            },
            {
                "measure_id": "m1",
                "period": "2025",
                "value": 2.0,
                "region_code": "7",
                "region_level": "maakunta",
            },
            {
                "measure_id": "m1",
                "period": "2025",
                "value": 3.0,
                "region_code": "",
                "region_level": "koko_maa",
            },
        ],
    )
    build(shaped_db)
    codes = shaped_db.execute(
        "select measure_id, region_code, region_level from intermediate.int_values_unioned order by value"
    ).fetchall()
    assert codes == [("m1", "098", "kunta"), ("m1", "07", "maakunta"), ("m1", "SSS", "koko_maa")]


def test_measure_series_numbers_points_from_the_latest(scenario_db):
    rows = scenario_db.execute(
        "select period, period_month, time_years, rank_from_latest, points_in_series "
        "from marts.measure_series where measure_id = 'tyottomyysaste' order by period"
    ).fetchall()
    assert [r[0] for r in rows] == ["2024-10", "2025-10", "2025-12", "2026-09", "2026-10"]
    assert [r[1] for r in rows] == [10, 10, 12, 9, 10]
    assert rows[-1][2] == pytest.approx(2026 + 9 / 12)
    assert [r[3] for r in rows] == [5, 4, 3, 2, 1]
    assert {r[4] for r in rows} == {5}
    annual = one(
        scenario_db,
        "select time_years, period_month from marts.measure_series "
        "where measure_id = 'hb_improving' and region_code = '111' and period = '2024'",
    )
    assert annual["time_years"] == 2024
    assert pd.isna(annual["period_month"])


def test_suppressed_values_stay_in_the_mart_but_not_in_the_series(shaped_db, build):
    from .conftest import insert_values

    insert_values(shaped_db, "raw.sotkanet_values", [{"measure_id": "m1", "period": "2025", "value": None}])
    build(shaped_db)
    assert shaped_db.execute("select count(*) from marts.indicator_values").fetchone() == (1,)
    assert shaped_db.execute("select count(*) from marts.measure_series").fetchone() == (0,)


def test_region_codes_cover_every_source_the_union_reads(models):
    """A source added to int_values_unioned but not to stg_region_codes would lose its region codes."""
    by_table = {m.table: m for m in models}
    unioned = set(by_table["intermediate.int_values_unioned"].reads) - {"staging.stg_region_codes"}
    assert unioned <= set(by_table["staging.stg_region_codes"].reads)


def test_region_list_codes_are_padded_like_the_values(shaped_db, build):
    from .conftest import insert_regions

    insert_regions(shaped_db, [(" 98", "kunta", "Kunta", "7"), ("7 ", "maakunta", "Maakunta", None)])
    shaped_db.execute(
        "update raw.sotkanet_regions set hyvinvointialue_code = '5' where region_level = 'kunta'"
    )
    build(shaped_db)
    rows = shaped_db.execute(
        "select region_code, region_level, maakunta_code, hyvinvointialue_code "
        "from staging.stg_regions order by region_level"
    ).fetchall()
    assert rows == [("098", "kunta", "07", "05"), ("07", "maakunta", None, None)]
