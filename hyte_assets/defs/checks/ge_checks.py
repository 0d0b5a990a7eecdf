"""Great Expectations asset checks for every source asset, built from the suites that each source
folder keeps in `defs/sources/<source>/suites.py`.

Each source asset gets one multi-asset check (one step: the table is read once) that reports:

* `ge_valid` (blocking, ERROR): columns and types, keys, value ranges, regions and measures. It
  re-judges the stored table by the rules the write guard applied; when it fails, downstream
  assets do not run.
* `ge_quarantine` (WARN): rows the last write held back in `quarantine.<table>`.
* `ge_freshness`, `ge_coverage`, `ge_outliers` (WARN): the latest period against the source's
  publication calendar, the share of expected measures with recent data, and year-on-year jumps
  far outside a series' own history. They flag the table for a person and stop nothing.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg
import duckdb

from hyte_assets.defs.checks.context import Context
from hyte_assets.defs.checks.quarantine import quarantine_table
from hyte_assets.defs.checks.suites import TableSuite
from hyte_assets.defs.checks.validation import (
    Verdict,
    explain,
    offending_markdown,
    prepare,
    read_stored,
    validate_blocking,
    warning_expectations,
)
from hyte_assets.defs.checks.verdicts import code_version, with_reuse
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.ge_adapter import ValidationOutcome, validate_groups
from hyte_assets.lib.warehouse import file_stamp, read_table, table_exists

if TYPE_CHECKING:
    import pandas as pd

# The rules live in these modules (and this one); changing any of them re-runs every check.
CODE = code_version(__file__, quarantine_table, TableSuite, prepare, ValidationOutcome)
VALID = "ge_valid"
QUARANTINE = "ge_quarantine"
WARNINGS = ("ge_freshness", "ge_coverage", "ge_outliers")
DESCRIPTIONS = {
    VALID: "Blocking: required columns and types, non-null unique keys, percentages within 0–100, "
    "counts not negative, no future periods, every expected region and measure present "
    "(the source's defs/sources/<source>/suites.py). Downstream assets do not run when it fails.",
    QUARANTINE: "Warning: rows the last write moved to quarantine.<table> (a row-level rule failed).",
    "ge_freshness": "Warning: the latest period is as recent as the source's publication calendar says.",
    "ge_coverage": "Warning: most expected measures have data for the period the calendar says is out.",
    "ge_outliers": "Warning: no year-on-year change far outside the series' own history.",
}


@dataclass
class TableReport:
    """Everything the checks say about one table."""

    suite: TableSuite
    rows: int = 0
    verdict: Verdict | None = None
    quarantined: "pd.DataFrame | None" = None
    warnings: dict[str, ValidationOutcome] = field(default_factory=dict)
    missing_items: list[str] = field(default_factory=list)

    @classmethod
    def run(
        cls, con: "duckdb.DuckDBPyConnection", settings: PipelineSettings, suite: TableSuite
    ) -> "TableReport":
        """Judge the stored table (no verdict when the table was never written, or when an optional
        table is empty: nothing of that kind delivered yet)."""
        if not table_exists(con, suite.table):
            return cls(suite)
        if suite.optional and not con.execute(f"select count(*) from {suite.table}").fetchone()[0]:
            return cls(suite)
        ctx = Context.load(con, settings)
        stored, types = read_stored(con, suite.table)
        prepared = prepare(suite, stored, ctx)
        held = quarantine_table(suite.table)
        report = cls(
            suite,
            rows=len(stored),
            verdict=validate_blocking(suite, ctx, prepared, types),
            quarantined=read_table(con, held) if table_exists(con, held) else None,
            # The warning rules share one GE run (ge_adapter.validate_groups).
            warnings={
                name.removeprefix(f"{suite.table} "): outcome
                for name, outcome in validate_groups(
                    prepared,
                    {f"{suite.table} {n}": rules for n, rules in warning_expectations(suite, ctx).items()},
                ).items()
            },
        )
        if suite.coverage and "coverage_item" in prepared:
            report.missing_items = sorted(
                suite.coverage.values(ctx) - set(prepared["coverage_item"].dropna())
            )
        return report


def valid_result(asset: dg.AssetKey, reports: Sequence[TableReport]) -> dg.AssetCheckResult:
    """The blocking verdict over the asset's tables; a table a source must write may not be absent."""
    problems, markdown, offending, missing = [], [], [], {}
    for report in reports:
        table = report.suite.table
        if report.verdict is None:
            if not report.suite.optional:
                problems.append(f"{table}: the table does not exist")
            markdown.append(
                f"**{table}**: "
                + ("no rows (no delivery of this kind)" if report.suite.optional else "not written")
            )
            continue
        problems += [f"{table}: {p}" for p in report.verdict.problems()]
        markdown += [o.to_markdown() for o in report.verdict.outcomes]
        rows = report.verdict.outcomes[-1].offending_rows
        if len(rows):
            offending.append(f"**{table}**\n\n" + offending_markdown(report.suite, rows))
        missing.update({f"{table}: {rule}": values for rule, values in report.verdict.missing.items()})
    verdicts = [r.verdict for r in reports if r.verdict]
    # Alike in shape to quarantine_result's: each is one dg.AssetCheckResult with its own name,
    # severity and metadata; a helper would only rename the constructor.
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=VALID,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "failed_expectations": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
            "expectations": dg.MetadataValue.md("\n\n".join(markdown)),
            "rows": sum(r.rows for r in reports),
            "evaluated": sum(o.evaluated for v in verdicts for o in v.outcomes),
            "failed": len(problems),
            "offending_rows": dg.MetadataValue.md("\n\n".join(offending) or "none"),
            "missing": dg.MetadataValue.json(missing),
            "ge_ms": round(1000 * sum(o.elapsed_s for v in verdicts for o in v.outcomes), 1),
            "verdict_reused_from_write": all(v.reused for v in verdicts) if verdicts else False,
        },
    )


