"""Hand-made cases for the scorecard statuses and not_judged reasons the shared scenario does not reach:
no sample size, stale, pinned baselines, managed counts, rare shares, register shares with counts,
low response rates, and demo flags per figure. Every expected value is worked out by hand."""

from __future__ import annotations

import duckdb
import pytest

from .conftest import insert_values, measure, one_goal_db

KTK = {"group_type": "school_level"}
MEASURES = [
    measure("ktk_no_n", source="kouluterveyskysely", polarity="lower_better", school_levels="8.-9. lk"),
    measure("ktk_low_response", source="kouluterveyskysely", school_levels="ammatillinen"),
    measure("old_register", unit="percent"),
    measure("pinned", source="statfin"),
    measure("real_after_demo"),
    measure("events_small", source="local", unit="count"),
    measure("events_large", source="local", unit="count"),
    measure("rare_share", polarity="lower_better"),
    measure("share_with_counts", polarity="lower_better"),
    measure("register_count", source="employment", unit="count", polarity="lower_better"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory, build) -> duckdb.DuckDBPyConnection:
    con = one_goal_db(  # as of 2026-11-30
        tmp_path_factory.mktemp("catalog"),
        MEASURES,
        scorecard_baselines=[
            {
                "measure_id": "pinned",
                "group_type": "total",
                "group_value": "total",
                "period": "2025",
                "value": 50.0,
                "is_demo": "false",
                "origin": "plan",
                "pinned_on": "2026-05-04",
            }
        ],
        survey_response_rates=[
            {
                "source": "kouluterveyskysely",
                "group_value": "ammatillinen",
                "year": 2027,
                "response_rate": 34.0,
                "origin": "plan",
            }
        ],
    )
    insert_values(
        con,
        "raw.kouluterveyskysely_values",
        [
            # no respondents known: a 4-point fall is shown but never judged on +-1 point
            {"measure_id": "ktk_no_n", "period": "2025", "value": 20.0, "group_value": "8.-9. lk", **KTK},
            {"measure_id": "ktk_no_n", "period": "2027", "value": 16.0, "group_value": "8.-9. lk", **KTK},
            {
                "measure_id": "ktk_low_response",
                "period": "2025",
                "value": 30.0,
                "sample_size": 200,
                "group_value": "ammatillinen",
                **KTK,
            },
            {
                "measure_id": "ktk_low_response",
                "period": "2027",
                "value": 31.0,
                "sample_size": 180,
                "group_value": "ammatillinen",
                **KTK,
            },
        ],
    )
    insert_values(
        con,
        "raw.sotkanet_values",
        [
            # the newest value is from 2023: three years old at the end of 2026
            {"measure_id": "old_register", "period": "2022", "value": 10.0},
            {"measure_id": "old_register", "period": "2023", "value": 14.0},
            # a real 2026 value against a demo 2025 baseline
            {"measure_id": "real_after_demo", "period": "2025", "value": 50.0, "is_demo": True},
            {"measure_id": "real_after_demo", "period": "2026", "value": 53.0},
            # 1.0 % -> 1.3 %: +30 % of a rare share, over the 20 % relative threshold
            {"measure_id": "rare_share", "period": "2025", "value": 1.0},
            {"measure_id": "rare_share", "period": "2026", "value": 1.3},
            # 4.0 % of 1 000 -> 3.0 % of 1 000 (absValue 40 and 30): within sampling noise
            {"measure_id": "share_with_counts", "period": "2025", "value": 4.0, "abs_value": 40},
            {"measure_id": "share_with_counts", "period": "2026", "value": 3.0, "abs_value": 30},
        ],
    )
    insert_values(
        con,
        "raw.statfin_values",
        [
            # the data's own 2025 value (demo) is not the baseline: the pinned real 50 is
            {"measure_id": "pinned", "period": "2025", "value": 40.0, "is_demo": True},
            {"measure_id": "pinned", "period": "2026", "value": 52.0},
        ],
    )
    insert_values(
        con,
        "raw.local_counts",
        [
            # the city's own event counts: +5 % is within the 10 % threshold, +20 % is not
            {"measure_id": "events_small", "period": "2025", "value": 100.0},
            {"measure_id": "events_small", "period": "2026", "value": 105.0},
            {"measure_id": "events_large", "period": "2025", "value": 100.0},
            {"measure_id": "events_large", "period": "2026", "value": 120.0},
        ],
    )
    insert_values(
        con,
        "raw.employment_values",
        [
            # a register count: 400 -> 330 is a real fall by the conditional binomial test
            {"measure_id": "register_count", "period": "2025", "value": 400.0},
            {"measure_id": "register_count", "period": "2026", "value": 330.0},
        ],
    )
    build(con)
    yield con
    con.close()


def row(con: duckdb.DuckDBPyConnection, measure_id: str) -> dict:
    cursor = con.execute("select * from reports.scorecard_indicator where measure_id = ?", [measure_id])
    rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip((column[0] for column in cursor.description), rows[0], strict=True))


