"""Turn a `TableSuite` into Great Expectations runs, on a batch about to be written or a stored table.

Both the write guard (quarantine.py) and the asset checks (ge_checks.py) call this module, so a
batch is judged by the same rules before and after it reaches the warehouse. Frames are always in
their stored form (read back through DuckDB), so the types checked are the warehouse's types.
GE itself is imported inside `ge_adapter.validate`, only when a check or a write runs.
"""

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import duckdb

from hyte_assets.defs.checks.context import Context
from hyte_assets.defs.checks.suites import (
    BOUNDED_0_100,
    COVERAGE_MIN_SHARE,
    EMPLOYMENT_UNITS,
    NON_NEGATIVE,
    OUTLIER_MADS,
    OUTLIER_MIN_CHANGE,
    OUTLIER_MIN_CHANGES,
    TableSuite,
)
from hyte_assets.lib.ge_adapter import VIOLATES_COLUMN, Expectation, ValidationOutcome, validate
from hyte_assets.lib.warehouse import array_columns, fingerprint_of, frame_fingerprint, qualified, read_table

if TYPE_CHECKING:
    import pandas as pd

TIME_COLUMNS = ("year", "period", "collection_year")
MISSING = "(missing)"
OFFENDING_ROWS = 10


def stored_form(
    con: "duckdb.DuckDBPyConnection", df: "pd.DataFrame"
) -> "tuple[pd.DataFrame, dict[str, str]]":
    """A batch as the warehouse will store it (`replace_tables` writes `select *` of the frame).

    Uses its own cursor: DuckDB refuses to register a frame on a connection with a pending result.
    """
    with con.cursor() as cursor:
        cursor.register("_candidate", df)
        types = dict(cursor.execute("select column_name, column_type from (describe _candidate)").fetchall())
        return cursor.execute("select * from _candidate").df(), types


def read_stored(con: "duckdb.DuckDBPyConnection", table: str) -> "tuple[pd.DataFrame, dict[str, str]]":
    types = dict(
        con.execute(f"select column_name, column_type from (describe {qualified(table)})").fetchall()
    )
    return read_table(con, table), types


def prepare(suite: TableSuite, df: "pd.DataFrame", ctx: Context) -> "pd.DataFrame":
    """The table plus the derived columns the expectations read (each only when its inputs exist)."""
    import pandas as pd

    out = df.copy()
    if suite.series_id and set(suite.series_id) <= set(out.columns):
        out["series_id"] = out[list(suite.series_id)].bfill(axis=1).iloc[:, 0]
    if set(suite.region_columns) <= set(out.columns):
        if suite.region_columns == ("municipality_code",):
            out["region"] = "kunta:" + out["municipality_code"].astype("string")
        else:
            out["region"] = out["region_level"].astype("string") + ":" + out["region_code"].astype("string")
    if suite.unit and suite.value in out.columns:
        out["unit"] = _units(suite, out, ctx)
        value = pd.to_numeric(out[suite.value], errors="coerce")
        out["value_0_100"] = value.where(out["unit"].isin(BOUNDED_0_100))
        out["value_non_negative"] = value.where(out["unit"].isin(NON_NEGATIVE))
    if suite.monthly and "period" in out.columns:
        out["period_yyyymm"] = pd.to_numeric(
            out["period"].astype("string").str.replace("-", "", regex=False), errors="coerce"
        )
    if suite.coverage and suite.coverage.column in out.columns and _time_column(suite) in out.columns:
        items = suite.coverage.values(ctx)
        recent = out[_time_column(suite)] >= suite.calendar.expected(ctx.today) if suite.calendar else True
        out["coverage_item"] = out[suite.coverage.column].where(
            recent & out[suite.coverage.column].isin(items)
        )
    if suite.outliers:
        out = _with_changes(suite, out)
    return out


def _units(suite: TableSuite, df: "pd.DataFrame", ctx: Context) -> "pd.Series":
    import pandas as pd

    if suite.unit != "catalog":
        return pd.Series(suite.unit, index=df.index, dtype="string")
    units = df["measure_id"].map(dict(zip(ctx.measures["measure_id"], ctx.measures["unit"], strict=True)))
    if "content_code" in df.columns:
        units = units.fillna(df["content_code"].map(EMPLOYMENT_UNITS))
    return units.astype("string")


def _time_column(suite: TableSuite) -> str:
    """The column compared with the calendar: a year, or yyyymm for monthly tables."""
    return "period_yyyymm" if suite.monthly else (suite.time or "")


