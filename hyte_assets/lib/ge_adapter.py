"""Thin adapter running Great Expectations 1.x suites on pandas DataFrames.

dagster-ge pins GE < 1.0, so the asset checks call `validate` instead. Suites stay plain Python data
(`Expectation`), and GE is imported inside `validate`: importing it takes seconds, which the Dagster
code server must not pay when it loads the definitions.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

if TYPE_CHECKING:
    from types import ModuleType

OFFENDING_ROWS_LIMIT = 10
VIOLATES_COLUMN = "_violates"


@dataclass(frozen=True)
class Expectation:
    """One GE expectation by its snake_case name, e.g. `expect_column_values_to_not_be_null`.

    A non-blocking expectation is a warning: it is reported but does not fail the check.
    """

    type: str
    # Not hashed, so expectations stay usable in sets and as dict keys.
    kwargs: dict[str, Any] = field(hash=False)
    description: str
    blocking: bool = True


@dataclass
class ValidationOutcome:
    """What an asset check needs: the verdict, the failures explained, and example rows."""

    suite: str
    success: bool
    warnings_passed: bool
    evaluated: int
    failed: list[dict[str, Any]]
    offending_rows: pd.DataFrame
    elapsed_s: float
    # Every expectation in suite order, each a dict like those in `failed` plus `success`.
    results: list[dict[str, Any]]

    def to_markdown(self) -> str:
        """A table of every expectation with pass/fail, for the Dagster UI."""
        blocking_failed = sum(1 for f in self.failed if f["blocking"])
        lines = [
            f"**{self.suite}**: {self.evaluated - len(self.failed)}/{self.evaluated} expectations passed"
            f"; failed: {blocking_failed} blocking, {len(self.failed) - blocking_failed} warning-only",
            "",
            "| result | expectation | column | description | details |",
            "|---|---|---|---|---|",
        ]
        for r in self.results:
            status = "✅ pass" if r["success"] else ("❌ FAIL" if r["blocking"] else "⚠️ warn")
            cells = [status, r["type"], r["column"] or "", r["description"], _details(r)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines)


def validate(df: pd.DataFrame, suite_name: str, expectations: list[Expectation]) -> ValidationOutcome:
    """Run the expectations on `df` in a fresh ephemeral GE context (see `validate_groups`)."""
    return validate_groups(df, {suite_name: expectations})[suite_name]


def validate_groups(df: pd.DataFrame, groups: dict[str, list[Expectation]]) -> dict[str, ValidationOutcome]:
    """Several suites on one frame in ONE GE run, each reported as its own outcome.

    A GE run costs ≈0.1–0.2 s however few expectations it holds (building the metric graph,
    pydantic models): a table's freshness, coverage and outlier warnings share a run instead of
    paying three. Each outcome's `elapsed_s` is its share of the run. Measured with GE 1.24.1: a
    fresh context costs ~3 ms of a run; caching one per process would accumulate data sources
    and suites, so each call gets its own.
    Raises ValueError for an unknown expectation type or invalid kwargs: that is a bug in the suite,
    not in the data.
    """
    if not groups:
        return {}
    started = time.perf_counter()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    flat = [(name, e) for name, expectations in groups.items() for e in expectations]
    gx_expectations = [_to_gx(gx, name, index, e) for index, (name, e) in enumerate(flat)]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    name = f"{next(iter(groups), 'suite')}-{uuid.uuid4().hex[:12]}"
    batch = (
        context.data_sources.add_pandas(f"{name}-source")
        .add_dataframe_asset(f"{name}-asset")
        .add_batch_definition_whole_dataframe(f"{name}-batch")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=gx_expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    run = definition.run(batch_parameters={"dataframe": df}, result_format="SUMMARY")

    # GE reorders results; the index stored in `meta` maps them back to our expectations.
    by_index = {r.expectation_config.meta["adapter_index"]: r for r in run.results}
    summaries = [_summary(e, by_index[i]) for i, (_, e) in enumerate(flat)]
    share = (time.perf_counter() - started) / max(len(groups), 1)
    outcomes = {}
    for group, expectations in groups.items():
        results = [r for (name, _), r in zip(flat, summaries, strict=True) if name == group]
        failing = [e for e, r in zip(expectations, results, strict=True) if not r["success"]]
        outcomes[group] = ValidationOutcome(
            suite=group,
            success=all(r["success"] for r in results if r["blocking"]),
            warnings_passed=all(r["success"] for r in results if not r["blocking"]),
            evaluated=len(results),
            failed=[r for r in results if not r["success"]],
            offending_rows=_offending_rows(df, failing),
            elapsed_s=share,
            results=results,
        )
    return outcomes


def _to_gx(gx: ModuleType, suite_name: str, index: int, expectation: Expectation) -> Any:
    class_name = "".join(part.capitalize() for part in expectation.type.split("_"))
    cls = getattr(gx.expectations, class_name, None)
    if cls is None:
        raise ValueError(f"suite {suite_name}: unknown expectation type {expectation.type!r}")
    try:
        return cls(**expectation.kwargs, description=expectation.description, meta={"adapter_index": index})
    except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise ValueError(
            f"suite {suite_name}: invalid {expectation.type} {expectation.kwargs}: {exc}"
        ) from exc


def _summary(expectation: Expectation, result: Any) -> dict[str, Any]:
    details = result.result or {}
    column = expectation.kwargs.get("column") or ", ".join(expectation.kwargs.get("column_list", [])) or None
    return {
        "type": expectation.type,
        "column": column,
        "description": expectation.description,
        "blocking": expectation.blocking,
        "success": bool(result.success),
        "unexpected_count": details.get("unexpected_count"),
        "unexpected_percent": details.get("unexpected_percent"),
        "partial_unexpected_list": _plain(details.get("partial_unexpected_list", [])),
        "observed_value": _plain(details.get("observed_value")),
        "error": _error_message(result.exception_info or {}),
    }


def _error_message(info: dict[str, Any]) -> str | None:
    """GE reports errors either flat or keyed by metric; the first message is enough to act on."""
    entries = [info] if "exception_message" in info else list(info.values())
    messages = [
        e.get("exception_message") for e in entries if isinstance(e, dict) and e.get("exception_message")
    ]
    return messages[0] if messages else None


def _plain(value: Any) -> Any:
    """numpy scalars, tuples and NaN to plain Python, so results serialise as JSON metadata."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def _details(result: dict[str, Any]) -> str:
    if result["error"]:
        return f"error: {result['error'].removeprefix('Error: ')}"
    if result["unexpected_count"] is not None and (result["unexpected_count"] or not result["success"]):
        percent = result["unexpected_percent"]
        text = f"{result['unexpected_count']} unexpected" + (
            f" ({percent:.1f} %)" if percent is not None else ""
        )
        examples = result["partial_unexpected_list"][:3]
        return text + (f", e.g. {examples}" if examples else "")
    if result["observed_value"] is not None:
        return f"observed {result['observed_value']}"
    return ""


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _offending_rows(df: pd.DataFrame, failed: list[Expectation]) -> pd.DataFrame:
    """Rows breaking any failed column-level expectation, labelled with what they break.

    GE's SUMMARY result lists values, not rows; the row is what the data engineer needs to find
    the source record.
    """
    import numpy as np

    found = []
    for expectation in failed:
        finder = _VIOLATIONS.get(expectation.type)
        mask = finder(df, expectation.kwargs) if finder else None
        if mask is not None:
            found.append((expectation.description, mask))
    hits = np.zeros(len(df), dtype=bool)
    for _, mask in found:
        hits |= mask
    positions = np.flatnonzero(hits)[:OFFENDING_ROWS_LIMIT]
    rows = df.iloc[positions].copy()
    rows[VIOLATES_COLUMN] = ["; ".join(d for d, mask in found if mask[p]) for p in positions]
    return rows


