"""Load the scorecard's hand-kept files: thresholds, pinned baselines, response rates, catalog links.

These are small CSVs edited by the welfare coordinator (data/scorecard/, data/catalog/measure_*.csv),
so every rule fails with the file, row and column of the problem (rows count from the header = 1).
`load_scorecard_tables` returns them as the warehouse tables the SQL models read; the caller
(a Dagster asset, or the SQL tests) writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "scorecard_files"
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
ROLES = ("primary", "supporting")


@dataclass(frozen=True)
class _Spec:
    table: str
    path: str  # relative to the data folder
    columns: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    key: tuple[str, ...] = ()


SPECS = (
    _Spec(
        "catalog.min_change",
        "scorecard/min_change.csv",
        ("unit", "min_change", "kind", "rationale"),
        numeric=("min_change",),
        required=("unit", "min_change", "kind"),
        key=("unit",),
    ),
    _Spec(
        "catalog.scorecard_baselines",
        "scorecard/baselines.csv",
        (
            "measure_id",
            "group_type",
            "group_value",
            "period",
            "value",
            "sample_size",
            "abs_value",
            "is_demo",
            "origin",
            "figure_id",
            "pinned_on",
            "note",
        ),
        numeric=("value", "sample_size", "abs_value"),
        required=(
            "measure_id",
            "group_type",
            "group_value",
            "period",
            "value",
            "is_demo",
            "origin",
            "pinned_on",
        ),
        key=("measure_id", "group_type", "group_value", "period"),
    ),
    _Spec(
        "catalog.survey_response_rates",
        "scorecard/survey_response_rates.csv",
        ("source", "group_value", "year", "response_rate", "origin", "figure_id", "note"),
        numeric=("year", "response_rate"),
        required=("source", "group_value", "year", "response_rate", "origin"),
        key=("source", "group_value", "year"),
    ),
    _Spec(
        "catalog.measure_themes",
        "catalog/measure_themes.csv",
        ("measure_id", "theme_id", "role", "line_ids"),
        required=("measure_id", "theme_id", "role", "line_ids"),
        key=("measure_id", "theme_id"),
    ),
    _Spec(
        "catalog.measure_goal_links",
        "catalog/measure_goal_links.csv",
        ("measure_id", "goal_id", "role", "line_ids", "note"),
        required=("measure_id", "goal_id", "role"),
        key=("measure_id", "goal_id"),
    ),
)
TABLES = tuple(spec.table for spec in SPECS)


def _fail(
    spec: _Spec, path: Path, problem: str, row: int | None = None, column: str | None = None
) -> SourceError:
    where = "" if row is None else f"row {row}" + ("" if column is None else f", column {column}") + ": "
    return SourceError(SOURCE, where + problem, file=str(path), item=spec.table)


def _load(spec: _Spec, path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise _fail(spec, path, "the file is missing")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if tuple(frame.columns) != spec.columns:
        raise _fail(spec, path, f"expected the columns {list(spec.columns)}, got {list(frame.columns)}")
    frame = frame.apply(lambda column: column.str.strip())
    for index, record in frame.iterrows():
        row = int(index) + 2  # the header is row 1
        for column in spec.required:
            if record[column] == "":
                raise _fail(spec, path, "is empty", row, column)
        for column in spec.numeric:
            if record[column] != "" and pd.isna(pd.to_numeric(record[column], errors="coerce")):
                raise _fail(
                    spec, path, f"{record[column]!r} is not a number (use a decimal point)", row, column
                )
        if "role" in spec.columns and record["role"] not in ROLES:
            raise _fail(spec, path, f"{record['role']!r} is not one of {list(ROLES)}", row, "role")
        if "period" in spec.columns and not PERIOD.match(record["period"]):
            raise _fail(spec, path, f"{record['period']!r} is not YYYY or YYYY-MM", row, "period")
        if "is_demo" in spec.columns and record["is_demo"] not in ("true", "false"):
            raise _fail(spec, path, f"{record['is_demo']!r} is not true or false", row, "is_demo")
        if "kind" in spec.columns and record["kind"] not in ("abs", "rel"):
            raise _fail(spec, path, f"{record['kind']!r} is not abs or rel", row, "kind")
    duplicated = frame.duplicated(list(spec.key), keep="first")
    if duplicated.any():
        row = int(frame.index[duplicated][0]) + 2
        raise _fail(spec, path, f"a second row for the same {', '.join(spec.key)}", row)
    for column in spec.columns:
        if column == "year":
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
        elif column in spec.numeric:
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("float64")
        elif column == "is_demo":
            frame[column] = frame[column] == "true"
        else:  # typed text, so an empty file still gives VARCHAR columns
            frame[column] = frame[column].astype("string")
    return frame


def load_scorecard_tables(data_path: Path) -> dict[str, pd.DataFrame]:
    """Every scorecard file as `{warehouse table: frame}`; raises SourceError naming file, row, column."""
    return {spec.table: _load(spec, data_path / spec.path) for spec in SPECS}
