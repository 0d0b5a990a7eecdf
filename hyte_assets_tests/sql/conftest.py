"""Fixtures for the SQL models in dbt_like_sql/: an in-memory warehouse of the documented shapes.

The raw tables are created empty with the columns of docs/architecture.md, the catalog is written
through the real loader (`load_catalog`) from small hand-made CSVs, and `catalog.min_change` comes
from data/scorecard/min_change.csv, so the types the models see are the production types.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.catalog import COLUMNS, load_catalog
from hyte_assets.lib.peers import region_tables
from hyte_assets.lib.scorecard_files import SPECS, load_scorecard_tables
from hyte_assets.lib.sql_models import SqlModel, SqlTest, discover
from hyte_assets.lib.sql_run import materialize, run_test
from hyte_assets.lib.warehouse import replace_tables

REPO = Path(__file__).resolve().parents[2]
SQL_ROOT = REPO / "dbt_like_sql"
MIN_CHANGE_CSV = REPO / "data" / "scorecard" / "min_change.csv"
DATA_DIR = REPO / "data"

MUNICIPALITY = "111"
AS_OF_DATE = "2026-11-30"

LONG_FORM = """
    measure_id varchar, region_code varchar, region_level varchar, year integer, period varchar,
    group_type varchar, group_value varchar, value double, abs_value double, sample_size double,
    is_demo boolean, fetched_at timestamp
"""
# docs/architecture.md, "Raw tables": the long-form columns plus each source's own.
RAW_TABLES: dict[str, str] = {
    "raw.sotkanet_regions": """
        region_id integer, region_code varchar, region_level varchar, region_name varchar,
        category varchar, member_of integer[], maakunta_code varchar, hyvinvointialue_code varchar
    """,
    "raw.sotkanet_values": LONG_FORM
    + ", indicator_id integer, region_id integer, gender varchar, pin_source varchar",
    "raw.sotkanet_indicators": """
        indicator_id bigint, measure_id varchar, source varchar, group_value varchar,
        expected_title varchar, status varchar, error varchar, title_fi varchar, region_levels varchar,
        has_municipal_data boolean, reporting_level varchar, genders varchar, range_start bigint,
        range_end bigint, data_updated varchar, warnings varchar, fetched_at timestamp
    """,
    "raw.kouluterveyskysely_values": LONG_FORM
    + ", indicator_id integer, school_level varchar, gender varchar",
    "raw.kouluterveyskysely_sample_sizes": """
        measure_id varchar, school_level varchar, region_code varchar, region_level varchar,
        year bigint, period varchar, gender varchar, sample_size double, cube varchar,
        is_demo boolean, fetched_at timestamp
    """,
    "raw.statfin_values": LONG_FORM + ", table_id varchar, content_code varchar",
    "raw.employment_values": LONG_FORM + ", content_code varchar",
    "raw.teaviisari_values": LONG_FORM + ", sector varchar",
    "raw.teaviisari_sotkanet": """
        sector_id varchar, indicator_id integer, region_code varchar, region_level varchar,
        year integer, score double, is_demo boolean, fetched_at timestamp
    """,
    "raw.hyte_process_answers": """
        municipality_code varchar, indicator_id integer, collection_year integer, answer varchar
    """,
    "raw.survey_values": LONG_FORM + ", survey varchar",
    "raw.local_counts": LONG_FORM + ", source_file varchar, source_row integer",
}

MEASURE_DEFAULTS: dict[str, str] = {
    "title_en": "",
    "theme_id": "t1",
    "goal_ids": "g1",
    "source": "sotkanet",
    "source_ref": "ref",
    "source_title": "",
    "population_group": "",
    "school_levels": "",
    "fallback_region_level": "",
    "unit": "percent",
    "polarity": "higher_better",
    "target": "",
    "target_year": "",
    "responsible": "hyvinvoinnin palvelualue",
    "plan_line_ids": "",
    "notes": "",
}


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for name, columns in RAW_TABLES.items():
        con.execute(f"create or replace table {name} ({columns})")


def write_settings(con: duckdb.DuckDBPyConnection, municipality_code: str | None = MUNICIPALITY) -> None:
    """meta.settings as the pipeline_settings asset writes it (one row, or none for an empty database)."""
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.settings "
        "(municipality_code varchar, as_of_date date, source_mode varchar)"
    )
    if municipality_code is not None:
        con.execute("insert into meta.settings values (?, ?, 'snapshot')", [municipality_code, AS_OF_DATE])


def measure(measure_id: str, **fields: Any) -> dict[str, str]:
    """A measures.csv row with harmless defaults; numbers may be given as numbers."""
    row = {"measure_id": measure_id, "title_fi": f"Mittari {measure_id}", **MEASURE_DEFAULTS}
    row.update({key: "" if value is None else str(value) for key, value in fields.items()})
    return row


def write_catalog(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    rows: Mapping[str, Iterable[Mapping[str, Any]]],
) -> None:
    """Write hand-made catalog CSVs, load them with the production loaders and store the tables.

    The scorecard files (`scorecard_baselines`, `survey_response_rates`, `measure_themes`,
    `measure_goal_links`) may be given too; without links, each measure is a primary member of its
    catalog theme and of every goal in its goal_ids. min_change.csv is the real one.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        _write_csv(directory / f"{name}.csv", columns, rows.get(name, ()))
    measures = list(rows.get("measures", ()))
    default_links = {
        "measure_themes": [
            {"measure_id": m["measure_id"], "theme_id": m["theme_id"], "role": "primary", "line_ids": "L00"}
            for m in measures
        ],
        "measure_goal_links": [
            {"measure_id": m["measure_id"], "goal_id": goal, "role": "primary"}
            for m in measures
            for goal in m["goal_ids"].split("|")
        ],
    }
    for spec in SPECS:
        name = spec.table.split(".")[1]
        path = directory / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if name == "min_change":
            path.write_bytes(MIN_CHANGE_CSV.read_bytes())
        else:
            _write_csv(path, spec.columns, rows.get(name, default_links.get(name, ())))
    tables = dict(load_catalog(directory).tables())
    tables.update(load_scorecard_tables(directory))
    # the real region table (308 municipalities) and peer rules, through their production loader
    tables.update(region_tables(DATA_DIR))
    replace_tables(con, tables)


