"""Report outputs: the annual report, exports, column contracts, schedules, freshness and the
run-failure note.

Two warehouses are used. A small hand-made one (the real catalog, a few generated series, and the
real SQL report models on top) shows the report's behaviour case by case, with or without demo
data. The session's snapshot refresh of the whole graph (`refreshed_project` in conftest.py) is
what the contract, export and browser tests read.
"""

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from hyte_assets.definitions import defs
from hyte_assets.defs.reports.sensors import run_failure_note
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.exports import export_dir, export_tables
from hyte_assets.lib.peers import region_tables
from hyte_assets.lib.publish import serving_path
from hyte_assets.lib.report import load_report_data, render_charts, render_report
from hyte_assets.lib.scorecard_files import load_scorecard_tables
from hyte_assets.lib.sql_models import SqlModel, discover, topological_order
from hyte_assets.lib.sql_run import materialize
from hyte_assets.lib.warehouse import replace_tables
from hyte_assets_tests.conftest import Refreshed
from hyte_assets_tests.e2e import chromium

REPO = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(REPO / "data" / "catalog")
GOAL_TITLES = list(CATALOG.goals["title_fi"])
CONTRACTS = REPO / "docs" / "report-tables.md"


# --- a small hand-made warehouse -----------------------------------------------------------------


def charted_measures() -> list[str]:
    """Every third catalog measure gets a series; the rest have no data at all."""
    return list(CATALOG.measures["measure_id"].iloc[::3])


def build_small_warehouse(
    path: Path, *, demo: bool, extra: list[dict] | None = None, no_municipality_level: tuple[str, ...] = ()
) -> None:
    """The real catalog, generated 2019–2025 series for Heinola, Päijät-Häme and Finland, one
    delivered action status, then the real SQL models marts.measure_series and reports.*;
    `extra` rows are added to marts.indicator_values as they are.

    `no_municipality_level`: measures whose Sotkanet id lists no KUNTA level (no Heinola rows)."""
    units = CATALOG.measures.set_index("measure_id")["unit"].str.strip()
    rows = []
    for n, measure_id in enumerate(charted_measures()):
        for code, level, name, offset in (
            ("111", "kunta", "Heinola", 0.0),
            ("07", "maakunta", "Päijät-Häme", 2.0),
            ("SSS", "koko_maa", "Koko maa", 4.0),
        ):
            if level == "kunta" and measure_id in no_municipality_level:
                continue
            for year in range(2019, 2026):
                value = 1.0 if units[measure_id] == "yes_no" else 20.0 + n + offset + (year - 2019) * 0.7
                rows.append(
                    {
                        "measure_id": measure_id,
                        "source": "sotkanet",
                        "region_code": code,
                        "region_name": name,
                        "region_level": level,
                        "year": year,
                        "period": str(year),
                        "group_type": "total",
                        "group_value": "total",
                        "gender": "total",
                        "value": value,
                        "abs_value": None,
                        "sample_size": None,
                        "unit": units[measure_id],
                        "is_demo": demo,
                        "fetched_at": pd.Timestamp("2026-11-30 06:00"),
                    }
                )
    rows += extra or []
    tables = {
        **CATALOG.tables(),
        **load_scorecard_tables(REPO / "data"),
        "marts.indicator_values": pd.DataFrame(rows).astype({"abs_value": float, "sample_size": float}),
        "meta.settings": pd.DataFrame(
            {"municipality_code": ["111"], "as_of_date": [dt.date(2026, 11, 30)], "source_mode": ["snapshot"]}
        ),
        "staging.stg_regions": pd.DataFrame(
            {
                "region_code": ["111", "07", "09", "SSS"],
                "region_level": ["kunta", "maakunta", "hyvinvointialue", "koko_maa"],
                "region_name": ["Heinola", "Päijät-Häme", "Päijät-Hämeen hyvinvointialue", "Koko maa"],
                "maakunta_code": ["07", None, None, None],
                "hyvinvointialue_code": ["09", None, None, None],
            }
        ),
        "staging.stg_sotkanet_indicators": pd.DataFrame(
            {
                "measure_id": pd.Series(no_municipality_level, dtype="string"),
                "group_value": "total",
                "indicator_id": pd.Series(range(len(no_municipality_level)), dtype="Int64"),
                "region_levels": "Maakunta|Maa",
                "has_municipal_data": pd.Series([False] * len(no_municipality_level), dtype="boolean"),
                "reporting_level": "maakunta",
            }
        ),
        # TEAviisari scores: none here (the report then says which Sotkanet ids would carry them).
        "raw.teaviisari_sotkanet": pd.DataFrame(
            {
                "sector_id": pd.Series(dtype="string"),
                "indicator_id": pd.Series(dtype="Int64"),
                "region_code": pd.Series(dtype="string"),
                "region_level": pd.Series(dtype="string"),
                "year": pd.Series(dtype="Int64"),
                "score": pd.Series(dtype="float"),
                "is_demo": pd.Series(dtype="boolean"),
            }
        ),
        "raw.teaviisari_values": pd.DataFrame(
            {
                "sector": pd.Series(dtype="string"),
                "group_value": pd.Series(dtype="string"),
                "region_code": pd.Series(dtype="string"),
                "region_level": pd.Series(dtype="string"),
                "year": pd.Series(dtype="Int64"),
                "value": pd.Series(dtype="float"),
                "is_demo": pd.Series(dtype="boolean"),
            }
        ),
        "raw.action_status": pd.DataFrame(
            {
                "action_id": ["a070"],
                "status": ["käynnissä"],
                "updated_at": [pd.Timestamp("2026-11-30")],
                "comment": ["Suunnitelmassa merkitty (menossa)."],
                "source_file": ["toimenpiteet_tila.csv"],
                "source_row": [2],
                "is_demo": [False],
            }
        ),
    }
    tables.update(region_tables(REPO / "data"))
    models, _ = discover(REPO / "dbt_like_sql")
    # marts.measure_series, the reports, and the intermediate models built on what is given here
    wanted: list[SqlModel] = []
    for model in topological_order(models):
        given = {*tables, *(m.table for m in wanted)}
        if (
            model.table == "marts.measure_series"
            or model.schema == "reports"
            or (model.schema == "intermediate" and set(model.reads) <= given)
        ):
            wanted.append(model)
    con = duckdb.connect(str(path))
    try:
        replace_tables(con, tables)
        for model in wanted:
            missing = [t for t in model.reads if t not in tables and t not in {m.table for m in wanted}]
            assert not missing, f"{model.table} now reads {missing}: add them to build_small_warehouse"
            materialize(con, model)
    finally:
        con.close()


