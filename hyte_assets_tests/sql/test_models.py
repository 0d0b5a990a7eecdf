"""The SQL model files: they parse, run on empty inputs, run as plain SQL and keep their contracts."""

from __future__ import annotations

import duckdb
import pytest

from hyte_assets.lib.sql_models import SqlModel

from .conftest import SQL_ROOT

LONG_FORM_COLUMNS = [
    ("measure_id", "VARCHAR"),
    ("source", "VARCHAR"),
    ("region_code", "VARCHAR"),
    ("region_level", "VARCHAR"),
    ("year", "INTEGER"),
    ("period", "VARCHAR"),
    ("group_type", "VARCHAR"),
    ("group_value", "VARCHAR"),
    ("gender", "VARCHAR"),
    ("value", "DOUBLE"),
    ("abs_value", "DOUBLE"),
    ("sample_size", "DOUBLE"),
    ("is_demo", "BOOLEAN"),
    ("fetched_at", "TIMESTAMP"),
]
VALUE_STAGING = [
    "staging.stg_sotkanet",
    "staging.stg_kouluterveyskysely",
    "staging.stg_statfin",
    "staging.stg_employment",
    "staging.stg_teaviisari",
    "staging.stg_surveys",
    "staging.stg_local",
    "staging.stg_plan_figures",
]
EXPECTED_MODELS = {
    *VALUE_STAGING,
    "staging.stg_regions",
    "staging.stg_region_codes",
    "intermediate.int_values_unioned",
    "intermediate.int_values_deduplicated",
    "marts.indicator_values",
    "marts.measure_series",
    "reports.scorecard_indicator",
    "reports.scorecard_measure",
    "reports.scorecard_goal",
    "reports.scorecard_theme",
    "reports.teaviisari",
}
EXPECTED_TESTS = {
    "no_measure_without_goal",
    "no_status_without_value",
    "scorecard_one_row_per_measure_group",
    "indicator_values_known_measure",
    "percent_values_in_range",
}


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"describe {table}").fetchall()]


def test_the_project_has_the_expected_models_and_tests(models, sql_tests):
    assert {m.table for m in models} >= EXPECTED_MODELS
    assert {t.name for t in sql_tests} >= EXPECTED_TESTS


def test_every_model_says_why_it_exists(models: list[SqlModel]):
    for model in models:
        assert model.description.splitlines(), f"{model.path} has no header comment"


def test_models_come_in_dependency_order(models: list[SqlModel]):
    position = {m.table: i for i, m in enumerate(models)}
    for model in models:
        for upstream in model.reads:
            if upstream in position:
                assert position[upstream] < position[model.table], (model.table, upstream)


def test_every_model_and_test_runs_on_an_empty_shaped_database(shaped_db, build, failing_rows):
    counts = build(shaped_db)
    assert set(counts) >= EXPECTED_MODELS
    assert all(n == 0 for n in counts.values()), counts
    assert all(n == 0 for n in failing_rows(shaped_db).values())


def test_each_file_runs_as_it_is_in_the_duckdb_cli(scenario_db: duckdb.DuckDBPyConnection):
    """No templating: the file text, comments and all, is a query DuckDB runs."""
    for path in sorted(SQL_ROOT.rglob("*.sql")):
        scenario_db.execute(path.read_text(encoding="utf-8")).fetchall()


# Survey staging models add where each row's n came from (thl_cube, city_delivery, demo, none).
SURVEY_STAGING = {"staging.stg_kouluterveyskysely", "staging.stg_surveys"}


@pytest.mark.parametrize("table", VALUE_STAGING)
def test_value_staging_models_share_the_long_form_columns(scenario_db, table):
    expected = list(LONG_FORM_COLUMNS)
    if table in SURVEY_STAGING:
        expected.insert(expected.index(("sample_size", "DOUBLE")) + 1, ("sample_size_source", "VARCHAR"))
    assert columns(scenario_db, table) == expected


def test_indicator_values_columns(scenario_db):
    assert [name for name, _ in columns(scenario_db, "marts.indicator_values")] == [
        "measure_id",
        "source",
        "region_code",
        "region_name",
        "region_level",
        "year",
        "period",
        "group_type",
        "group_value",
        "gender",
        "value",
        "abs_value",
        "sample_size",
        "sample_size_source",
        "unit",
        "is_demo",
        "fetched_at",
    ]


def test_scorecard_has_the_agreed_columns(scenario_db):
    names = [name for name, _ in columns(scenario_db, "reports.scorecard_indicator")]
    agreed = [
        "measure_id",
        "title_fi",
        "title_en",
        "theme_id",
        "goal_ids",
        "group_type",
        "group_value",
        "unit",
        "polarity",
        "target",
        "target_year",
        "latest_value",
        "latest_period",
        "latest_year",
        "latest_is_demo",
        "comparison_kind",
        "comparison_value",
        "comparison_period",
        "comparison_point_is_demo",
        "change",
        "change_low",
        "change_high",
        "change_rule",
        "previous_value",
        "previous_period",
        "baseline_value",
        "baseline_period",
        "baseline_is_demo",
        "baseline_origin",
        "change_since_baseline",
        "trend_slope",
        "trend_points",
        "status",
        "status_rule",
        "not_judged_reason",
        "is_judged",
        "pre_plan_trend",
        "standardized_change",
        "latest_sample_size",
        "comparison_sample_size",
        "response_rate",
        "is_low_response",
        "maakunta_value",
        "maakunta_gap",
        "koko_maa_value",
        "koko_maa_gap",
        "rank_in_maakunta",
        "municipalities_in_maakunta",
        "data_age_years",
        "stale_after_years",
        "is_stale",
        "status_rests_on_demo",
        "is_demo",
        "comparison_is_demo",
        "source",
        "source_status",
        "responsible",
    ]
    assert [n for n in names if n in agreed] == agreed


@pytest.mark.parametrize("report", ["reports.scorecard_goal", "reports.scorecard_theme"])
def test_rollup_columns(scenario_db, report):
    names = {name for name, _ in columns(scenario_db, report)}
    assert names >= {
        "measures_total",
        "measures_with_data",
        "coverage",
        "n_improving",
        "n_stable",
        "n_worsening",
        "n_target_met",
        "n_no_data",
        "share_improving",
        "worst_moving",
        "summary_fi",
        "summary_en",
        "any_demo",
    }


@pytest.mark.slow  # sqlfluff over every file; `make lint` runs it too
def test_sql_files_are_lint_clean():
    """`make lint` runs sqlfluff too; this keeps `make test` honest about the same rules (.sqlfluff)."""
    from sqlfluff.core import FluffConfig, Linter

    config = FluffConfig.from_path(str(SQL_ROOT.parent))
    result = Linter(config=config).lint_paths((str(SQL_ROOT),))
    problems = [
        f"{record['filepath']}:{v['start_line_no']}: {v['code']} {v['description']}"
        for record in result.as_records()
        for v in record["violations"]
    ]
    assert problems == []
