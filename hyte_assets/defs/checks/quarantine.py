"""The write guard every source asset calls before `write_if_changed`: nothing bad reaches the reports.

`guard` judges a batch by its table's suite (the source folder's suites.py) before anything is written:

* rows breaking a row-level rule (a percentage outside 0–100, a negative count, a future year or
  month) are moved to `quarantine.<table>` with a `reason`, when they are few (at most
  QUARANTINE_MAX_SHARE of the batch) and the rest of the batch passes;
* any failing blocking rule (schema, keys, regions, measures, or too many bad rows) raises a
  `SourceError` naming the source, the table and each broken rule, so the asset fails and its
  previous tables stay exactly as they were.

The quarantine table is returned with the data table, so both are written in one transaction.
"""

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import duckdb

from hyte_assets.defs.checks.context import Context
from hyte_assets.defs.checks.suites import QUARANTINE_MAX_SHARE, suite_for
from hyte_assets.defs.checks.validation import prepare, row_reasons, stored_form, validate_blocking
from hyte_assets.defs.resources import PipelineSettings
from hyte_assets.lib.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

REGIONS_TABLE = "raw.sotkanet_regions"


def quarantine_table(table: str) -> str:
    """raw.sotkanet_values → quarantine.sotkanet_values."""
    return "quarantine." + table.partition(".")[2]


def guard(
    con: "duckdb.DuckDBPyConnection",
    settings: PipelineSettings,
    tables: "Mapping[str, pd.DataFrame]",
    *,
    today: dt.date | None = None,
) -> "dict[str, pd.DataFrame]":
    """The tables to write: each validated table without its quarantined rows, plus its quarantine.

    Tables without a suite pass through unchanged. Raises `SourceError` when a table must not be
    written at all.
    """
    import numpy as np
    import pandas as pd

    out: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        suite = suite_for(name)
        if suite is None or (suite.optional and df.empty):  # an empty optional table has nothing to judge
            out[name] = df
            continue
        ctx = Context.load(con, settings, today=today, regions=df if name == REGIONS_TABLE else None)
        stored, types = stored_form(con, df)
        prepared = prepare(suite, stored, ctx)
        reasons = row_reasons(suite, prepared, ctx)
        bad = reasons.notna().to_numpy()
        held = bad if bad.sum() <= QUARANTINE_MAX_SHARE * len(df) else np.zeros_like(bad)
        # Judge exactly the rows that will be written, so the asset check can reuse the verdict.
        kept = prepare(suite, stored[~held].reset_index(drop=True), ctx) if held.any() else prepared
        verdict = validate_blocking(suite, ctx, kept, types)
        if not verdict.success:
            note = (
                f" ({int(bad.sum())} of {len(df)} rows break row-level rules: more than "
                f"{QUARANTINE_MAX_SHARE:.0%}, so the batch is rejected rather than quarantined)"
                if bad.any() and not held.any()
                else ""
            )
            raise SourceError(
                suite.source,
                f"{name} failed validation and was not written; its previous rows stay{note}: "
                + "; ".join(verdict.problems()),
                item=name,
            )
        out[name] = df[~held].reset_index(drop=True)
        reason = pd.array(reasons.to_numpy()[held], dtype="string")
        out[quarantine_table(name)] = df[held].reset_index(drop=True).assign(reason=reason)
    return out