def render_small(
    tmp_path: Path,
    *,
    demo: bool,
    lang: str = "fi",
    extra: list[dict] | None = None,
    no_municipality_level: tuple[str, ...] = (),
) -> str:
    path = tmp_path / f"small_{demo}_{lang}.duckdb"
    build_small_warehouse(path, demo=demo, extra=extra, no_municipality_level=no_municipality_level)
    con = duckdb.connect(str(path), read_only=True)
    try:
        data = load_report_data(con)
    finally:
        con.close()
    return render_report(data, render_charts(data), lang=lang)


def figures(report: str) -> set[str]:
    return set(re.findall(r"<figure data-measure='([^']+)'>", report))


def line_measures() -> set[str]:
    """The charted measures drawn as lines: a yes/no measure is shown as a status instead."""
    units = CATALOG.measures.set_index("measure_id")["unit"].str.strip()
    return {m for m in charted_measures() if units[m] != "yes_no"}


def test_report_shows_every_goal_a_chart_per_measure_and_the_demo_banner(tmp_path: Path) -> None:
    report = render_small(tmp_path, demo=True)

    for title in GOAL_TITLES:
        assert html.escape(title, quote=True) in report, title
    assert figures(report) == line_measures()
    assert "id='demo-banner'" in report
    assert "eivät ole virallisia tilastoja" in report
    assert "käynnissä" in report  # the delivered action status
    assert "ei tilatietoa" in report  # actions without a delivered status say so


def test_no_banner_when_no_figure_is_demo(tmp_path: Path) -> None:
    report = render_small(tmp_path, demo=False)

    assert "demo-banner" not in report
    assert ">DEMO<" not in report
    assert figures(report) == line_measures()


def test_english_report(tmp_path: Path) -> None:
    report = render_small(tmp_path, demo=True, lang="en")

    for title in CATALOG.goals["title_en"]:
        assert html.escape(title, quote=True) in report
    assert "not official statistics" in report
    assert "<html lang='en'>" in report


