"""Load and validate the welfare plan's measure catalog (data/catalog/*.csv).

The catalog is edited by the welfare coordinator, so every rule here fails with the file,
the row and the column of the problem rather than a stack trace.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

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
# `fallback_region_level`: the area whose figure a scorecard row may show, labelled as that area's,
# when the municipality has no value for the measure at all (e.g. an indicator without a KUNTA level).
FALLBACK_REGION_LEVELS = ("maakunta",)
SLUG = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# A cited Statistics Finland source_ref: `<table>:<content code>`, e.g. `tyonv/12r5:TYOTOSUUS`.
TABLE_REF = re.compile(r"^(?P<table>[a-z]+/[0-9a-z]+):(?P<code>[A-Za-z0-9_\-]+)$")
# School-survey indicators have one Sotkanet id per school level, kept in this file beside
# measures.csv (measures.csv holds one id per measure, for its population group).
SCHOOL_LEVEL_IDS = "sotkanet_school_level_ids.csv"
SCHOOL_LEVEL_COLUMNS = ["measure_id", "school_level", "indicator_id", "source_title", "grade", "evidence"]
PIN_GRADES = ("exact", "exact_title_series_caveat")
PIN_COLUMNS = ["measure_id", "source", "group", "indicator_id", "expected_title"]

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
        "fallback_region_level",
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
    school_level_ids: pd.DataFrame | None = None

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

    def sotkanet_pins(self) -> pd.DataFrame:
        """One row per pinned Sotkanet id: measure, group (school level or population group),
        indicator id and the expected (2015) title the ingest asserts."""
        return sotkanet_pins(self.measures, self.school_level_ids)

    def pin_counts(self) -> dict[str, dict[str, int]]:
        """Per source: measures with a cited id (`pinned`) and without one (`no_id`)."""
        return pin_counts(self.measures, self.school_level_ids)


def sotkanet_pins(measures: pd.DataFrame, school_level_ids: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pinned Sotkanet id as (measure, source, group, indicator id, expected title).

    Single ids come from measures.csv (`source_ref` digits, group = `population_group`),
    per-school-level ids from sotkanet_school_level_ids.csv.
    """
    import pandas as pd

    single = measures[measures["source_ref"].str.fullmatch(r"\d+")]
    rows = [
        [m.measure_id, m.source, m.population_group or "total", int(m.source_ref), m.source_title]
        for m in single.itertuples()
    ]
    if school_level_ids is not None and len(school_level_ids):
        source = measures.set_index("measure_id")["source"]
        rows += [
            [r.measure_id, source[r.measure_id], r.school_level, int(r.indicator_id), r.source_title]
            for r in school_level_ids.itertuples()
        ]
    return pd.DataFrame(rows, columns=PIN_COLUMNS).astype({"indicator_id": "int64"})


def pin_counts(
    measures: pd.DataFrame, school_level_ids: pd.DataFrame | None = None
) -> dict[str, dict[str, int]]:
    """Per source: how many measures carry a cited source id and how many have none."""
    per_level = set(school_level_ids["measure_id"]) if school_level_ids is not None else set()
    has_ref = (measures["source_ref"] != "") | measures["measure_id"].isin(per_level)
    out: dict[str, dict[str, int]] = {}
    for source, pinned in has_ref.groupby(measures["source"]):
        out[str(source)] = {"pinned": int(pinned.sum()), "no_id": int((~pinned).sum())}
    return dict(sorted(out.items()))


def load_school_level_ids(path: Path, measures: pd.DataFrame) -> pd.DataFrame:
    """Read and check sotkanet_school_level_ids.csv (absent file = no per-level pins)."""
    import pandas as pd

    if not path.exists():
        return pd.DataFrame(columns=SCHOOL_LEVEL_COLUMNS)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in SCHOOL_LEVEL_COLUMNS if c not in df.columns]
    if missing:
        raise _fail(path, f"missing columns {missing}; found {list(df.columns)}")
    df = df[SCHOOL_LEVEL_COLUMNS].apply(lambda s: s.str.strip())
    levels = dict(zip(measures["measure_id"], measures["school_levels"], strict=True))
    for index, r in df.iterrows():
        if r["measure_id"] not in levels:
            raise _fail(path, f"unknown measure_id {r['measure_id']!r}", _row(index), "measure_id")
        if r["school_level"] not in levels[r["measure_id"]].split("|"):
            raise _fail(
                path,
                f"{r['school_level']!r} is not one of {r['measure_id']}'s school_levels",
                _row(index),
                "school_level",
            )
        if not r["indicator_id"].isdigit():
            raise _fail(path, f"{r['indicator_id']!r} is not a Sotkanet id", _row(index), "indicator_id")
        if r["grade"] not in PIN_GRADES or not r["source_title"] or not r["evidence"]:
            raise _fail(
                path, "a pin needs grade exact/exact_title_series_caveat, a title and evidence", _row(index)
            )
    _check_unique(df, "indicator_id", path)
    return df


def _fail(file: Path, problem: str, row: int | None = None, column: str | None = None) -> SourceError:
    return SourceError("catalog", problem, file=str(file), row=row, column=column)


def _read(path: Path, name: str) -> pd.DataFrame:
    import pandas as pd

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
    import pandas as pd

    out = pd.to_numeric(df[column].replace("", None), errors="coerce")
    bad = out.isna() & (df[column] != "")
    if bad.any():
        index = bad[bad].index[0]
        raise _fail(path, f"{df.at[index, column]!r} is not a number", _row(index), column)
    return out.astype("Int64") if integer else out.astype("Float64")


_LOADED: dict[tuple[Path, str], Catalog] = {}


def load_catalog(catalog_dir: Path) -> Catalog:
    """The catalog of `catalog_dir`, read and checked once per version of its files: every source
    and every check of a run reads it (issue 19). The frames are shared: callers never change
    them in place."""
    # Keyed by content, not modification time: a file rewritten within the clock's tick (a few
    # milliseconds) must not be served from the cache. Hashing ~100 kB is ~1 ms; parsing is ~100 ms.
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(catalog_dir).rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(catalog_dir)}\0".encode() + path.read_bytes() + b"\0")
    key = (Path(catalog_dir).resolve(), digest.hexdigest())
    if key not in _LOADED:
        _LOADED.clear()  # only the current version is worth keeping
        _LOADED[key] = read_catalog(Path(catalog_dir))
    return _LOADED[key]


def read_catalog(catalog_dir: Path) -> Catalog:
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
    _check_in(measures, "fallback_region_level", {"", *FALLBACK_REGION_LEVELS}, paths["measures"])

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

    school_level_ids = load_school_level_ids(catalog_dir / SCHOOL_LEVEL_IDS, measures)
    return Catalog(
        themes=themes.assign(theme_no=_to_number(themes, "theme_no", paths["themes"], integer=True)),
        goals=goals.assign(goal_no=_to_number(goals, "goal_no", paths["goals"], integer=True)),
        measures=measures,
        actions=actions,
        plan_figures=figures.assign(value=_to_number(figures, "value", paths["plan_figures"])),
        school_level_ids=school_level_ids,
    )
