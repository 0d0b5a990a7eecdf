"""The end of `make run`: what each source delivered, what failed, how much is demo, where it went.

Before this, a rejected delivery or a failed ERROR check still ended "refresh finished" with
exit 0, and a real failure ended "see the log above" after hundreds of DEBUG lines. The summary
reads the runs' own events (materialisations, check evaluations, step failures) and two small
warehouse tables (rejected deliveries, the scorecard's demo flags), read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from hyte_assets.lib import preflight
from hyte_assets.lib import warehouse as wh
from hyte_assets.lib.exports import export_dir
from hyte_assets.lib.publish import serving_path

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_SETTINGS = 2
EXIT_BLOCKING_CHECK = 3
EXIT_DELIVERY_REJECTED = 4
EXIT_BUSY = 5
EXIT_CODES = {
    EXIT_OK: "refresh succeeded, every delivery accepted, no blocking check failed",
    EXIT_RUN_FAILED: "a step failed (e.g. a source could not be read); the last good tables were kept",
    EXIT_SETTINGS: "settings rejected by preflight; nothing ran",
    EXIT_BLOCKING_CHECK: "a blocking check failed; what depends on the table was not rebuilt",
    EXIT_DELIVERY_REJECTED: "a city delivery file in data/local was rejected (file, row, column listed)",
    EXIT_BUSY: "another refresh of the same warehouse held the run lock for longer than the wait",
}

REJECTIONS_TABLE = "raw.local_rejections"
SCORECARD_TABLE = "reports.scorecard_measure"


@dataclass
class SourceLine:
    source: str
    assets: int = 0
    rows: int = 0
    unchanged: int = 0


@dataclass
class Summary:
    settings: preflight.Settings
    sources: dict[str, SourceLine] = field(default_factory=dict)
    failed_checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (severity, blocking, name)
    failed_steps: list[tuple[str, str]] = field(default_factory=list)
    failed_jobs: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    demo_share: float | None = None
    notes: list[Path] = field(default_factory=list)

    @classmethod
    def collect(cls, results: list[dg.ExecuteInProcessResult], settings: preflight.Settings) -> Summary:
        summary = cls(settings=settings)
        for result in results:
            summary._add_result(result)
        summary._read_warehouse()
        return summary

    def _add_result(self, result: dg.ExecuteInProcessResult) -> None:
        if not result.success:
            self.failed_jobs.append(result.job_def.name)
        sources = source_tags(result)
        for event in result.get_asset_materialization_events():
            mat = event.materialization
            source = sources.get(mat.asset_key)
            if source is None:
                continue
            line = self.sources.setdefault(source, SourceLine(source))
            line.assets += 1
            rows = mat.metadata.get("dagster/row_count")
            line.rows += int(rows.value) if rows is not None else 0
            skipped = mat.metadata.get("skipped_unchanged_inputs")
            rewritten = mat.metadata.get("rewritten")
            if (skipped is not None and skipped.value) or (rewritten is not None and not rewritten.value):
                line.unchanged += 1
        for evaluation in result.get_asset_check_evaluations():
            if not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                self.failed_checks.append((evaluation.severity.value, bool(evaluation.blocking), name))
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data is not None:
                error = event.step_failure_data.error
                while error is not None and error.cause is not None and error.cls_name.startswith("Dagster"):
                    error = error.cause
                first = (error.message.strip().splitlines() or [""])[0] if error else ""
                self.failed_steps.append((event.step_key or "?", first))

    def _read_warehouse(self) -> None:
        path = self.settings.duckdb_path
        if not path.exists():
            return
        try:
            with wh.connect(path, read_only=True, lock_timeout_s=10) as con:
                if wh.table_exists(con, REJECTIONS_TABLE):
                    self.rejected = wh.read_table(con, REJECTIONS_TABLE).to_dict("records")
                if wh.table_exists(con, SCORECARD_TABLE):
                    table = wh.qualified(SCORECARD_TABLE)
                    found = con.execute(f"select avg(is_demo::int) from {table}").fetchone()
                    self.demo_share = float(found[0]) if found and found[0] is not None else None
        except Exception as exc:  # the summary must never hide the run's own outcome
            self.failed_steps.append(("summary", f"could not read {path}: {exc}"))

    def exit_code(self) -> int:
        if any(blocking for _, blocking, _ in self.failed_checks):
            return EXIT_BLOCKING_CHECK
        if self.failed_jobs:
            return EXIT_RUN_FAILED
        if self.rejected:
            return EXIT_DELIVERY_REJECTED
        return EXIT_OK

    def text(self) -> str:
        code = self.exit_code()
        lines = [
            "",
            f"hyte_assets refresh {'finished' if code == 0 else 'FAILED'} (exit {code}: {EXIT_CODES[code]})",
        ]
        lines.append("Sources (rows written or kept; unchanged = skipped, nothing new):")
        for line in sorted(self.sources.values(), key=lambda s: s.source):
            unchanged = f"{line.unchanged}/{line.assets} materialisations unchanged"
            lines.append(f"  {line.source:<20} {line.rows:>9} rows  {unchanged}")
        if self.rejected:
            lines.append(f"Rejected delivery files ({len(self.rejected)}):")
            lines += [
                f"  {r.get('file')} row {r.get('row')} column {r.get('column')}: {r.get('problem')}"
                for r in self.rejected
            ]
        for severity in ("ERROR", "WARN"):
            failed = [(b, n) for s, b, n in self.failed_checks if s == severity]
            if failed:
                lines.append(f"Checks failed, {severity} ({len(failed)}):")
                lines += [f"  {name}{' (blocking)' if blocking else ''}" for blocking, name in failed]
        if not self.failed_checks:
            lines.append("Checks: none failed.")
        if self.failed_steps:
            lines.append("Failed steps:")
            lines += [f"  {step}: {message}" for step, message in self.failed_steps]
        lines += self.demo_lines()
        lines += self.output_lines()
        lines += [f"Run-failure note: {note}" for note in self.notes]
        return "\n".join(lines)

    def demo_lines(self) -> list[str]:
        if self.demo_share is None:
            return []
        return [f"Demo share of scorecard rows: {self.demo_share:.0%} (is_demo: not from a cited source)"]

    def output_lines(self) -> list[str]:
        data_dir = self.settings.data_dir
        lines = ["Outputs:", f"  DuckDB warehouse (Dagster writes): {self.settings.duckdb_path.resolve()}"]
        for label, path in (
            ("DuckDB serving file (BI tools, read-only)", serving_path(self.settings.duckdb_path)),
            ("exports (Parquet, CSV, XLSX)", export_dir(data_dir / "exports")),
            ("annual welfare report (HTML)", data_dir / "reports"),
        ):
            if path.exists():
                lines.append(f"  {label}: {path.resolve()}")
        return lines


def source_tags(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, str]:
    """Each asset's `source` tag, from the job's asset graph."""
    graph = result.job_def.asset_layer.asset_graph
    out = {}
    for key in graph.get_all_asset_keys():
        tags = graph.get(key).tags
        if "source" in tags:
            out[key] = tags["source"]
    return out
