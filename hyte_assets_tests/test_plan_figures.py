"""The plan's own figures reach the scorecards and the plan_figures report on the default run."""

import duckdb

from hyte_assets_tests.conftest import Refreshed


def test_plan_figures_appear_in_the_reports(refreshed_project: Refreshed) -> None:
    """Read from the session's default refresh (conftest.py: the monthly backfill, then refresh_all)."""
    with duckdb.connect(str(refreshed_project.db), read_only=True) as con:
        figures = con.sql(
            "select figure_id, plan_value, pipeline_value, status from reports.plan_figures"
        ).df()
        scorecard = con.sql(
            "select measure_id, group_value, latest_value, latest_period, is_demo "
            "from reports.scorecard_indicator"
        ).df()
    linked = figures[figures["status"] != "background_figure"]
    assert len(figures) == 19 and len(linked) == 8
    assert (linked["status"] == "matches").all(), linked
    by_measure = scorecard.set_index(["measure_id", "group_value"])
    # Children's low-income rate 19.9 % (2024) is the latest published value in the scorecard.
    assert by_measure.loc[("lasten_pienituloisuusaste", "total"), "latest_value"] == 19.9
    assert by_measure.loc[("lasten_pienituloisuusaste", "total"), "latest_period"] == "2024"
    assert by_measure.loc[("tyottomyysaste", "alle 25"), "latest_value"] == 25.0
    # 91.5 % of 80+ living at home has no measure line in the plan: a background figure, still shown.
    assert figures.set_index("figure_id").loc["f16", "status"] == "background_figure"
