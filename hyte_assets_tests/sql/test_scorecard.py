"""The scorecard's statuses, comparisons and roll-ups on the hand-made scenario (conftest.write_scenario).

Every expected number is worked out by hand from the fixture, so a change in a rule shows up here.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from .conftest import MEASURES


def row(con: duckdb.DuckDBPyConnection, measure_id: str, group_value: str = "total") -> dict:
    frame = con.execute(
        "select * from reports.scorecard_indicator where measure_id = ? and group_value = ?",
        [measure_id, group_value],
    ).df()
    assert len(frame) == 1, frame
    return {
        key: (None if not isinstance(value, str) and pd.isna(value) else value)
        for key, value in frame.iloc[0].items()
    }


@pytest.mark.parametrize(
    ("measure_id", "group_value", "status", "status_rule"),
    [
        ("hb_improving", "total", "improving", "min_change:percent"),
        ("lb_worsening", "total", "worsening", "min_change:percent"),
        ("target_reached", "total", "target_met", "target"),
        ("target_progress", "total", "improving", "min_change:percent"),
        ("mc_stable", "total", "stable", "min_change:percent"),
        ("survey_stable", "total", "stable", "newcombe"),
        ("survey_improving", "total", "improving", "newcombe"),
        ("poisson_stable", "total", "stable", "rate_ratio"),
        # the 2025 survey is both the latest value and the baseline: plan progress cannot be judged yet
        ("ktk_levels", "8.-9. lk", "not_judged", "no_baseline_yet"),
        ("ktk_levels", "lukio", "not_judged", "no_baseline_yet"),
        ("context_count", "total", "not_judged", "context"),
        ("single_point", "total", "not_judged", "no_comparison_point"),
        ("lasten_pienituloisuusaste", "total", "not_judged", "no_baseline_yet"),
        ("tyottomyysaste", "total", "improving", "min_change:percent"),
        ("no_source", "total", "no_data", "no_data"),
        ("no_muni_data", "total", "no_data", "no_data"),
    ],
)
def test_status(scenario_db, measure_id, group_value, status, status_rule):
    found = row(scenario_db, measure_id, group_value)
    assert (found["status"], found["status_rule"]) == (status, status_rule)


def test_every_catalog_measure_appears_and_groups_get_their_own_rows(scenario_db):
    counts = dict(
        scenario_db.execute(
            "select measure_id, count(*) from reports.scorecard_indicator group by all"
        ).fetchall()
    )
    assert set(counts) == {m["measure_id"] for m in MEASURES}
    assert counts["ktk_levels"] == 2
    assert all(n == 1 for measure_id, n in counts.items() if measure_id != "ktk_levels")
    levels = scenario_db.execute(
        "select group_type, group_value from reports.scorecard_indicator "
        "where measure_id = 'ktk_levels' order by group_value"
    ).fetchall()
    assert levels == [("school_level", "8.-9. lk"), ("school_level", "lukio")]


def test_higher_better_row_in_full(scenario_db):
    found = row(scenario_db, "hb_improving")
    assert found["latest_value"] == 55.0
    assert (found["latest_period"], found["latest_year"]) == ("2026", 2026)
    assert (found["previous_value"], found["previous_period"]) == (52.0, "2025")
    assert (found["baseline_value"], found["baseline_period"]) == (52.0, "2025")
    assert found["change_since_baseline"] == pytest.approx(3.0)
    # 50, 52, 55 in 2024-2026: least-squares slope 2.5 a year
    assert found["trend_slope"] == pytest.approx(2.5)
    assert found["trend_points"] == 3
    assert (found["maakunta_value"], found["maakunta_gap"]) == (53.0, pytest.approx(2.0))
    assert (found["koko_maa_value"], found["koko_maa_gap"]) == (50.0, pytest.approx(5.0))
    # Lahti 56 > Heinola 55 > Hollola 54; Turku (another maakunta) does not count
    assert (found["rank_in_maakunta"], found["municipalities_in_maakunta"]) == (2, 3)
    assert found["data_age_years"] == 0
    assert not found["is_demo"]
    assert not found["comparison_is_demo"]
    assert found["standardized_change"] == pytest.approx(3.0)
    assert (found["source"], found["latest_source"], found["source_status"]) == (
        "sotkanet",
        "sotkanet",
        "has_data",
    )
    assert found["title_fi"] == "Mittari hb_improving"
    assert found["goal_ids"] == "g1|g2"


def test_no_rank_when_a_peer_municipality_lacks_the_period(scenario_db):
    found = row(scenario_db, "lb_worsening")
    assert found["rank_in_maakunta"] is None
    assert found["municipalities_in_maakunta"] == 3
    assert found["standardized_change"] == pytest.approx(-2.0)


def test_lower_better_ranks_the_lowest_first(tmp_path, build):
    from .conftest import insert_values, write_scenario

    con = duckdb.connect()
    write_scenario(con, tmp_path / "catalog")
    insert_values(
        con,
        "raw.sotkanet_values",
        [{"measure_id": "lb_worsening", "period": "2026", "value": 13.0, "region_code": "398"}],
    )
    build(con)
    # Hollola 11 < Heinola 12 < Lahti 13
    assert row(con, "lb_worsening")["rank_in_maakunta"] == 2
    con.close()


def test_newcombe_interval_decides_survey_percentages(scenario_db):
    from statsmodels.stats.proportion import confint_proportions_2indep

    stable = row(scenario_db, "survey_stable")
    # 40 % of 200 in 2025 against 44 % of 210 in 2027
    low, high = confint_proportions_2indep(0.44 * 210, 210, 0.40 * 200, 200, method="newcomb", compare="diff")
    assert (stable["change_low"], stable["change_high"]) == (
        pytest.approx(100 * low),
        pytest.approx(100 * high),
    )
    assert stable["change_low"] < 0 < stable["change_high"]  # +4 points: within sampling noise
    assert stable["change"] == pytest.approx(4.0)
    improving = row(scenario_db, "survey_improving")
    assert improving["change_high"] < 0  # 30 % -> 15 % of 100: a real fall, and lower is better
    # the 2024 survey is the newest value from the baseline years, and the latest is newer
    assert (improving["baseline_period"], improving["comparison_period"]) == ("2024", "2024")
    assert improving["comparison_kind"] == "baseline"


def test_rate_ratio_decides_rates_with_a_known_count(scenario_db):
    from statsmodels.stats.rates import test_poisson_2indep

    found = row(scenario_db, "poisson_stable")
    # 50 -> 60 per 10 000 on 25 -> 30 cases: the same population, so a ratio of 1.2 by chance
    assert found["change_low"] < 0 < found["change_high"]
    assert test_poisson_2indep(30, 0.5, 25, 0.5, method="score").pvalue > 0.05


def test_min_change_interval_is_the_unit_threshold(scenario_db):
    found = row(scenario_db, "mc_stable")
    assert (found["change_low"], found["change_high"]) == (pytest.approx(-0.4), pytest.approx(1.6))
    assert found["is_judged"]


def test_latest_that_is_the_baseline_shows_the_pre_plan_trend(scenario_db):
    found = row(scenario_db, "ktk_levels", "8.-9. lk")
    assert (found["latest_period"], found["baseline_period"], found["comparison_period"]) == (
        "2025",
        "2025",
        "2023",
    )
    assert found["change_since_baseline"] == 0
    assert found["change"] == pytest.approx(-8.0)  # "Muutos" is against the point shown: 2023
    # 20 % -> 12 % of 300 pupils is a real fall (lower is better), but it happened before the plan
    assert (found["status"], found["pre_plan_trend"]) == ("not_judged", "improving")
    assert row(scenario_db, "ktk_levels", "lukio")["pre_plan_trend"] == "worsening"


def test_plan_figure_is_the_latest_value(scenario_db):
    found = row(scenario_db, "lasten_pienituloisuusaste")
    assert (found["latest_value"], found["latest_period"], found["latest_source"]) == (19.9, "2024", "plan")
    # compared with the demo 2023 value: that figure is demo, the plan's own is not
    assert (found["comparison_period"], found["previous_value"]) == ("2023", 18.0)
    assert not found["latest_is_demo"]
    assert found["comparison_point_is_demo"]
    assert found["is_demo"]
    assert not found["status_rests_on_demo"]  # not judged, so no verdict rests on it
    assert found["data_age_years"] == 2


def test_monthly_series_compare_the_same_month(scenario_db):
    found = row(scenario_db, "tyottomyysaste")
    assert (found["latest_period"], found["latest_value"]) == ("2026-10", 16.0)
    # not 2026-09 (seasonal) and not the plan's 2025-12
    assert (found["previous_period"], found["baseline_period"]) == ("2025-10", "2025-10")
    assert found["change_since_baseline"] == pytest.approx(-1.5)
    # Octobers 2024-2026: 16.0, 17.5, 16.0 -> flat
    assert found["trend_points"] == 3
    assert found["trend_slope"] == pytest.approx(0.0, abs=1e-9)
    assert found["is_demo"] and found["latest_is_demo"] and found["status_rests_on_demo"]


def test_measures_without_values(scenario_db):
    no_source = row(scenario_db, "no_source")
    assert no_source["source_status"] == "no_source_yet"
    assert no_source["latest_value"] is None
    assert not no_source["is_demo"]
    elsewhere = row(scenario_db, "no_muni_data")
    assert elsewhere["source_status"] == "no_data_for_municipality"


def test_not_judged_rows(scenario_db):
    judged = dict(
        scenario_db.execute("select measure_id, is_judged from reports.scorecard_indicator").fetchall()
    )
    assert not judged["context_count"]
    assert not judged["single_point"]
    assert not judged["no_source"]
    assert judged["target_reached"]


def test_headline_status_per_measure(scenario_db):
    headline = {
        r[0]: r[1:]
        for r in scenario_db.execute(
            "select measure_id, status, status_basis, is_judged from reports.scorecard_measure"
        ).fetchall()
    }
    # both school levels await a value after the baseline
    assert headline["ktk_levels"] == ("not_judged", "groups", False)
    assert headline["hb_improving"] == ("improving", "total", True)
    assert headline["no_source"] == ("no_data", "none", False)


def rollup(con: duckdb.DuckDBPyConnection, table: str, key: str) -> dict[str, dict]:
    frame = con.execute(f"select * from {table}").df()
    return {r[key]: r for r in frame.to_dict("records")}


def test_goal_rollups(scenario_db):
    goals = rollup(scenario_db, "reports.scorecard_goal", "goal_id")
    counts = [
        "measures_total",
        "measures_with_data",
        "n_improving",
        "n_stable",
        "n_worsening",
        "n_target_met",
    ]
    counts += ["n_not_judged", "n_no_data"]
    assert {g: [goals[g][c] for c in counts] for g in goals} == {
        "g1": [5, 4, 1, 1, 1, 1, 0, 1],
        "g2": [7, 7, 2, 2, 0, 0, 3, 0],  # hb_improving follows g1 and g2
        "g3": [4, 3, 2, 0, 0, 0, 1, 1],
    }
    assert goals["g1"]["coverage"] == pytest.approx(0.8)
    assert goals["g1"]["share_improving"] == pytest.approx(1 / 4)
    assert goals["g2"]["share_improving"] == pytest.approx(2 / 4)
    assert goals["g1"]["worst_moving"] == "Heikkenevä mittari"
    assert goals["g2"]["worst_moving"] is None
    assert goals["g3"]["worst_moving"] is None  # child poverty: no value after the baseline yet
    assert goals["g1"]["summary_fi"] == (
        "Tavoitteessa on 5 mittaria, ja tietoa on 4 mittarista: 1 kehittyy myönteisesti, 1 heikkenee, "
        "1 pysyy ennallaan ja 1 on saavuttanut tavoitteensa."
    )
    assert goals["g2"]["summary_en"] == (
        "The goal has 7 measures, 7 with data: 2 improving, 0 worsening, 2 stable and 0 at target "
        "(3 not judged)."
    )
    assert not goals["g1"]["any_demo"]
    assert goals["g3"]["any_demo"]


def test_theme_rollups_count_each_measure_once(scenario_db):
    themes = rollup(scenario_db, "reports.scorecard_theme", "theme_id")
    assert themes["t1"]["measures_total"] == 11
    assert [
        themes["t1"][c] for c in ("n_improving", "n_stable", "n_worsening", "n_target_met", "n_no_data")
    ] == [2, 3, 1, 1, 1]
    assert themes["t2"]["summary_fi"].startswith("Teemassa on 4 mittaria, ja tietoa on 3 mittarista")


def test_summaries_without_data_or_without_a_judgement(shaped_db, build, tmp_path):
    from .conftest import insert_values, measure, write_catalog, write_settings

    write_settings(shaped_db)
    write_catalog(
        shaped_db,
        tmp_path / "catalog",
        {
            "themes": [{"theme_id": "t1", "theme_no": 1, "title_fi": "T", "title_en": "T"}],
            "goals": [
                {"goal_id": "g1", "goal_no": 1, "theme_id": "t1", "title_fi": "G", "title_en": "G"},
                {"goal_id": "g2", "goal_no": 2, "theme_id": "t1", "title_fi": "H", "title_en": "H"},
            ],
            "measures": [
                measure("nothing"),
                measure("one_point", goal_ids="g2"),
                measure("none", goal_ids="g2"),
            ],
        },
    )
    insert_values(
        shaped_db, "raw.sotkanet_values", [{"measure_id": "one_point", "period": "2026", "value": 5.0}]
    )
    build(shaped_db)
    summaries = {
        goal: (fi, en)
        for goal, fi, en in shaped_db.execute(
            "select goal_id, summary_fi, summary_en from reports.scorecard_goal"
        ).fetchall()
    }
    assert summaries["g1"] == (
        "Tavoitteessa on 1 mittari, eikä siitä ole vielä tietoa.",
        "The goal has 1 measure, none of them with data yet.",
    )
    assert summaries["g2"] == (
        "Tavoitteessa on 2 mittaria, ja tietoa on 1 mittarista, mutta kehitystä ei voi vielä arvioida.",
        "The goal has 2 measures, 1 with data, but no change can be judged yet.",
    )