def _with_changes(suite: TableSuite, df: "pd.DataFrame") -> "pd.DataFrame":
    """Year-on-year change of each series, and whether it is far outside the series' own changes.

    A series is the key without its time column; monthly figures are compared with the same month
    of the previous year. Flagged: |change − median change| > OUTLIER_MADS × MAD of the changes,
    |change| > OUTLIER_MIN_CHANGE of the series' median level (and > 1.0), and the series has at
    least OUTLIER_MIN_CHANGES changes to judge by.
    """
    import numpy as np
    import pandas as pd

    series = [c for c in suite.key if c not in TIME_COLUMNS]
    order = "period" if "period" in df.columns and suite.time in ("year", "period") else suite.time
    out = df.assign(yoy_change=np.nan, yoy_median=np.nan, yoy_mad=np.nan, yoy_outlier=False)
    if not suite.value or not {*series, order, suite.value} <= set(df.columns):
        return out
    data = df.loc[df[suite.value].notna(), [*series, order]].copy()
    data["_value"] = pd.to_numeric(df[suite.value], errors="coerce").astype(float)
    groups = list(series)
    if order == "period":  # a monthly period is compared with the same month a year earlier
        data["_month"] = data["period"].astype("string").str[5:7].fillna("")
        groups.append("_month")
    data = data.sort_values([*groups, order])
    # The text keys are factorised once; every grouping below is by the integer series number.
    series_no = data.groupby(groups, dropna=False, sort=False).ngroup()
    change = data["_value"].groupby(series_no).diff()
    by_series = change.groupby(series_no)
    median = by_series.transform("median")
    mad = (change - median).abs().groupby(series_no).transform("median")
    level = data["_value"].abs().groupby(series_no).transform("median")
    outlier = (
        (by_series.transform("count") >= OUTLIER_MIN_CHANGES)
        & ((change - median).abs() > OUTLIER_MADS * mad)
        & (change.abs() > np.maximum(1.0, OUTLIER_MIN_CHANGE * level))
    )
    out.loc[data.index, "yoy_change"] = change.round(3)
    out.loc[data.index, "yoy_median"] = median.round(3)
    out.loc[data.index, "yoy_mad"] = mad.round(3)
    out.loc[data.index, "yoy_outlier"] = outlier.fillna(False).astype(bool)
    return out


def row_reasons(suite: TableSuite, df: "pd.DataFrame", ctx: Context) -> "pd.Series":
    """Why each row breaks a row-level rule (None when it breaks none): these rows may be quarantined."""
    import numpy as np
    import pandas as pd

    reasons = pd.Series(None, index=df.index, dtype="object")

    def add(mask: "pd.Series", text: "pd.Series | str") -> None:
        mask = mask.fillna(False).astype(bool)
        current = reasons[mask]
        new = text[mask] if isinstance(text, pd.Series) else pd.Series(text, index=current.index)
        reasons[mask] = np.where(current.isna(), new, current.astype(str) + "; " + new.astype(str))

    if "value_0_100" in df.columns:
        v = df["value_0_100"]
        add((v < 0) | (v > 100), df["unit"].astype(str) + " value " + v.astype(str) + " outside 0–100")
    if "value_non_negative" in df.columns:
        v = df["value_non_negative"]
        add(v < 0, df["unit"].astype(str) + " value " + v.astype(str) + " is negative")
    if suite.time in df.columns and suite.time != "period":
        year = pd.to_numeric(df[suite.time], errors="coerce")
        add(year > ctx.today.year, f"{suite.time} is in the future (after {ctx.today.year})")
    if "period_yyyymm" in df.columns:
        add(df["period_yyyymm"] > _yyyymm(ctx.today), f"period is in the future (after {ctx.today:%Y-%m})")
    return reasons


def _yyyymm(day: dt.date) -> int:
    return day.year * 100 + day.month


def schema_frame(suite: TableSuite, types: dict[str, str]) -> "pd.DataFrame":
    """One row per required column with its DuckDB type, or MISSING when the table lacks it."""
    import pandas as pd

    return pd.DataFrame(
        {"column": list(suite.columns), "type": [types.get(c, MISSING) for c in suite.columns]}
    )


def schema_expectations(suite: TableSuite) -> list[Expectation]:
    """Required columns and their DuckDB types, as (column, type) pairs that must be allowed ones."""
    pairs = [(column, kind) for column, kinds in suite.columns.items() for kind in kinds]
    return [
        Expectation(
            "expect_column_pair_values_to_be_in_set",
            {"column_A": "column", "column_B": "type", "value_pairs_set": pairs},
            f"the {len(suite.columns)} required columns exist with their types ("
            + ", ".join(f"{c} {'|'.join(k)}" for c, k in suite.columns.items())
            + ")",
        )
    ]


