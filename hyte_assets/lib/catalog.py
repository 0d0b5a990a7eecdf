"""Load and validate the welfare plan's measure catalog (data/catalog/*.csv).

The catalog is edited by the welfare coordinator, so every rule here fails with the file,
the row and the column of the problem rather than a stack trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hyte_assets.lib.errors import SourceError

SOURCES = (
    "sotkanet",
    "kouluterveyskysely",
    "statfin",
    "employment",
    "teaviisari",
    "hyte",
    "regional_survey",
    "older_people_survey",
    "resident_survey",
    "local",
)
POLARITIES = ("higher_better", "lower_better", "target", "context")
SCHOOL_LEVELS = ("4.-5. lk", "8.-9. lk", "lukio", "ammatillinen")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# A cited Statistics Finland source_ref: `<table>:<content code>`, e.g. `tyonv/12r5:TYOTOSUUS`.
TABLE_REF = re.compile(r"^(?P<table>[a-z]+/[0-9a-z]+):(?P<code>[A-Za-z0-9_\-]+)$")

COLUMNS: dict[str, list[str]] = {
    "themes": ["theme_id", "theme_no", "title_fi", "title_en"],
    "goals": ["goal_id", "goal_no", "theme_id", "title_fi", "title_en"],
    "measures": [
        "measure_id",
        "title_fi",
        "title_en",
        "theme_id",
        "goal_ids",
        "source",
        "source_ref",
        "source_title",
        "population_group",
        "school_levels",
        "unit",
        "polarity",
        "target",
        "target_year",
        "responsible",
        "plan_line_ids",
        "notes",
    ],
    "actions": ["action_id", "goal_id", "focus_area_fi", "action_fi", "responsible"],
    "plan_figures": [
        "figure_id",
        "measure_id",
        "value",
        "unit",
        "period",
        "region_code",
        "region_level",
        "group_value",
        "source_section",
        "source_sentence",
    ],
}


@dataclass(frozen=True)
class Catalog:
    themes: pd.DataFrame
    goals: pd.DataFrame
    measures: pd.DataFrame
    actions: pd.DataFrame
    plan_figures: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The catalog as warehouse tables (`catalog.<name>`)."""
        measure_goals = (
            self.measures[["measure_id", "goal_ids"]]
            .assign(goal_id=lambda d: d["goal_ids"].str.split("|"))
            .explode("goal_id")[["measure_id", "goal_id"]]
            .reset_index(drop=True)
        )
        return {
            "catalog.themes": self.themes,
            "catalog.goals": self.goals,
            "catalog.measures": self.measures,
            "catalog.measure_goals": measure_goals,
            "catalog.actions": self.actions,
            "catalog.plan_figures": self.plan_figures,
        }

    def measures_of(self, source: str) -> pd.DataFrame:
        return self.measures[self.measures["source"] == source]


def _fail(file: Path, problem: str, row: int | None = None, column: str | None = None) -> SourceError:
    return SourceError("catalog", problem, file=str(file), row=row, column=column)


def _read(path: Path, name: str) -> pd.DataFrame:
    if not path.exists():
        raise _fail(path, f"catalog file {name}.csv is missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS[name] if c not in df.columns]
    if missing:
        raise _fail(path, f"missing columns {missing}; found {list(df.columns)}")
    df = df[COLUMNS[name]].apply(lambda s: s.str.strip())
    return df


def _row(index: int) -> int:
    """DataFrame index → 1-based line number in the CSV (header is line 1)."""
    return int(index) + 2


def _check_unique(df: pd.DataFrame, column: str, path: Path) -> None:
    dup = df[df[column].duplicated(keep=False)]
    if len(dup):
        rows = [_row(i) for i in dup.index]
        raise _fail(path, f"duplicate {column} {dup[column].iloc[0]!r} on rows {rows}", rows[0], column)


def _check_in(df: pd.DataFrame, column: str, allowed: set[str], path: Path, *, multi: bool = False) -> None:
    for index, cell in df[column].items():
        values = [v for v in cell.split("|")] if multi else [cell]
        for value in values:
            if value not in allowed:
                raise _fail(
                    path,
                    f"unknown {column} value {value!r}; allowed: {sorted(allowed)}",
                    _row(index),
                    column,
                )


def _to_number(df: pd.DataFrame, column: str, path: Path, *, integer: bool = False) -> pd.Series:
    out = pd.to_numeric(df[column].replace("", None), errors="coerce")
    bad = out.isna() & (df[column] != "")
    if bad.any():
        index = bad[bad].index[0]
        raise _fail(path, f"{df.at[index, column]!r} is not a number", _row(index), column)
    return out.astype("Int64") if integer else out.astype("Float64")


def load_catalog(catalog_dir: Path) -> Catalog:
    """Read the five catalog files and check that they hold together."""
    paths = {name: catalog_dir / f"{name}.csv" for name in COLUMNS}
    themes = _read(paths["themes"], "themes")
    goals = _read(paths["goals"], "goals")
    measures = _read(paths["measures"], "measures")
    actions = _read(paths["actions"], "actions")
    figures = _read(paths["plan_figures"], "plan_figures")

    _check_unique(themes, "theme_id", paths["themes"])
    _check_unique(goals, "goal_id", paths["goals"])
    _check_unique(measures, "measure_id", paths["measures"])
    _check_unique(actions, "action_id", paths["actions"])
    _check_unique(figures, "figure_id", paths["plan_figures"])

    for index, measure_id in measures["measure_id"].items():
        if not SLUG.match(measure_id):
            raise _fail(
                paths["measures"],
                f"measure_id {measure_id!r} is not a lowercase slug",
                _row(index),
                "measure_id",
            )

    theme_ids = set(themes["theme_id"])
    goal_ids = set(goals["goal_id"])
    _check_in(goals, "theme_id", theme_ids, paths["goals"])
    _check_in(measures, "theme_id", theme_ids, paths["measures"])
    _check_in(measures, "goal_ids", goal_ids, paths["measures"], multi=True)
    _check_in(measures, "source", set(SOURCES), paths["measures"])
    _check_in(measures, "polarity", set(POLARITIES), paths["measures"])
    _check_in(actions, "goal_id", goal_ids, paths["actions"])
    _check_in(
        figures[figures["measure_id"] != ""],
        "measure_id",
        set(measures["measure_id"]),
        paths["plan_figures"],
    )
    with_levels = measures[measures["school_levels"] != ""]
    _check_in(with_levels, "school_levels", set(SCHOOL_LEVELS), paths["measures"], multi=True)

    measures = measures.assign(
        target=_to_number(measures, "target", paths["measures"]),
        target_year=_to_number(measures, "target_year", paths["measures"], integer=True),
    )
    needs_target = measures[(measures["polarity"] == "target") & measures["target"].isna()]
    if len(needs_target):
        index = needs_target.index[0]
        raise _fail(paths["measures"], "polarity is 'target' but no target is given", _row(index), "target")

    goals_without = goal_ids - set(measures["goal_ids"].str.split("|").explode())
    if goals_without:
        raise _fail(paths["goals"], f"goals without any measure: {sorted(goals_without)}")

    return Catalog(
        themes=themes.assign(theme_no=_to_number(themes, "theme_no", paths["themes"], integer=True)),
        goals=goals.assign(goal_no=_to_number(goals, "goal_no", paths["goals"], integer=True)),
        measures=measures,
        actions=actions,
        plan_figures=figures.assign(value=_to_number(figures, "value", paths["plan_figures"])),
    )