# Each finder returns a positional boolean mask, or None when it cannot tell (e.g. missing column).
def _nulls(df: pd.DataFrame, kwargs: dict[str, Any]) -> np.ndarray | None:
    column = kwargs.get("column")
    return df[column].isna().to_numpy(dtype=bool) if column in df.columns else None


def _outside(df: pd.DataFrame, kwargs: dict[str, Any]) -> np.ndarray | None:
    import numpy as np

    column = kwargs.get("column")
    if column not in df.columns:
        return None
    present = df[column].notna().to_numpy(dtype=bool)  # GE skips nulls here; not-null reports them
    values = df[column][present]
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    outside = np.zeros(len(values), dtype=bool)
    try:
        if low is not None:
            outside |= (values <= low if kwargs.get("strict_min") else values < low).to_numpy(dtype=bool)
        if high is not None:
            outside |= (values >= high if kwargs.get("strict_max") else values > high).to_numpy(dtype=bool)
    except TypeError:  # values not comparable with the bounds: GE reports the failure, no rows to show
        return None
    mask = np.zeros(len(df), dtype=bool)
    mask[present] = outside
    return mask


def _not_in_set(df: pd.DataFrame, kwargs: dict[str, Any]) -> np.ndarray | None:
    column = kwargs.get("column")
    if column not in df.columns:
        return None
    values = df[column]
    return (values.notna() & ~values.isin(list(kwargs.get("value_set", [])))).to_numpy(dtype=bool)


def _duplicate_keys(df: pd.DataFrame, kwargs: dict[str, Any]) -> np.ndarray | None:
    columns = list(kwargs.get("column_list") or [kwargs.get("column")])
    if not set(columns) <= set(df.columns):
        return None
    keys = df[columns]
    # Like GE, rows whose key is entirely missing are not compared.
    return (keys.notna().any(axis=1) & keys.duplicated(keep=False)).to_numpy(dtype=bool)


_VIOLATIONS: dict[str, Callable[[pd.DataFrame, dict[str, Any]], np.ndarray | None]] = {
    "expect_column_values_to_not_be_null": _nulls,
    "expect_column_values_to_be_between": _outside,
    "expect_column_values_to_be_in_set": _not_in_set,
    "expect_compound_columns_to_be_unique": _duplicate_keys,
    "expect_column_values_to_be_unique": _duplicate_keys,
}
