"""reports.group_movement on hand-made data: which population group moved (issue 15).

Women worsen beyond the noise while men stay within it; a school level whose figures are demo data
keeps its demo flag in the line; a measure with one group gets no row. Intervals are worked out
here by an independent Newcombe implementation (test_peers_index_gaps.newcombe); the status words
come from the annual report's texts.toml, so the table and the report say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from hyte_assets.lib.report.texts import texts

from .conftest import (
    GOALS,
    THEMES,
    create_raw_tables,
    insert_values,
    measure,
    v,
    write_catalog,
    write_settings,
)
from .test_peers_index_gaps import newcombe

MEASURES = [
    measure("by_gender", title_en="By gender", polarity="lower_better"),
    measure("with_total", title_en="With total"),
    measure("single", title_en="One group", theme_id="t2", goal_ids="g3"),
    measure("levels", title_en="Levels", source="kouluterveyskysely", polarity="lower_better", goal_ids="g2"),
]


def gender(measure_id: str, period: int, group: str, value: float, count: float, **fields) -> dict:
    return v(measure_id, period, value, abs_value=count, group_type="gender", group_value=group, **fields)


@pytest.fixture(scope="module")
def movement(
    tmp_path_factory: pytest.TempPathFactory, build: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    create_raw_tables(con)
    write_settings(con)
    write_catalog(
        con,
        tmp_path_factory.mktemp("catalog"),
        {"themes": THEMES, "goals": GOALS, "measures": MEASURES},
    )
    insert_values(
        con,
        "raw.sotkanet_values",
        [
            # women 10.0 % of 2 000 -> 12.8 % of 2 000: +2.8 points, outside the noise (lower is better)
            gender("by_gender", 2025, "female", 10.0, 200),
            gender("by_gender", 2026, "female", 12.8, 256),
            # men 8.0 % -> 8.5 % of 2 000: inside it
            gender("by_gender", 2025, "male", 8.0, 160),
            gender("by_gender", 2026, "male", 8.5, 170),
            # everyone stable
            v("with_total", 2025, 50.0, abs_value=500),
            v("with_total", 2026, 50.5, abs_value=505),
            gender("with_total", 2025, "female", 50.0, 250),
            gender("with_total", 2026, "female", 50.4, 252),
            gender("with_total", 2025, "male", 50.0, 250),
            gender("with_total", 2026, "male", 50.6, 253),
            # one group: nothing to say about which group moved
            v("single", 2025, 30.0, abs_value=300),
            v("single", 2026, 40.0, abs_value=400),
        ],
    )
    level = {"group_type": "school_level"}
    insert_values(
        con,
        "raw.kouluterveyskysely_values",
        [
            v("levels", 2025, 20.0, sample_size=300, group_value="8.-9. lk", **level),
            v("levels", 2026, 12.0, sample_size=300, group_value="8.-9. lk", **level),
            # lukio's figures are demo data: its verdict keeps the flag
            v("levels", 2025, 10.0, sample_size=150, group_value="lukio", is_demo=True, **level),
            v("levels", 2026, 18.0, sample_size=150, group_value="lukio", is_demo=True, **level),
        ],
    )
    build(con)
    yield con
    con.close()


def row(con: duckdb.DuckDBPyConnection, measure_id: str) -> dict:
    frame = con.execute("select * from reports.group_movement where measure_id = ?", [measure_id]).df()
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


def words(lang: str) -> dict[str, str]:
    """The report's status labels in lower case, as the sentence uses them."""
    text = texts()[lang]
    return {s: text[s].lower() for s in ("improving", "worsening", "stable")}


def test_women_worsening_and_men_stable(movement):
    found = row(movement, "by_gender")
    low, high = newcombe(0.128, 2000, 0.10, 2000)
    assert low > 0  # the oracle agrees the change is outside the noise
    fi, en = words("fi"), words("en")
    assert found["summary_fi"] == f"Naiset: {fi['worsening']} (+2,8 %-yks.); miehet: {fi['stable']}"
    assert found["summary_en"] == f"Women: {en['worsening']} (+2.8 pp); men: {en['stable']}"
    assert found["worsening_groups"] == f"female +2.8 ({100 * low:.1f} … {100 * high:.1f})"
    assert found["stable_groups"] == "male"
    assert found["improving_groups"] is None
    assert (found["groups_with_data"], found["groups_worsening"], found["groups_stable"]) == (2, 1, 1)
    assert found["any_moved"]
    assert not found["is_demo"] and not found["status_rests_on_demo"]
    assert found["municipality_code"] == "111"
    assert found["group_types"] == "gender"


def test_a_measure_with_one_group_gets_no_row(movement):
    assert movement.execute(
        "select count(*) from reports.scorecard_indicator where measure_id = 'single'"
    ).fetchone() == (1,)
    assert movement.execute(
        "select count(*) from reports.group_movement where measure_id = 'single'"
    ).fetchone() == (0,)


def test_the_total_comes_first_and_nothing_moved(movement):
    found = row(movement, "with_total")
    stable = words("fi")["stable"]
    assert found["summary_fi"] == f"Kaikki: {stable}; naiset: {stable}; miehet: {stable}"
    assert found["summary_en"].startswith("All: stable; women: stable")
    assert not found["any_moved"]
    assert found["stable_groups"] == "total|female|male"
    assert found["group_types"] == "gender|total"


def test_demo_statuses_keep_their_flag(movement):
    found = row(movement, "levels")
    # lower is better: 8.-9. lk 20 -> 12 % improves; lukio's demo 10 -> 18 % worsens
    assert found["summary_fi"] == "8.-9. lk: paranee (−8,0 %-yks.); lukio: heikkenee (+8,0 %-yks., demo)"
    assert found["summary_en"] == "8.-9. lk: improving (−8.0 pp); lukio: worsening (+8.0 pp, demo)"
    assert found["demo_groups"] == "lukio"
    assert found["status_rests_on_demo"] and found["is_demo"]
    assert found["improving_groups"].startswith("8.-9. lk −8.0 (")
