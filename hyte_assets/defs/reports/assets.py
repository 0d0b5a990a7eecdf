"""What leaves the pipeline: the serving file for BI tools, file exports and the annual report.

`publish` copies the report and catalog tables into a separate read-only DuckDB file, so BI tools
never hold the working file that Dagster writes; `exports` and the annual report
(`vuosiraportti`) are built for readers without a database client.
"""

import os
import time
from pathlib import Path

import dagster as dg

from hyte_assets.defs.catalog.assets import CATALOG_TABLES, SCORECARD_TABLES
from hyte_assets.defs.catalog.regions_asset import REGION_TABLES
from hyte_assets.defs.resources import PROJECT_ROOT, PipelineSettings, WarehouseResource
from hyte_assets.defs.unchanged import all_tables_of, skip_derived_when_unchanged
from hyte_assets.lib import outputs
from hyte_assets.lib import warehouse as wh
from hyte_assets.lib.exports import export_tables
from hyte_assets.lib.outputs import output_problems
from hyte_assets.lib.publish import publish as publish_tables
from hyte_assets.lib.publish import serving_path
from hyte_assets.lib.report import (
    chart_data_uri,
    highlights,
    load_report_data,
    render_charts,
    render_report,
    report_filename,
    report_kind,
    write_pdfs,
)
from hyte_assets.lib.report.pdf import find_chromium

GROUP = "outbound"  # what leaves the warehouse; not "publish", the name of an asset in it
OWNERS = ["team:hyte"]
# Built by the hyte-kerroin multi-asset (defs/hyte/); listed by key so that publishing waits for them.
HYTE_REPORT_KEYS = [
    dg.AssetKey(["reports", name])
    for name in ("hyte_kerroin", "hyte_kerroin_components", "hyte_what_if", "hyte_published")
]
CATALOG_KEYS = [dg.AssetKey(t.split(".")) for t in [*CATALOG_TABLES, *SCORECARD_TABLES, *REGION_TABLES]]


def report_files(settings: PipelineSettings) -> list[Path]:
    """The files the report of this run's kind (HYTE_REPORT_KIND: vuosiraportti_* or
    hyvinvointikertomus_*) consists of, both languages, and their PDFs when Chromium is installed."""
    return outputs.report_files(settings.data_path / "reports", report_kind(), find_chromium() is not None)


def report_output_problems(settings: PipelineSettings, warehouse: WarehouseResource) -> list[str]:
    """What is missing or broken among `report_files` (the skip logic rebuilds the report then)."""
    return output_problems(
        "vuosiraportti",
        settings.data_path,
        warehouse.database,
        report_kind=report_kind(),
        pdf=find_chromium() is not None,
    )


def delivered_tables(warehouse: WarehouseResource) -> tuple[str, ...]:
    """The optional delivery tables the report reads that exist: a table nobody delivered yet must
    not make the report's inputs look unknown (and rebuild it on every refresh)."""
    with warehouse.connect() as con:
        return tuple(t for t in ("raw.action_status", "raw.resources") if wh.table_exists(con, t))


def report_table_keys() -> list[dg.AssetKey]:
    """Every reports.* table: one SQL model per file in dbt_like_sql/reports/, plus the hyte tables."""
    sql_files = sorted((PROJECT_ROOT / "dbt_like_sql" / "reports").glob("*.sql"))
    return [dg.AssetKey(["reports", path.stem]) for path in sql_files] + HYTE_REPORT_KEYS


