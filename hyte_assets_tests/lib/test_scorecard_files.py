"""The scorecard's hand-kept files: bad cells fail naming file, row and column; the shipped files agree
with the catalog, the plan's figures and the plan's measure lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.scorecard_files import SPECS, load_scorecard_tables

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for spec in SPECS:
        target = tmp_path / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / spec.path, target)
    return tmp_path


def replace_line(path: Path, line_no: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_no - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "line", "problem"),
    [
        (
            "catalog/measure_goal_links.csv",
            "tyottomyysaste,g4,main,L41,",
            r"measure_goal_links.csv.*row 2, column role: 'main' is not one of",
        ),
        (
            "scorecard/baselines.csv",
            'lasten_pienituloisuusaste,total,total,2024,"19,9",,,false,plan,f02,2026-05-04,x',
            r"baselines.csv.*row 2, column value: '19,9' is not a number",
        ),
        (
            "scorecard/baselines.csv",
            "lasten_pienituloisuusaste,total,total,2024/12,19.9,,,false,plan,f02,2026-05-04,x",
            r"row 2, column period: '2024/12' is not YYYY or YYYY-MM",
        ),
        (
            "scorecard/survey_response_rates.csv",
            "kouluterveyskysely,ammatillinen,2025,,plan,f06,x",
            r"survey_response_rates.csv.*row 2, column response_rate: is empty",
        ),
    ],
)
def test_a_bad_cell_names_file_row_and_column(data_copy: Path, file: str, line: str, problem: str) -> None:
    replace_line(data_copy / file, 2, line)
    with pytest.raises(SourceError, match=problem):
        load_scorecard_tables(data_copy)


def test_a_duplicate_key_and_a_missing_file(data_copy: Path) -> None:
    themes = data_copy / "catalog" / "measure_themes.csv"
    lines = themes.read_text(encoding="utf-8").splitlines()
    themes.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"row \d+: a second row for the same measure_id, theme_id"):
        load_scorecard_tables(data_copy)
    themes.unlink()
    with pytest.raises(SourceError, match="measure_themes.csv.*the file is missing"):
        load_scorecard_tables(data_copy)


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    return load_scorecard_tables(DATA)


def catalog(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "catalog" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_links_name_known_measures_goals_and_themes(shipped: dict[str, pd.DataFrame]) -> None:
    measures = catalog("measures")
    goal_links = shipped["catalog.measure_goal_links"]
    assert set(goal_links["measure_id"]) <= set(measures["measure_id"])
    assert set(goal_links["goal_id"]) <= set(catalog("goals")["goal_id"])
    assert set(shipped["catalog.measure_themes"]["theme_id"]) <= set(catalog("themes")["theme_id"])
    # the links are the catalog's goal_ids, one row each, with a role
    expected = {
        (m, g)
        for m, gs in zip(measures["measure_id"], measures["goal_ids"], strict=True)
        for g in gs.split("|")
    }
    assert set(zip(goal_links["measure_id"], goal_links["goal_id"], strict=True)) == expected
    # every measure is a primary member of at least one theme: no measure is left out of the counts
    primary = shipped["catalog.measure_themes"].query("role == 'primary'")
    assert set(primary["measure_id"]) == set(measures["measure_id"])


def test_supporting_links_are_exactly_the_l60_cross_reference(shipped: dict[str, pd.DataFrame]) -> None:
    for table in ("catalog.measure_themes", "catalog.measure_goal_links"):
        links = shipped[table]
        assert (links.loc[links["role"] == "supporting", "line_ids"] == "L60").all(), table
        assert not (links.loc[links["role"] == "primary", "line_ids"] == "L60").any(), table
    goal_links = shipped["catalog.measure_goal_links"]
    assert set(goal_links.loc[goal_links["role"] == "supporting", "goal_id"]) == {"g5"}


def test_pinned_baselines_are_the_plans_own_figures(shipped: dict[str, pd.DataFrame]) -> None:
    figures = catalog("plan_figures").set_index("figure_id")
    baselines = shipped["catalog.scorecard_baselines"]
    assert not baselines["is_demo"].any()
    for row in baselines.itertuples():
        assert row.origin == "plan"
        figure = figures.loc[row.figure_id]
        assert (figure["measure_id"], figure["period"], figure["group_value"]) == (
            row.measure_id,
            row.period,
            row.group_value,
        )
        assert float(figure["value"]) == row.value
    rates = shipped["catalog.survey_response_rates"]
    assert rates.to_dict("records")[0] | {"note": None} == {
        "source": "kouluterveyskysely",
        "group_value": "ammatillinen",
        "year": 2025,
        "response_rate": float(figures.loc["f06", "value"]),
        "origin": "plan",
        "figure_id": "f06",
        "note": None,
    }