def _write_csv(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> None:
    columns = list(columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def insert_values(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert long-form rows; unspecified columns default to Heinola, the total group, a real value."""
    records = []
    for row in rows:
        record = {
            "region_code": MUNICIPALITY,
            "region_level": "kunta",
            "group_type": "total",
            "group_value": "total",
            "abs_value": None,
            "sample_size": None,
            "is_demo": False,
            "fetched_at": pd.Timestamp("2026-11-01 06:00"),
            **row,
        }
        record["period"] = str(record["period"])
        record.setdefault("year", int(record["period"][:4]))
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    con.register("_rows", frame)
    try:
        con.execute(f"insert into {table} by name select * from _rows")
    finally:
        con.unregister("_rows")


def insert_regions(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[str, str, str, str | None]]) -> None:
    """(region_code, region_level, region_name, maakunta_code) rows into raw.sotkanet_regions."""
    for region_id, (code, level, name, maakunta) in enumerate(rows, start=1):
        con.execute(
            "insert into raw.sotkanet_regions by name select ? as region_id, ? as region_code, "
            "? as region_level, ? as region_name, ? as maakunta_code",
            [region_id, code, level, name, maakunta],
        )


def one_goal_db(
    catalog_dir: Path, measures: Iterable[Mapping[str, Any]], **tables: Any
) -> duckdb.DuckDBPyConnection:
    """A warehouse with every input table in shape, the default settings (Heinola, 2026-11-30) and a
    catalog of one theme `t1` and one goal `g1` with these measures (plus any scorecard `tables`)."""
    con = duckdb.connect()
    create_raw_tables(con)
    create_empty_catalog(con)
    write_settings(con)
    write_catalog(
        con,
        catalog_dir,
        {
            "themes": [{"theme_id": "t1", "theme_no": 1, "title_fi": "T", "title_en": "T"}],
            "goals": [{"goal_id": "g1", "goal_no": 1, "theme_id": "t1", "title_fi": "G", "title_en": "G"}],
            "measures": list(measures),
            **tables,
        },
    )
    return con


def insert_indicator_levels(
    con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[str, str, int, str]]
) -> None:
    """(measure_id, group_value, indicator_id, region levels) rows into raw.sotkanet_indicators, as
    the sotkanet_indicators asset writes an id whose metadata was read (status 'ok')."""
    for measure_id, group_value, indicator_id, levels in rows:
        con.execute(
            "insert into raw.sotkanet_indicators by name select ? as indicator_id, ? as measure_id, "
            "'sotkanet' as source, ? as group_value, 'ok' as status, ? as region_levels, "
            "? as has_municipal_data",
            [indicator_id, measure_id, group_value, levels, "Kunta" in levels.split("|")],
        )


@pytest.fixture(scope="session")
def sql_project() -> tuple[list[SqlModel], list[SqlTest]]:
    return discover(SQL_ROOT)


@pytest.fixture(scope="session")
def models(sql_project: tuple[list[SqlModel], list[SqlTest]]) -> list[SqlModel]:
    return sql_project[0]


@pytest.fixture(scope="session")
def sql_tests(sql_project: tuple[list[SqlModel], list[SqlTest]]) -> list[SqlTest]:
    return sql_project[1]


@pytest.fixture(scope="session")
def build(models: list[SqlModel]) -> Callable[[duckdb.DuckDBPyConnection], dict[str, int]]:
    """Materialise every model in dependency order; returns row counts by table."""

    def run(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        return {model.table: materialize(con, model) for model in models}

    return run


@pytest.fixture(scope="session")
def failing_rows(sql_tests: list[SqlTest]) -> Callable[[duckdb.DuckDBPyConnection], dict[str, int]]:
    """Run every SQL test; returns the number of offending rows per test name."""

    def run(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        return {test.name: len(run_test(con, test)) for test in sql_tests}

    return run


def create_empty_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """The catalog tables with the types load_catalog gives them, and no rows."""
    numeric = {
        "theme_no": "bigint",
        "goal_no": "bigint",
        "target_year": "bigint",
        "target": "double",
        "value": "double",
    }
    con.execute("create schema if not exists catalog")
    shapes = {
        **COLUMNS,
        "measure_goals": ["measure_id", "goal_id"],
        **{spec.table.split(".")[1]: list(spec.columns) for spec in SPECS},
    }
    for spec in SPECS:
        numeric.update(dict.fromkeys(spec.numeric, "double"))
    numeric["is_demo"] = "boolean"
    for name, columns in shapes.items():
        typed = ", ".join(f"{column} {numeric.get(column, 'varchar')}" for column in columns)
        con.execute(f"create or replace table catalog.{name} ({typed})")
    for name, frame in region_tables(DATA_DIR).items():  # typed as the loader types them, no rows
        con.register("_shape", frame.head(0))
        con.execute(f"create or replace table {name} as select * from _shape")
        con.unregister("_shape")


@pytest.fixture
def shaped_db() -> Iterator[duckdb.DuckDBPyConnection]:
    """Every input table in its documented shape and empty: raw, catalog and meta.settings."""
    con = duckdb.connect()
    create_raw_tables(con)
    create_empty_catalog(con)
    write_settings(con, municipality_code=None)
    yield con
    con.close()


# --- The hand-made scenario: one measure per rule, with statuses known in advance -------------------

THEMES = [
    {"theme_id": "t1", "theme_no": 1, "title_fi": "Turvallinen arki", "title_en": "Safe everyday life"},
    {"theme_id": "t2", "theme_no": 2, "title_fi": "Osallisuus", "title_en": "Inclusion"},
]
GOALS = [
    {"goal_id": "g1", "goal_no": 1, "theme_id": "t1", "title_fi": "Turvallisuus", "title_en": "Safety"},
    {"goal_id": "g2", "goal_no": 2, "theme_id": "t1", "title_fi": "Apua saa", "title_en": "Help"},
    {"goal_id": "g3", "goal_no": 3, "theme_id": "t2", "title_fi": "Osallisuus", "title_en": "Inclusion"},
]
MEASURES = [
    # goal g1 (theme t1)
    measure("hb_improving", goal_ids="g1|g2"),
    measure("lb_worsening", title_fi="Heikkenevä mittari", polarity="lower_better"),
    measure("target_reached", source="resident_survey", polarity="target", target=80, target_year=2026),
    measure("mc_stable"),
    measure("no_source", source="local", source_ref="", unit="count"),
    # goal g2 (theme t1)
    measure("survey_stable", goal_ids="g2", source="resident_survey"),
    measure("survey_improving", goal_ids="g2", source="older_people_survey", polarity="lower_better"),
    measure("poisson_stable", goal_ids="g2", unit="per_10000", polarity="lower_better"),
    measure(
        "ktk_levels",
        goal_ids="g2",
        source="kouluterveyskysely",
        polarity="lower_better",
        school_levels="8.-9. lk|lukio",
    ),
    measure("context_count", goal_ids="g2", source="local", unit="count", polarity="context"),
    measure("single_point", goal_ids="g2", source="teaviisari", unit="score_0_100"),
    # goal g3 (theme t2)
    measure(
        "lasten_pienituloisuusaste",
        title_fi="Lasten pienituloisuusaste",
        theme_id="t2",
        goal_ids="g3",
        source="statfin",
        polarity="lower_better",
    ),
    measure("tyottomyysaste", theme_id="t2", goal_ids="g3", source="employment", polarity="lower_better"),
    measure("target_progress", theme_id="t2", goal_ids="g3", source="local", polarity="target", target=80),
    # the catalog allows the maakunta fallback, but the maakunta has no figure either
    measure("no_muni_data", theme_id="t2", goal_ids="g3", fallback_region_level="maakunta"),
]
PLAN_FIGURES = [
    {"figure_id": "f01", "measure_id": "", "value": 21.5, "unit": "eur_per_resident", "period": "2026"},
    {
        "figure_id": "f02",
        "measure_id": "lasten_pienituloisuusaste",
        "value": 19.9,
        "unit": "percent",
        "period": "2024",
    },
    {
        "figure_id": "f03",
        "measure_id": "tyottomyysaste",
        "value": 17.5,
        "unit": "percent",
        "period": "2025-12",
    },
    # a count stated next to a percentage measure is context, not a value of it
    {"figure_id": "f04", "measure_id": "tyottomyysaste", "value": 515, "unit": "count", "period": "2025-12"},
    # undated: cannot be placed in a series
    {"figure_id": "f05", "measure_id": "tyottomyysaste", "value": 16.0, "unit": "percent", "period": ""},
]
for figure in PLAN_FIGURES:
    figure.update(region_code="111", region_level="kunta", group_value="total")

REGIONS = [
    ("111", "kunta", "Heinola", "07"),
    ("098", "kunta", "Hollola", "07"),
    ("398", "kunta", "Lahti", "07"),
    ("853", "kunta", "Turku", "02"),
    ("07", "maakunta", "Päijät-Häme", None),
    ("02", "maakunta", "Varsinais-Suomi", None),
    # no row for the whole country: its name comes from the model
]


def v(measure_id: str, period: str | int, value: float | None, **fields: Any) -> dict[str, Any]:
    return {"measure_id": measure_id, "period": str(period), "value": value, **fields}


def write_scenario(con: duckdb.DuckDBPyConnection, catalog_dir: Path) -> None:
    """The good fixture: every scorecard rule exercised once (expected results in test_scorecard.py)."""
    create_raw_tables(con)
    write_settings(con)
    write_catalog(
        con,
        catalog_dir,
        {"themes": THEMES, "goals": GOALS, "measures": MEASURES, "plan_figures": PLAN_FIGURES},
    )
    insert_regions(con, REGIONS)
    insert_values(
        con,
        "raw.sotkanet_values",
        [
            # higher is better, +3 points since the 2025 baseline: improving by the 1-point rule
            v("hb_improving", 2024, 50.0),
            v("hb_improving", 2025, 52.0),
            v("hb_improving", 2026, 55.0),
            v("hb_improving", 2026, 53.0, region_code="07", region_level="maakunta"),
            v("hb_improving", 2026, 50.0, region_code="SSS", region_level="koko_maa"),
            v("hb_improving", 2026, 54.0, region_code="098"),
            v("hb_improving", 2026, 56.0, region_code="398"),
            v("hb_improving", 2026, 99.0, region_code="853"),  # another maakunta: not a peer
            # lower is better, +2 points: worsening; Lahti has no 2026 value, so no rank
            v("lb_worsening", 2025, 10.0),
            v("lb_worsening", 2026, 12.0),
            v("lb_worsening", 2026, 11.0, region_code="098"),
            v("lb_worsening", 2025, 9.0, region_code="398"),
            # +0.6 points is inside the 1-point band; the newer fetch of 2026 wins over the older one
            v("mc_stable", 2025, 30.0),
            v("mc_stable", 2026, 35.0, fetched_at=pd.Timestamp("2026-01-01")),
            v("mc_stable", 2026, 30.6, fetched_at=pd.Timestamp("2026-06-01")),
            # a rate with its count: 50 -> 60 per 10 000 on 25 -> 30 cases is Poisson noise
            v("poisson_stable", 2025, 50.0, abs_value=25),
            v("poisson_stable", 2026, 60.0, abs_value=30),
            v("no_muni_data", 2026, 40.0, region_code="398"),
        ],
    )
    insert_values(
        con,
        "raw.survey_values",
        [
            v("target_reached", 2025, 75.0, survey="resident_survey"),
            v("target_reached", 2026, 81.0, survey="resident_survey"),
            # 40 % of 200 respondents -> Wilson 95 % interval about 33.5-47.2: 44 % is inside
            v("survey_stable", 2025, 40.0, sample_size=200, survey="resident_survey"),
            v("survey_stable", 2027, 44.0, sample_size=210, survey="resident_survey"),
            # lower is better; 30 % of 100 -> about 21.9-39.6: 15 % is below it
            v("survey_improving", 2024, 30.0, sample_size=100, survey="older_people_survey"),
            v("survey_improving", 2026, 15.0, sample_size=100, survey="older_people_survey"),
        ],
    )
    ktk = {"group_type": "school_level"}
    insert_values(
        con,
        "raw.kouluterveyskysely_values",
        [
            # the 2025 survey is the baseline and the latest, so it is compared with 2023
            v("ktk_levels", 2023, 20.0, sample_size=300, group_value="8.-9. lk", **ktk),
            v("ktk_levels", 2025, 12.0, sample_size=300, group_value="8.-9. lk", **ktk),
            v("ktk_levels", 2023, 10.0, sample_size=150, group_value="lukio", **ktk),
            v("ktk_levels", 2025, 18.0, sample_size=150, group_value="lukio", **ktk),
        ],
    )
    insert_values(
        con,
        "raw.local_counts",
        [
            v("context_count", 2025, 100.0),
            v("context_count", 2026, 120.0),
            v("target_progress", 2025, 60.0),
            v("target_progress", 2026, 70.0),
        ],
    )
    insert_values(con, "raw.teaviisari_values", [v("single_point", 2026, 70.0)])
    insert_indicator_levels(con, [("hb_improving", "total", 3219, "Kunta|Maakunta|Maa")])
    insert_values(
        con,
        "raw.statfin_values",
        [
            v("lasten_pienituloisuusaste", 2023, 18.0, is_demo=True),
            # the plan's 19.9 for 2024 (real) replaces this demo value
            v("lasten_pienituloisuusaste", 2024, 21.0, is_demo=True),
            # a demo value never beats a real one of another source
            v("hb_improving", 2026, 40.0, is_demo=True),
        ],
    )
    insert_values(
        con,
        "raw.employment_values",
        [
            v("tyottomyysaste", period, value, is_demo=True)
            for period, value in [
                ("2024-10", 16.0),
                ("2025-10", 17.5),
                ("2025-12", 18.2),  # the plan's real 17.5 replaces it
                ("2026-09", 15.0),
                ("2026-10", 16.0),
            ]
        ],
    )


@pytest.fixture(scope="session")
def scenario_db(
    tmp_path_factory: pytest.TempPathFactory, build: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The good fixture with every model built (shared: tests must not modify it)."""
    con = duckdb.connect()
    write_scenario(con, tmp_path_factory.mktemp("catalog"))
    build(con)
    yield con
    con.close()