@pytest.mark.parametrize(
    ("measure_id", "status", "status_rule", "reason"),
    [
        ("ktk_no_n", "not_judged", "no_sample_size", "no_sample_size"),
        ("ktk_low_response", "stable", "newcombe", None),
        ("old_register", "not_judged", "stale", "stale"),
        ("pinned", "improving", "min_change:percent", None),
        ("real_after_demo", "improving", "min_change:percent", None),
        ("events_small", "stable", "min_change:managed_count", None),
        ("events_large", "improving", "min_change:managed_count", None),
        ("rare_share", "worsening", "min_change:percent_rare", None),
        ("share_with_counts", "stable", "newcombe_counts", None),
        ("register_count", "improving", "rate_ratio", None),
    ],
)
def test_status_and_reason(db, measure_id, status, status_rule, reason):
    found = row(db, measure_id)
    assert (found["status"], found["status_rule"], found["not_judged_reason"]) == (
        status,
        status_rule,
        reason,
    )
    assert found["is_judged"] == (reason is None)


def test_a_survey_row_without_sample_size_shows_the_change_but_no_interval(db):
    found = row(db, "ktk_no_n")
    assert found["change"] == pytest.approx(-4.0)
    assert found["change_low"] is None and found["change_high"] is None
    assert found["standardized_change"] is None


def test_low_response_rate_is_flagged(db):
    found = row(db, "ktk_low_response")
    assert (found["response_rate"], found["is_low_response"]) == (34.0, True)
    assert row(db, "events_small")["is_low_response"] is False


def test_stale_after_two_years(db):
    found = row(db, "old_register")
    assert (found["data_age_years"], found["stale_after_years"], found["is_stale"]) == (3, 2, True)


def test_the_pinned_baseline_wins_over_the_data(db):
    found = row(db, "pinned")
    assert (found["baseline_value"], found["baseline_origin"], found["baseline_is_demo"]) == (
        50.0,
        "pinned_plan",
        False,
    )
    assert (found["comparison_kind"], found["comparison_value"], found["change"]) == (
        "baseline",
        50.0,
        pytest.approx(2.0),
    )


def test_a_real_latest_value_beside_a_demo_baseline_is_not_demo(db):
    """The renderer badges each figure by its own flag: no DEMO on the real 2026 value, DEMO on the
    2025 comparison point, and the verdict is marked as resting on demo data."""
    found = row(db, "real_after_demo")
    assert found["latest_is_demo"] is False
    assert found["comparison_point_is_demo"] is True
    assert found["baseline_is_demo"] is True
    assert found["status_rests_on_demo"] is True
    pinned = row(db, "pinned")  # real latest, real pinned baseline: nothing demo to flag
    assert (pinned["latest_is_demo"], pinned["comparison_point_is_demo"], pinned["status_rests_on_demo"]) == (
        False,
        False,
        False,
    )


def test_register_share_with_counts_is_tested_on_them(db):
    from statsmodels.stats.proportion import confint_proportions_2indep

    found = row(db, "share_with_counts")
    low, high = confint_proportions_2indep(30, 1000, 40, 1000, method="newcomb", compare="diff")
    assert (found["change_low"], found["change_high"]) == (
        pytest.approx(100 * low),
        pytest.approx(100 * high),
    )


def test_muutos_is_latest_minus_comparison_on_every_row(db):
    rows = db.execute(
        "select measure_id, latest_value, comparison_value, change from reports.scorecard_indicator"
    ).fetchall()
    assert rows
    for measure_id, latest, comparison, change in rows:
        if comparison is None:
            assert change is None, measure_id
        else:
            assert change == pytest.approx(latest - comparison), measure_id