@dg.asset(
    group_name=GROUP,
    kinds={"duckdb"},
    owners=OWNERS,
    deps=[*report_table_keys(), *CATALOG_KEYS],
    tags={"layer": "publish"},
)
@skip_derived_when_unchanged(
    "publish",
    lambda wh: all_tables_of(wh, "reports", "catalog"),
    lambda settings, wh: output_problems("publish", settings.data_path, wh.database),
)
def publish(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The BI serving file (`hyte_reports.duckdb` beside the working file): every `reports.*` and
    `catalog.*` table, swapped in atomically, so open BI connections never block or see a half-copy.

    BI tools connect read-only to the serving file, never to the working file Dagster writes.
    """
    working = Path(warehouse.database)
    serving = serving_path(working)
    started = time.monotonic()
    tables = publish_tables(working, serving)
    seconds = time.monotonic() - started
    context.log.info(f"published {len(tables)} tables to {serving} in {seconds:.2f} s")
    listing = "\n".join(f"| {t.name} | {t.rows} | {len(t.columns)} |" for t in tables)
    return dg.MaterializeResult(
        metadata={
            "serving_file": dg.MetadataValue.path(str(serving)),
            "tables": dg.MetadataValue.md("| table | rows | columns |\n|---|---|---|\n" + listing),
            "table_count": len(tables),
            "seconds": round(seconds, 2),
        }
    )


@dg.asset(group_name=GROUP, kinds={"parquet", "csv", "excel"}, owners=OWNERS, deps=[publish])
@skip_derived_when_unchanged(
    "exports",
    lambda wh: all_tables_of(wh, "reports"),
    lambda settings, wh: output_problems("exports", settings.data_path, wh.database),
)
def exports(warehouse: WarehouseResource, settings: PipelineSettings) -> dg.MaterializeResult:
    """Every published `reports.*` table as Parquet (analysts) and as CSV + XLSX in Finnish Excel
    conventions (`;`, decimal comma, UTF-8 with BOM) in data/exports/, read from the serving file."""
    out_dir = settings.data_path / "exports"
    started = time.monotonic()
    with wh.connect(serving_path(warehouse.database), read_only=True) as con:
        names = [
            f"reports.{name}"
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'reports' order by 1"
            ).fetchall()
        ]
        exported = export_tables(con, names, out_dir)
    listing = "\n".join(f"| {e.table} | {e.rows} | {', '.join(f.name for f in e.files)} |" for e in exported)
    return dg.MaterializeResult(
        metadata={
            "directory": dg.MetadataValue.path(str(out_dir)),
            "files": dg.MetadataValue.md("| table | rows | files |\n|---|---|---|\n" + listing),
            "seconds": round(time.monotonic() - started, 2),
        }
    )


@dg.asset(
    group_name=GROUP,
    kinds={"html"},
    owners=OWNERS,
    deps=[
        *report_table_keys(),
        dg.AssetKey(["marts", "indicator_values"]),
        dg.AssetKey(["staging", "stg_regions"]),
        dg.AssetKey(["raw", "action_status"]),
        dg.AssetKey(["raw", "resources"]),
        *CATALOG_KEYS,
        dg.AssetKey(["meta", "settings"]),
    ],
    tags={"layer": "publish"},
)
@skip_derived_when_unchanged(
    "vuosiraportti",
    lambda wh: (
        *all_tables_of(wh, "reports", "catalog", "marts", "staging"),
        "meta.settings",
        *delivered_tables(wh),
    ),
    report_output_problems,
    files=("local/kertomus", "catalog"),  # the coordinator's texts and the catalog files it reads
)
def vuosiraportti(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """The annual welfare report for the council (data/reports/vuosiraportti_<year>.html, and
    `_en.html` in English): scorecards per theme and goal, a chart per measure, the hyte-kerroin
    with its what-if table, the actions' status and the age of the data, with a demo-data banner
    whenever any figure shown is generated."""
    started = time.monotonic()
    with warehouse.connect(read_only=True) as con:
        data = load_report_data(con, data_dir=settings.data_path)
    loaded = time.monotonic()
    charts = render_charts(data)
    charted = time.monotonic()
    out_dir = settings.data_path / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for lang in ("fi", "en"):
        path = out_dir / report_filename(data, lang)  # hyvinvointikertomus_… for a council term
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(render_report(data, charts, lang=lang), encoding="utf-8")
        os.replace(tmp, path)
        paths[lang] = path
    finished = time.monotonic()
    pdfs = [str(pdf) for pdf in write_pdfs(list(paths.values()))]  # none without Chromium
    demo, total = data.demo_counts()
    context.log.info(
        f"vuosiraportti {data.year}: {len(charts)} charts; load {loaded - started:.2f} s, "
        f"charts {charted - loaded:.2f} s, html {finished - charted:.2f} s"
    )
    titles = data.indicators.drop_duplicates("measure_id").set_index("measure_id")["title_fi"]
    shown = "\n\n".join(
        f"**{titles[m]}**\n\n![{m}]({chart_data_uri(charts[m])})" for m in highlights(data, charts)
    )
    return dg.MaterializeResult(
        metadata={
            "report_fi": dg.MetadataValue.path(str(paths["fi"])),
            "report_en": dg.MetadataValue.path(str(paths["en"])),
            "pdf": ", ".join(pdfs) or "not written: Chromium is not installed",
            "charts": len(charts),
            "demo_figures": f"{demo} / {total}",
            "seconds_load": round(loaded - started, 2),
            "seconds_charts": round(charted - loaded, 2),
            "seconds_html": round(finished - charted, 2),
            "most_moved_measures": dg.MetadataValue.md(shown or "_(no judged measure with a chart)_"),
        }
    )