def gender_rows() -> tuple[str, list[dict]]:
    """Women and men of the first charted percentage measure in Heinola: women 10.0 -> 12.8 % of
    2 000 (beyond the noise), men 8.0 -> 8.5 % (within it)."""
    measures = CATALOG.measures.assign(unit=CATALOG.measures["unit"].str.strip())
    picked = measures[
        measures["measure_id"].isin(charted_measures())
        & (measures["unit"] == "percent")
        & measures["polarity"].isin(["higher_better", "lower_better"])
    ].iloc[0]
    base = {
        "measure_id": picked["measure_id"],
        "source": "sotkanet",
        "region_code": "111",
        "region_name": "Heinola",
        "region_level": "kunta",
        "group_type": "gender",
        "unit": "percent",
        "sample_size": None,
        "is_demo": False,
        "fetched_at": pd.Timestamp("2026-11-30 06:00"),
    }
    figures = [("female", 2025, 10.0, 200), ("female", 2026, 12.8, 256)]
    figures += [("male", 2025, 8.0, 160), ("male", 2026, 8.5, 170)]
    rows = [
        base | {"group_value": g, "gender": g, "year": y, "period": str(y), "value": v, "abs_value": float(k)}
        for g, y, v, k in figures
    ]
    return str(picked["measure_id"]), rows


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_report_says_which_group_moved_under_a_multi_group_measure(tmp_path: Path, lang: str) -> None:
    from hyte_assets.lib.report.texts import texts

    measure_id, rows = gender_rows()
    report = render_small(tmp_path, demo=False, lang=lang, extra=rows)

    lines = re.findall(
        rf"<tr class='movement' data-measure='{measure_id}'><td colspan='10'>([^<]*)</td>", report
    )
    assert lines, "the sentence is shown under the measure"
    words = texts()[lang]
    polarity = CATALOG.measures.set_index("measure_id").loc[measure_id, "polarity"]
    women = words["worsening" if polarity == "lower_better" else "improving"].lower()
    expected = (
        f"Ryhmittäin: Kaikki: {{}}; naiset: {women} (+2,8 %-yks.); miehet: {words['stable'].lower()}"
        if lang == "fi"
        else f"By group: All: {{}}; women: {women} (+2.8 pp); men: {words['stable'].lower()}"
    )
    head, tail = expected.split("{}")
    assert all(html.unescape(line).startswith(head) and html.unescape(line).endswith(tail) for line in lines)
    # a measure with the total only gets no sentence
    assert report.count("<tr class='movement'") == len(lines)


@pytest.mark.parametrize(
    ("lang", "label", "gap"),
    [
        ("fi", "Maakunnan luku: Päijät-Häme", "THL ei julkaise tätä kuntatasolla"),
        ("en", "Regional (maakunta) figure: Päijät-Häme", "THL does not publish this for municipalities"),
    ],
)
def test_a_maakunta_figure_in_the_scorecard_is_labelled_and_a_missing_level_is_said(
    tmp_path: Path, lang: str, label: str, gap: str
) -> None:
    # the catalog lets long-term social assistance 65+ (3558) fall back to the maakunta; the
    # 25-64 measure it is paired with here does not (and is charted: every third measure)
    fallback, without = "toimeentulotuki_pitkaaikainen_65", "nuorisotyottomat_18_24"
    assert {fallback, without} <= set(charted_measures())
    report = render_small(tmp_path, demo=False, lang=lang, no_municipality_level=(fallback, without))
    row = scorecard_row(report, fallback)
    assert html.escape(label, quote=True) in row
    assert gap in scorecard_row(report, without)
    assert report.count(html.escape(label, quote=True)) == 1  # only that row
    without_gap = render_small(tmp_path, demo=False, lang=lang)
    assert html.escape(label, quote=True) not in without_gap and gap not in without_gap


def scorecard_row(report: str, measure_id: str) -> str:
    """The scorecard table row of a measure, found by its title in the report's language."""
    measure = CATALOG.measures.set_index("measure_id").loc[measure_id]
    titles = {html.escape(measure[c], quote=True) for c in ("title_fi", "title_en")}
    rows = [r for r in re.findall(r"<tr>.*?</tr>", report, flags=re.S) if any(t in r for t in titles)]
    assert rows, measure_id
    return rows[0]


# --- exports: Finnish Excel conventions ----------------------------------------------------------