def blocking_expectations(suite: TableSuite, ctx: Context) -> list[Expectation]:
    """Rules whose failure stops the write (and, after it, the downstream assets).

    A table may be empty only when nothing is required of it, e.g. the school health survey in
    live mode while no Sotkanet id is cited for it; then its rows and regions are not demanded.
    """
    required = [(items, sorted(items.values(ctx))) for items in suite.required]
    expects_rows = not required or any(values for _, values in required)
    found = []
    if expects_rows:
        found.append(
            Expectation("expect_table_row_count_to_be_between", {"min_value": 1}, "the table has rows")
        )
    for column in suite.key:
        if column not in suite.nullable_key:
            found.append(
                Expectation("expect_column_values_to_not_be_null", {"column": column}, f"key {column} is set")
            )
    unique = (
        ("expect_column_values_to_be_unique", {"column": suite.key[0]})
        if len(suite.key) == 1
        else ("expect_compound_columns_to_be_unique", {"column_list": list(suite.key)})
    )
    found.append(Expectation(*unique, f"one row per key ({', '.join(suite.key)})"))
    for column, allowed in suite.in_sets.items():
        found.append(
            Expectation(
                "expect_column_values_to_be_in_set",
                {"column": column, "value_set": list(allowed)},
                f"{column} is one of {', '.join(map(str, allowed))}",
            )
        )
    if suite.unit:
        found.append(
            Expectation(
                "expect_column_values_to_be_between",
                {"column": "value_0_100", "min_value": 0, "max_value": 100},
                f"percentages and scores are within 0–100 (units {', '.join(BOUNDED_0_100)})",
            )
        )
        found.append(
            Expectation(
                "expect_column_values_to_be_between",
                {"column": "value_non_negative", "min_value": 0},
                f"counts and rates are not negative (units {', '.join(NON_NEGATIVE)})",
            )
        )
    if suite.monthly:
        found.append(
            Expectation(
                "expect_column_values_to_match_regex",
                {"column": "period", "regex": r"^\d{4}-(?:0[1-9]|1[0-2])$"},
                "period is a month YYYY-MM",
            )
        )
        found.append(
            Expectation(
                "expect_column_values_to_be_between",
                {"column": "period_yyyymm", "max_value": _yyyymm(ctx.today)},
                f"no month in the future (after {ctx.today:%Y-%m})",
            )
        )
    elif suite.time:
        found.append(
            Expectation(
                "expect_column_values_to_be_between",
                {"column": suite.time, "max_value": ctx.today.year},
                f"no {suite.time} in the future (after {ctx.today.year})",
            )
        )
    if suite.regions:
        comparison = ctx.comparison()
        regions = [comparison[level] for level in suite.regions.required]
        if regions and expects_rows:
            found.append(
                Expectation(
                    "expect_column_distinct_values_to_contain_set",
                    {"column": "region", "value_set": regions},
                    f"every expected region has rows: {', '.join(regions)}",
                )
            )
        if suite.regions.allowed is not None:
            allowed = [comparison[level] for level in suite.regions.allowed]
            found.append(
                Expectation(
                    "expect_column_values_to_be_in_set",
                    {"column": "region", "value_set": allowed},
                    f"rows are only for the regions {', '.join(allowed)}",
                )
            )
    for items, values in required:
        if values:
            found.append(
                Expectation(
                    "expect_column_distinct_values_to_contain_set",
                    {"column": items.column, "value_set": values},
                    f"every one of the {len(values)} {items.description} has rows",
                )
            )
    return [*found, *suite.extra]


def warning_expectations(suite: TableSuite, ctx: Context) -> dict[str, list[Expectation]]:
    """Rules that flag the table for a person without stopping anything, by check name."""
    found: dict[str, list[Expectation]] = {}
    if suite.calendar:
        expected = suite.calendar.expected(ctx.today)
        found["ge_freshness"] = [
            Expectation(
                "expect_column_max_to_be_between",
                {"column": _time_column(suite), "min_value": expected},
                f"{suite.calendar.description} (expected ≥ {expected})",
                blocking=False,
            )
        ]
    if suite.coverage:
        items = suite.coverage.values(ctx)
        since = suite.calendar.expected(ctx.today) if suite.calendar else None
        needed = math.ceil(COVERAGE_MIN_SHARE * len(items))
        found["ge_coverage"] = [
            Expectation(
                "expect_column_unique_value_count_to_be_between",
                {"column": "coverage_item", "min_value": needed},
                f"at least {COVERAGE_MIN_SHARE:.0%} ({needed}/{len(items)}) of the "
                f"{suite.coverage.description} have data for {since} or later",
                blocking=False,
            )
        ]
    if suite.outliers:
        found["ge_outliers"] = [
            Expectation(
                "expect_column_values_to_be_in_set",
                {"column": "yoy_outlier", "value_set": [False]},
                f"no year-on-year change further than {OUTLIER_MADS:g} MADs from the series' median change "
                f"(and larger than {OUTLIER_MIN_CHANGE:.0%} of its level)",
                blocking=False,
            )
        ]
    return found


