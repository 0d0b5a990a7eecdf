"""Where a survey row's n comes from: THL's cube (raw.kouluterveyskysely_sample_sizes) first, the
row's own n otherwise (the city's `vastaajia` for its surveys, the demo file's for the school survey),
and `sample_size_source` says which. A row left without n is not judged."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from .conftest import insert_values, measure, write_catalog, write_settings

KTK = {"group_type": "school_level", "group_value": "8.-9. lk"}
MEASURES = [
    measure("ktk_cube", source="kouluterveyskysely", polarity="lower_better", school_levels="8.-9. lk"),
    measure("ktk_none", source="kouluterveyskysely", polarity="lower_better", school_levels="8.-9. lk"),
    measure("ktk_demo", source="kouluterveyskysely", polarity="lower_better", school_levels="8.-9. lk"),
    measure("city_survey", source="regional_survey"),
    measure("city_survey_no_n", source="regional_survey"),
]

# one theme and goal (the measures' defaults, conftest.MEASURE_DEFAULTS)
THEME = {"theme_id": "t1", "theme_no": 1, "title_fi": "T", "title_en": "T"}
GOAL = {"goal_id": "g1", "goal_no": 1, "theme_id": "t1", "title_fi": "G", "title_en": "G"}
CATALOG = {"themes": [THEME], "goals": [GOAL], "measures": MEASURES}


def cube_row(year: int, gender: str, n: float, **extra: object) -> dict[str, object]:
    return {
        "measure_id": "ktk_cube",
        "school_level": "8.-9. lk",
        "region_code": "111",
        "region_level": "kunta",
        "year": year,
        "period": str(year),
        "gender": gender,
        "sample_size": n,
        "cube": "ktk/ktk1/ktk1",
        "is_demo": False,
        "fetched_at": pd.Timestamp("2027-11-01"),
        **extra,
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory, build) -> duckdb.DuckDBPyConnection:
    from .conftest import create_empty_catalog, create_raw_tables

    con = duckdb.connect()
    for prepare in (create_raw_tables, create_empty_catalog, write_settings):
        prepare(con)
    write_catalog(con, tmp_path_factory.mktemp("catalog"), CATALOG)
    insert_values(
        con,
        "raw.kouluterveyskysely_values",
        [
            # real rows carrying their own n of 285: the cube's 300 / 150 must win
            *(
                {"measure_id": "ktk_cube", "period": p, "value": v, "gender": g, "sample_size": 285, **KTK}
                for p, v in (("2025", 20.0), ("2027", 16.0))
                for g in ("total", "female")
            ),
            # Sotkanet gives no n and the cube has none for this measure: not judged
            {"measure_id": "ktk_none", "period": "2025", "value": 20.0, "gender": "total", **KTK},
            {"measure_id": "ktk_none", "period": "2027", "value": 16.0, "gender": "total", **KTK},
            # a demo row's n is demo
            *(
                {
                    "measure_id": "ktk_demo",
                    "period": p,
                    "value": 20.0,
                    "gender": "total",
                    "sample_size": 285,
                    "is_demo": True,
                    **KTK,
                }
                for p in ("2025", "2027")
            ),
        ],
    )
    cube = pd.DataFrame(
        [
            cube_row(2025, "total", 300.0),
            cube_row(2027, "total", 300.0),
            cube_row(2027, "female", 150.0),
            # another school level's n never lands on the 8.-9. lk rows
            cube_row(2025, "female", 99.0, school_level="lukio"),
        ]
    )
    con.register("_cube", cube)
    con.execute("insert into raw.kouluterveyskysely_sample_sizes by name select * from _cube")
    con.unregister("_cube")
    insert_values(
        con,
        "raw.survey_values",
        [
            {"measure_id": "city_survey", "period": "2024", "value": 30.0, "sample_size": 900},
            {"measure_id": "city_survey_no_n", "period": "2024", "value": 30.0},
        ],
    )
    con.execute("update raw.survey_values set survey = 'regional_survey'")
    build(con)
    yield con
    con.close()


def sizes(con: duckdb.DuckDBPyConnection, table: str, measure_id: str) -> list[tuple]:
    return con.execute(
        f"select period, gender, sample_size, sample_size_source from {table} "
        "where measure_id = ? order by period, gender",
        [measure_id],
    ).fetchall()


def test_cube_n_wins_over_the_rows_own_n_and_says_so(db):
    assert sizes(db, "staging.stg_kouluterveyskysely", "ktk_cube") == [
        ("2025", "female", 285.0, "source"),  # no cube cell for 2025 girls: the row's own n
        ("2025", "total", 300.0, "thl_cube"),
        ("2027", "female", 150.0, "thl_cube"),
        ("2027", "total", 300.0, "thl_cube"),
    ]
    assert sizes(db, "marts.indicator_values", "ktk_cube")[1:] == [
        ("2025", "total", 300.0, "thl_cube"),
        ("2027", "female", 150.0, "thl_cube"),
        ("2027", "total", 300.0, "thl_cube"),
    ]


def test_city_delivery_and_missing_n_are_named(db):
    assert sizes(db, "marts.indicator_values", "city_survey") == [("2024", "total", 900.0, "city_delivery")]
    assert sizes(db, "marts.indicator_values", "city_survey_no_n") == [("2024", "total", None, "none")]
    assert sizes(db, "marts.indicator_values", "ktk_none") == [
        ("2025", "total", None, "none"),
        ("2027", "total", None, "none"),
    ]
    assert {s for *_, s in sizes(db, "marts.indicator_values", "ktk_demo")} == {"demo"}


def scorecard(con: duckdb.DuckDBPyConnection, measure_id: str) -> tuple:
    return con.execute(
        "select status, status_rule, not_judged_reason, latest_sample_size, comparison_sample_size "
        "from reports.scorecard_indicator where measure_id = ?",
        [measure_id],
    ).fetchone()


def test_the_cube_n_lets_the_scorecard_judge_and_a_row_without_n_stays_not_judged(db):
    # 20 % -> 16 % of 300 pupils each: the Newcombe interval of -4 points includes zero
    assert scorecard(db, "ktk_cube") == ("stable", "newcombe", None, 300.0, 300.0)
    assert scorecard(db, "ktk_none") == ("not_judged", "no_sample_size", "no_sample_size", None, None)
