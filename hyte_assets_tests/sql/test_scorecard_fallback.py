"""The maakunta fallback (catalog `fallback_region_level`) and "no municipality level" on the
scorecard, on hand-made data: a measure the municipality has no value for shows its maakunta's
figure, labelled and never judged as the municipality's; without the catalog's leave it shows no
figure and says why; a value of the municipality's own is never replaced."""

from __future__ import annotations

import duckdb
import pytest

from .conftest import (
    REGIONS,
    insert_indicator_levels,
    insert_regions,
    insert_values,
    measure,
    one_goal_db,
    v,
)

MAAKUNTA = {"region_code": "07", "region_level": "maakunta"}
COUNTRY = {"region_code": "SSS", "region_level": "koko_maa"}
MEASURES = [
    measure("no_kunta_fallback", polarity="lower_better", fallback_region_level="maakunta"),
    measure("no_kunta_no_fallback", polarity="lower_better"),
    measure("own_value_kept", fallback_region_level="maakunta"),
    measure("fallback_no_metadata", fallback_region_level="maakunta"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory, build) -> duckdb.DuckDBPyConnection:
    con = one_goal_db(  # Heinola (111), maakunta 07 Päijät-Häme, as of 2026-11-30
        tmp_path_factory.mktemp("catalog"),
        MEASURES,
        # the municipality's pinned baseline: never the point a maakunta figure is compared with
        scorecard_baselines=[
            {
                "measure_id": "no_kunta_fallback",
                "group_type": "total",
                "group_value": "total",
                "period": "2025",
                "value": 99.0,
                "is_demo": "false",
                "origin": "plan",
                "pinned_on": "2026-05-04",
            }
        ],
    )
    insert_regions(con, REGIONS)
    insert_values(
        con,
        "raw.sotkanet_values",
        [
            v("no_kunta_fallback", 2024, 3.0, **MAAKUNTA),
            v("no_kunta_fallback", 2026, 3.4, **MAAKUNTA),
            v("no_kunta_fallback", 2026, 2.9, **COUNTRY),
            v("no_kunta_no_fallback", 2026, 5.0, **MAAKUNTA),
            v("own_value_kept", 2024, 10.0),
            v("own_value_kept", 2026, 12.0, **MAAKUNTA),
            v("fallback_no_metadata", 2025, 7.0, **MAAKUNTA),
        ],
    )
    insert_indicator_levels(
        con,
        [
            ("no_kunta_fallback", "total", 3558, "Maakunta|Maa"),
            ("no_kunta_no_fallback", "total", 9001, "Maakunta|Maa"),
            ("own_value_kept", "total", 9002, "Kunta|Maakunta|Maa"),
        ],
    )
    build(con)
    yield con
    con.close()


def row(con: duckdb.DuckDBPyConnection, measure_id: str) -> dict[str, object]:
    frame = con.execute("select * from reports.scorecard_indicator where measure_id = ?", [measure_id]).df()
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def test_fallback_allowed_shows_the_maakunta_figure_labelled_and_unjudged(db):
    r = row(db, "no_kunta_fallback")
    assert (r["latest_value"], r["latest_period"]) == (3.4, "2026")
    assert r["figure_region_level"] == "maakunta"
    assert r["figure_label_fi"] == "Maakunnan luku: Päijät-Häme"
    assert r["figure_label_en"] == "Regional (maakunta) figure: Päijät-Häme"
    # compared with the maakunta's own earlier point, not the municipality's pinned 99.0
    assert (r["comparison_value"], r["comparison_period"]) == (3.0, "2024")
    assert r["change"] == pytest.approx(0.4)
    # never a verdict, gap or rank presented as the municipality's
    assert (r["status"], r["not_judged_reason"], r["is_judged"]) == ("not_judged", "maakunta_figure", False)
    assert r["standardized_change"] != r["standardized_change"]  # NaN: no "worst moving" entry
    assert r["pre_plan_trend"] is None
    assert r["maakunta_gap"] != r["maakunta_gap"] and r["koko_maa_gap"] != r["koko_maa_gap"]
    assert r["koko_maa_value"] == 2.9
    # the id's metadata lists no KUNTA level: said, not silent
    assert (r["has_municipality_level"], r["source_status"]) == (False, "no_municipality_level")


def test_fallback_not_allowed_shows_no_figure_and_the_reason(db):
    r = row(db, "no_kunta_no_fallback")
    assert r["latest_value"] != r["latest_value"]
    assert r["figure_region_level"] is None and r["figure_label_fi"] is None
    assert (r["status"], r["source_status"]) == ("no_data", "no_municipality_level")


def test_the_municipality_s_own_value_is_never_replaced(db):
    r = row(db, "own_value_kept")
    # the maakunta's newer 2026 figure does not displace the municipality's own 2024 value
    assert (r["latest_value"], r["latest_period"]) == (10.0, "2024")
    assert (r["figure_region_level"], r["figure_label_fi"]) == ("kunta", None)
    assert (r["has_municipality_level"], r["source_status"]) == (True, "has_data")


def test_fallback_without_metadata_is_labelled_but_not_called_a_missing_level(db):
    r = row(db, "fallback_no_metadata")
    assert (r["latest_value"], r["figure_region_level"]) == (7.0, "maakunta")
    assert r["has_municipality_level"] is None
    assert r["source_status"] == "no_data_for_municipality"


def test_the_measure_roll_up_does_not_judge_a_maakunta_figure(db):
    status = db.execute(
        "select status, is_judged from reports.scorecard_measure where measure_id = 'no_kunta_fallback'"
    ).fetchone()
    assert status == ("not_judged", False)


def test_peer_comparison_shows_the_maakunta_figure_only_where_the_catalog_allows_it(db):
    figures = db.execute(
        "select measure_id, period, value, figure_level, figure_label_fi, rank_among_peers "
        "from reports.peer_comparison order by measure_id, period"
    ).fetchall()
    assert figures == [
        ("fallback_no_metadata", "2025", 7.0, "maakunta", "Maakunnan luku: Päijät-Häme", None),
        ("no_kunta_fallback", "2024", 3.0, "maakunta", "Maakunnan luku: Päijät-Häme", None),
        ("no_kunta_fallback", "2026", 3.4, "maakunta", "Maakunnan luku: Päijät-Häme", None),
        # no_kunta_no_fallback: no figure at all; own_value_kept: the municipality's own, not replaced
        ("own_value_kept", "2024", 10.0, "kunta", "Heinola", None),
    ]


def test_only_allowed_measures_without_any_own_value_fall_back(db):
    listed = db.execute("select * from intermediate.int_maakunta_fallback order by measure_id").fetchall()
    # own_value_kept has a value of its own; no_kunta_no_fallback is not allowed by the catalog
    assert listed == [
        ("fallback_no_metadata", "07", "Päijät-Häme"),
        ("no_kunta_fallback", "07", "Päijät-Häme"),
    ]