@dataclass
class Verdict:
    """One table's blocking validation: the schema and the rows, with what is missing named."""

    table: str
    outcomes: list[ValidationOutcome]
    missing: dict[str, list[str]] = field(default_factory=dict)
    reused: bool = False  # the same rows were judged by the same rules earlier in this process

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [f for o in self.outcomes for f in o.failed if f["blocking"]]

    def problems(self) -> list[str]:
        """Each failed rule as one readable line: what it demands and what was found."""
        lines = []
        for failure in self.failed:
            detail = explain(failure)
            missing = self.missing.get(failure["description"])
            if missing:
                detail = f"missing {', '.join(missing)}"
            lines.append(f"{failure['description']}" + (f": {detail}" if detail else ""))
        return lines


def explain(failure: dict[str, Any]) -> str:
    if failure["error"]:
        return failure["error"].removeprefix("Error: ").split("\n")[0]
    if failure["unexpected_count"]:
        examples = failure["partial_unexpected_list"][:3]
        return f"{failure['unexpected_count']} unexpected" + (f", e.g. {examples}" if examples else "")
    if failure["observed_value"] is not None:
        return f"observed {failure['observed_value']}"
    return ""


# The latest verdict per table, keyed by everything it depends on (the frame's content, its
# column types and the expectations, which embed the context). The write guard and the asset check
# run in one process and judge the same rows by the same rules; the check then reuses the verdict
# instead of paying for GE twice. Any difference in data or rules is a different key.
_VERDICTS: dict[str, tuple[str, Verdict]] = {}


def _hashable(df: "pd.DataFrame") -> "pd.DataFrame":
    """List cells (DuckDB arrays, e.g. region memberships) as text, so the frame can be hashed."""
    arrays = array_columns(df)
    return df.assign(**{c: df[c].map(lambda v: repr(list(v)) if _is_array(v) else repr(v)) for c in arrays})


def _is_array(value: object) -> bool:
    import numpy as np

    return isinstance(value, list | np.ndarray)


def validate_blocking(suite: TableSuite, ctx: Context, df: "pd.DataFrame", types: dict[str, str]) -> Verdict:
    """Run the schema and row rules; contain-set rules also get the missing values named."""
    schema_rules, rules = schema_expectations(suite), blocking_expectations(suite, ctx)
    key = fingerprint_of(
        {
            "frame": frame_fingerprint(_hashable(df)),
            "types": repr(types),
            "rules": repr(schema_rules + rules),
        }
    )
    cached = _VERDICTS.get(suite.table)
    if cached and cached[0] == key:
        return replace(cached[1], reused=True)
    verdict = Verdict(
        suite.table,
        [
            validate(schema_frame(suite, types), f"{suite.table} schema", schema_rules),
            validate(df, f"{suite.table} rows", rules),
        ],
    )
    for rule in rules:
        if rule.type == "expect_column_distinct_values_to_contain_set" and rule.kwargs["column"] in df:
            present = set(df[rule.kwargs["column"]].dropna())
            absent = [v for v in rule.kwargs["value_set"] if v not in present]
            if absent:
                verdict.missing[rule.description] = absent
    _VERDICTS[suite.table] = (key, verdict)
    return verdict


def offending_markdown(suite: TableSuite, rows: "pd.DataFrame") -> str:
    """Up to OFFENDING_ROWS rows, only the columns that identify them and show the problem."""
    if rows.empty:
        return "none"
    wanted = [
        *suite.key,
        suite.value,
        "unit",
        "yoy_change",
        "yoy_median",
        "yoy_mad",
        "reason",
        VIOLATES_COLUMN,
    ]
    columns = [c for c in dict.fromkeys(wanted) if c and c in rows.columns]
    return rows[columns].head(OFFENDING_ROWS).to_markdown(index=False)