def quarantine_result(asset: dg.AssetKey, reports: Sequence[TableReport]) -> dg.AssetCheckResult:
    """Rows held back by the last write, with their reasons, so a person can fix the source."""
    held = [(r.suite, r.quarantined) for r in reports if r.quarantined is not None and len(r.quarantined)]
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=QUARANTINE,
        passed=not held,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined_rows": sum(len(rows) for _, rows in held),
            "tables": [quarantine_table(suite.table) for suite, _ in held],
            "offending_rows": dg.MetadataValue.md(
                "\n\n".join(
                    f"**{quarantine_table(s.table)}**\n\n" + offending_markdown(s, rows) for s, rows in held
                )
                or "none"
            ),
        },
    )


def warning_result(asset: dg.AssetKey, name: str, reports: Sequence[TableReport]) -> dg.AssetCheckResult:
    """One warning rule (freshness, coverage or outliers) over the asset's tables."""
    outcomes = [(r, r.warnings[name]) for r in reports if name in r.warnings]
    failed = [f"{r.suite.table}: {f['description']}: {explain(f)}" for r, o in outcomes for f in o.failed]
    offending = [
        f"**{r.suite.table}**\n\n" + offending_markdown(r.suite, o.offending_rows)
        for r, o in outcomes
        if len(o.offending_rows)
    ]
    metadata: dict[str, object] = {
        "failed_expectations": dg.MetadataValue.md("\n".join(f"- {f}" for f in failed) or "none"),
        "expectations": dg.MetadataValue.md("\n\n".join(o.to_markdown() for _, o in outcomes) or "no table"),
        "offending_rows": dg.MetadataValue.md("\n\n".join(offending) or "none"),
        "ge_ms": round(1000 * sum(o.elapsed_s for _, o in outcomes), 1),
    }
    if name == "ge_outliers":
        metadata["outliers"] = sum(f["unexpected_count"] or 0 for _, o in outcomes for f in o.failed)
    if name == "ge_coverage":
        metadata["measures_without_recent_data"] = dg.MetadataValue.json(
            {r.suite.table: r.missing_items for r, _ in outcomes}
        )
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def needs_region_table(suites: Sequence[TableSuite]) -> bool:
    """Whether the rules read raw.sotkanet_regions: the municipality and the whole country are
    known from the settings alone, its maakunta and wellbeing county only from the regions."""
    levels = {
        level
        for suite in suites
        if suite.regions
        for level in (*suite.regions.required, *(suite.regions.allowed or ()))
    }
    return not levels <= {"kunta", "koko_maa"}


def build_checks(asset: str, suites: Sequence[TableSuite]) -> dg.AssetChecksDefinition:
    """The GE checks of one asset (`asset` a user string such as raw/sotkanet_values)."""
    key = dg.AssetKey.from_user_string(asset)
    applicable = {
        "ge_freshness": any(s.calendar for s in suites),
        "ge_coverage": any(s.coverage for s in suites),
        "ge_outliers": any(s.outliers for s in suites),
    }
    names = [VALID, QUARANTINE, *(n for n in WARNINGS if applicable[n])]
    specs = [
        dg.AssetCheckSpec(name, asset=key, blocking=name == VALID, description=DESCRIPTIONS[name])
        for name in names
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=f"{key.to_python_identifier()}_ge_checks",
        description=f"Great Expectations suites of {', '.join(s.table for s in suites)}.",
    )
    def _checks(settings: PipelineSettings, warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        def evaluate() -> list[dg.AssetCheckResult]:
            reports = [TableReport.run(con, settings, suite) for suite in suites]
            return [
                valid_result(key, reports),
                quarantine_result(key, reports),
                *(warning_result(key, name, reports) for name in names[2:]),
            ]

        with warehouse.connect() as con:
            # What the suites read: the tables, their quarantine, the regions, the catalog files.
            read = [s.table for s in suites] + [quarantine_table(s.table) for s in suites]
            read = [t for t in read if table_exists(con, t)]
            if needs_region_table(suites):
                read.append("raw.sotkanet_regions")
            files = file_stamp(
                [settings.data_path / "catalog", settings.data_path / "hyte" / "indicators.csv"]
            )
            yield from with_reuse(f"ge:{asset}", settings, con, read, f"{CODE}:{files}", evaluate)

    return _checks


def checks_for(suites: Sequence[TableSuite]) -> list[dg.AssetChecksDefinition]:
    """The GE checks of a source folder's suites, one multi-asset check per asset; a source's
    `suites.py` calls this beside its suites so that the loader finds the checks there."""
    by_asset: dict[str, list[TableSuite]] = {}
    for suite in suites:
        by_asset.setdefault(suite.asset, []).append(suite)
    return [build_checks(asset, group) for asset, group in by_asset.items()]
