"""A failed run leaves a readable note for the welfare coordinator and the data engineer.

The note (data/reports/run_failures/<run_id>.md) says which step and source failed, with the
error, and what the reports still show: the warehouse keeps the last good tables (every write is
one transaction), so it lists when each source's kept data was fetched and when the serving file
was last published.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib import warehouse as wh
from hyte_assets.lib.publish import PUBLICATION_TABLE, serving_path
from hyte_assets.lib.warehouse import table_exists

LOCK_TIMEOUT_S = 10.0


def step_failures(context: dg.RunFailureSensorContext) -> list[dict[str, str]]:
    """Each failed step with its asset's `source` tag and the error chain (the cause carries the
    SourceError text; the outer error is Dagster's generic "error occurred in step")."""
    ops_to_assets: dict[str, dg.AssetsDefinition] = {}
    if context.repository_def is not None:
        for assets_def in context.repository_def.assets_defs_by_key.values():
            ops_to_assets[assets_def.node_def.name] = assets_def
    failures = []
    for event in context.get_step_failure_events():
        step = event.step_key or "?"
        assets_def = ops_to_assets.get(step)
        source = ""
        if assets_def is not None:
            source = next((t["source"] for t in assets_def.tags_by_key.values() if "source" in t), "")
        chain = []
        error = event.step_failure_data.error
        while error is not None:
            chain.append(error)
            error = error.cause
        # Dagster's wrapper only says "error occurred while executing op"; the cause says what.
        told = [e for e in chain if e.cls_name != "DagsterExecutionStepExecutionError"] or chain
        failures.append({"step": step, "source": source, "error": "\n".join(e.message.strip() for e in told)})
    return failures


def kept_data(database: Path) -> str:
    """Markdown: per raw table, the rows kept and when they were fetched and written (read-only)."""
    try:
        with wh.connect(database, read_only=True, lock_timeout_s=LOCK_TIMEOUT_S) as con:
            return _kept_tables(con)
    except (RuntimeError, duckdb.Error) as exc:
        return f"_Could not read the warehouse {database}: {exc}_"


def _kept_tables(con: duckdb.DuckDBPyConnection) -> str:
    if not table_exists(con, "meta.table_versions"):
        return "_The warehouse has no tables yet: the reports have no data to fall back on._"
    columns: dict[str, set[str]] = {}
    for schema, table, column in con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where column_name in ('fetched_at', 'is_demo')"
    ).fetchall():
        columns.setdefault(f"{schema}.{table}", set()).add(column)
    lines = ["| table | rows | latest fetched_at | demo rows | written |", "|---|---|---|---|---|"]
    for name, rows, updated in con.execute(
        "select table_name, row_count, updated_at from meta.table_versions "
        "where table_name like 'raw.%' order by table_name"
    ).fetchall():
        has = columns.get(name, set())
        schema, _, table = name.partition(".")
        fetched, demo = "–", "–"
        if "fetched_at" in has:
            fetched = str(con.execute(f'select max(fetched_at) from "{schema}"."{table}"').fetchone()[0])
        if "is_demo" in has:
            demo = str(
                con.execute(f'select count(*) filter (where is_demo) from "{schema}"."{table}"').fetchone()[0]
            )
        lines.append(f"| {name} | {rows} | {fetched} | {demo} | {updated:%Y-%m-%d %H:%M} |")
    return "\n".join(lines)


def last_publication(serving: Path) -> str:
    if not serving.exists():
        return f"_{serving} has never been published._"
    try:
        with wh.connect(serving, read_only=True, lock_timeout_s=LOCK_TIMEOUT_S) as con:
            found = con.execute(f"select max(published_at) from {PUBLICATION_TABLE}").fetchone()
    except (RuntimeError, duckdb.Error) as exc:
        return f"_Could not read {serving}: {exc}_"
    return f"BI tools and exports keep showing the publication of **{found[0]}** ({serving})."


def failure_note(
    run_id: str, job_name: str, message: str, failures: list[dict[str, str]], kept: str, published: str
) -> str:
    """The note's markdown; kept plain so it reads the same in an editor and on GitHub."""
    lines = [
        f"# Run {run_id} failed",
        "",
        f"* job: `{job_name}`",
        f"* noted at: {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
        f"* run failure: {message}",
        "",
        "## Failed steps",
        "",
    ]
    if not failures:
        lines.append("_No step failed: the run failed before or between steps (see the run's logs)._")
    for failure in failures:
        source = f" (source `{failure['source']}`)" if failure["source"] else ""
        lines += [f"### `{failure['step']}`{source}", "", "```", failure["error"], "```", ""]
    lines += [
        "",
        "## What the reports kept",
        "",
        "Every write replaces its tables in one transaction, so the failed steps left the last good "
        "tables in place, and assets downstream of a failure were not rebuilt.",
        "",
        published,
        "",
        "Source tables in the working warehouse (the data the next report is built from):",
        "",
        kept,
        "",
    ]
    return "\n".join(lines)


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Write data/reports/run_failures/<run_id>.md: what failed and what data the reports kept.",
)
def run_failure_note(
    context: dg.RunFailureSensorContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> None:
    run = context.dagster_run
    database = Path(warehouse.database)
    note = failure_note(
        run.run_id,
        run.job_name,
        context.failure_event.message or "",
        step_failures(context),
        kept_data(database),
        last_publication(serving_path(database)),
    )
    out_dir = settings.data_path / "reports" / "run_failures"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{run.run_id}.md"
    path.write_text(note, encoding="utf-8")
    context.log.info(f"failure note written to {path}")