def test_exports_follow_finnish_excel_conventions(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema reports")
    con.execute(
        """
        create table reports.sample as select * from (values
            ('Hämeenlinna; keskusta', 12.5::double, 1234::bigint, true, timestamp '2026-11-30 06:00:00'),
            ('ääkköset', -0.1 + 0.2, null, false, null),
            (null, 1e-05, 7, null, timestamp '2025-01-01 00:00:00')
        ) as t(name, share, total, flag, fetched_at)
        """
    )
    exported = export_tables(con, ["reports.sample"], tmp_path)
    source = con.execute("select * from reports.sample").fetchall()
    out = export_dir(tmp_path)  # the project's own folder in data/exports

    assert [f.name for f in exported[0].files] == ["sample.parquet", "sample.csv", "sample.xlsx"]
    raw = (out / "sample.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads ä and ö"
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "name;share;total;flag;fetched_at"
    assert "\r\n" in text
    assert '"Hämeenlinna; keskusta";12,5;1234;true;2026-11-30 06:00:00' in text
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    for row, original in zip(parsed, source, strict=True):
        share = float(row[1].replace(",", "."))
        assert share == original[1], "decimal comma numbers round-trip exactly"
        assert (int(row[2]) if row[2] else None) == original[2]

    from openpyxl import load_workbook

    sheet = load_workbook(out / "sample.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("name", "share", "total", "flag", "fetched_at")
    assert values[1][1] == 12.5 and isinstance(values[1][1], float), "numbers stay numbers"
    assert values[1][2] == 1234 and values[1][3] is True
    assert values[2][1] == source[1][1]
    assert values[1][4] == dt.datetime(2026, 11, 30, 6, 0)

    assert con.execute(f"select * from '{out / 'sample.parquet'}'").fetchall() == source

    (out / "dropped.csv").write_text("old", encoding="utf-8")
    export_tables(con, ["reports.sample"], tmp_path)
    assert not (out / "dropped.csv").exists(), "files of tables no longer published are removed"


# --- a snapshot run of the whole graph -----------------------------------------------------------


@dataclass
class SnapshotRun:
    data: Path
    db: Path


@pytest.fixture(scope="module")
def snapshot_run(refreshed_project: Refreshed) -> SnapshotRun:
    """The session's whole-graph refresh (conftest.py), read only."""
    return SnapshotRun(data=refreshed_project.data_dir, db=refreshed_project.db)


def read_contracts() -> dict[str, list[tuple[str, str]]]:
    """`## schema.table` headings of docs/report-tables.md with their column | type rows."""
    contracts: dict[str, list[tuple[str, str]]] = {}
    table = None
    for line in CONTRACTS.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"## (\w+\.\w+)", line.strip()):
            table = heading[1]
            contracts[table] = []
        elif table and line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if cells[:2] != ["column", "type"] and not set(cells[0]) <= {"-"}:
                contracts[table].append((cells[0], cells[1]))
        elif line.startswith("## "):
            table = None
    return contracts


def test_published_tables_match_their_contracts(snapshot_run: SnapshotRun) -> None:
    con = duckdb.connect(str(serving_path(snapshot_run.db)), read_only=True)
    try:
        published: dict[str, list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where not internal order by schema_name, table_name, column_index"
        ).fetchall():
            published.setdefault(f"{schema}.{table}", []).append((column, data_type))
    finally:
        con.close()
    contracts = read_contracts()

    assert sorted(published) == sorted(contracts), "tables published vs. documented in report-tables.md"
    for name, columns in published.items():
        assert columns == contracts[name], f"{name}: published columns differ from docs/report-tables.md"


def test_snapshot_report(snapshot_run: SnapshotRun) -> None:
    report = (snapshot_run.data / "reports" / "vuosiraportti_2026.html").read_text(encoding="utf-8")
    con = duckdb.connect(str(snapshot_run.db), read_only=True)
    try:
        with_value = {
            m
            for (m,) in con.execute(
                "select distinct measure_id from reports.scorecard_indicator "
                "where latest_value is not null and unit <> 'yes_no'"
            ).fetchall()
        }
    finally:
        con.close()

    for title in GOAL_TITLES:
        assert html.escape(title, quote=True) in report
    assert with_value <= figures(report), "every measure with a value for the municipality has a chart"
    assert "id='demo-banner'" in report  # the snapshot is demo data
    assert "Mitä jos" in report  # the hyte-kerroin what-if table
    assert (snapshot_run.data / "reports" / "vuosiraportti_2026_en.html").exists()


def test_snapshot_exports(snapshot_run: SnapshotRun) -> None:
    con = duckdb.connect(str(serving_path(snapshot_run.db)), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'reports'"
            ).fetchall()
        ]
        goals = con.execute(
            "select goal_id, coverage from reports.scorecard_goal order by goal_id"
        ).fetchall()
    finally:
        con.close()
    exports = export_dir(snapshot_run.data / "exports")

    expected = {f"{table}.{ext}" for table in tables for ext in ("parquet", "csv", "xlsx")}
    assert {p.name for p in exports.iterdir()} == expected
    text = (exports / "scorecard_goal.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufefftavoitteen tunnus;tavoitteen nro;")  # Finnish headers for Excel
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    got = [(r["tavoitteen tunnus"], float(r["tietokattavuus"].replace(",", "."))) for r in rows]
    assert got == goals, "rows in the plan's goal order"


def test_report_in_headless_chromium(snapshot_run: SnapshotRun, tmp_path: Path) -> None:
    binary, why = chromium.find_or_install()
    if binary is None:
        pytest.skip(f"headless Chromium unavailable: {why}")
    url = (snapshot_run.data / "reports" / "vuosiraportti_2026.html").as_uri()
    dom = chromium.run(binary, url, tmp_path / "profile", "--dump-dom")
    shot = chromium.run(binary, url, tmp_path / "profile2", f"--screenshot={tmp_path / 'report.png'}")

    assert dom.returncode == 0, dom.stderr[-2000:]
    for title in GOAL_TITLES:
        assert html.escape(title, quote=False) in dom.stdout, title
    console = [line for line in dom.stderr.splitlines() + shot.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    assert not chromium.uncaught_errors(dom.stderr)
    assert (tmp_path / "report.png").stat().st_size > 10_000


# --- schedules, sensors, freshness ---------------------------------------------------------------


def test_schedules_and_sensor_are_running_by_default() -> None:
    loaded = defs()
    quarterly = loaded.resolve_schedule_def("refresh_all_quarterly")
    monthly = loaded.resolve_schedule_def("employment_monthly_schedule")
    sensor = loaded.resolve_sensor_def("run_failure_note")

    assert (quarterly.cron_schedule, quarterly.execution_timezone) == ("0 6 1 1,4,7,10 *", "Europe/Helsinki")
    assert quarterly.job_name == "refresh_all"
    assert monthly.job_name == "employment_monthly_job"
    for status in (quarterly.default_status, monthly.default_status):
        assert status == dg.DefaultScheduleStatus.RUNNING
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_every_source_asset_has_a_freshness_policy() -> None:
    graph = defs().resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    sources = [key for key in keys if graph.get(key).group_name == "sources"]

    assert len(sources) == 19  # 14 single-table assets and the 5 tables of local_deliveries
    missing = [key.to_user_string() for key in sources if graph.get(key).freshness_policy is None]
    assert not missing, f"source assets without a freshness policy: {missing}"
    assert all("publication_calendar" in graph.get(key).metadata for key in sources)
    monthly = graph.get(dg.AssetKey(["raw", "employment_monthly"])).freshness_policy
    assert monthly is not None and monthly.fail_window.to_timedelta() == dt.timedelta(days=45)


def test_run_failure_note(tmp_path: Path) -> None:
    db = tmp_path / "warehouse" / "hyte.duckdb"
    db.parent.mkdir()
    con = duckdb.connect(str(db))
    try:
        replace_tables(
            con,
            {
                "raw.sotkanet_values": pd.DataFrame(
                    {"value": [1.0], "is_demo": [True], "fetched_at": [pd.Timestamp("2026-10-01 06:00")]}
                )
            },
        )
    finally:
        con.close()

    @dg.asset(tags={"source": "sotkanet"})
    def sotkanet_values() -> None:
        raise SourceError("sotkanet", "HTTP 503 from /json after 4 retries")

    instance = dg.DagsterInstance.ephemeral()
    repository = dg.Definitions(assets=[sotkanet_values]).get_repository_def()
    failed = dg.materialize([sotkanet_values], instance=instance, raise_on_error=False)
    # `with`: the warehouse resource has a teardown (it releases the run lock at the end of a run).
    with dg.build_run_status_sensor_context(
        sensor_name="run_failure_note",
        dagster_instance=instance,
        dagster_run=failed.dagster_run,
        dagster_event=failed.get_run_failure_event(),
        resources={
            "warehouse": WarehouseResource(database=str(db)),
            "settings": PipelineSettings(data_dir=str(tmp_path / "data")),
        },
        repository_def=repository,
    ) as context:
        run_failure_note(context.for_run_failure())

    note_path = tmp_path / "data" / "reports" / "run_failures" / f"{failed.run_id}.md"
    note = note_path.read_text(encoding="utf-8")
    assert "`sotkanet_values` (source `sotkanet`)" in note
    assert "HTTP 503 from /json after 4 retries" in note
    assert "| raw.sotkanet_values | 1 | 2026-10-01 06:00:00 | 1 |" in note
    assert "has never been published" in note
