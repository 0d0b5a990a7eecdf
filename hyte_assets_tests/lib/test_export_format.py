"""CSV/XLSX exports for Excel users: plan order, the unit's decimals, percent cells, Finnish headers
and an autofilter, read back with openpyxl and the csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from hyte_assets.lib.export_columns import FI_HEADERS, UNIT_DECIMALS
from hyte_assets.lib.exports import export_dir, export_tables

REPO = Path(__file__).resolve().parents[2]


def warehouse() -> duckdb.DuckDBPyConnection:
    """A serving file in miniature: the plan's order is not the ids' alphabetical order."""
    con = duckdb.connect()
    con.execute("create schema catalog; create schema reports")
    con.execute("create table catalog.themes (theme_id varchar, theme_no bigint)")
    con.execute("insert into catalog.themes values ('turvallinen_arki', 1), ('elintavat', 2)")
    con.execute("create table catalog.goals (goal_id varchar, goal_no bigint, theme_id varchar)")
    con.execute("insert into catalog.goals values ('g1', 1, 'turvallinen_arki'), ('g7', 2, 'elintavat')")
    con.execute("create table catalog.measures (measure_id varchar, unit varchar, theme_id varchar)")
    con.execute(
        "insert into catalog.measures values ('zz_kaynnit', 'count', 'turvallinen_arki'), "
        "('aa_osuus', 'percent', 'turvallinen_arki'), ('liikunta', 'percent', 'elintavat')"
    )
    con.execute(
        "create table reports.scorecard_indicator (measure_id varchar, theme_id varchar, goal_ids varchar, "
        "unit varchar, latest_value double, change_since_baseline double, standardized_change double, "
        "title_fi varchar)"
    )
    con.executemany(
        "insert into reports.scorecard_indicator values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ["liikunta", "elintavat", "g7", "percent", 41.2345, -1.26, 0.123456, "=Liikunta"],
            ["aa_osuus", "turvallinen_arki", "g1", "percent", 12.3456, 0.04, 1.5, "Osuus"],
            ["zz_kaynnit", "turvallinen_arki", "g1", "count", 1234.6, 10.4, None, "Käynnit"],
        ],
    )
    return con


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    export_tables(warehouse(), ["reports.scorecard_indicator"], tmp_path)
    return export_dir(tmp_path)


def test_xlsx_is_sorted_rounded_percent_formatted_with_finnish_headers_and_autofilter(exported: Path) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(exported / "scorecard_indicator.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header == [
        "mittarin tunnus", "teeman tunnus", "tavoitteet", "yksikkö", "viimeisin arvo",
        "muutos lähtötasosta", "vakioitu muutos", "nimi",
    ]  # fmt: skip
    rows = list(sheet.iter_rows(min_row=2))
    # the plan's order: theme 1 (its measures in catalog order: zz_kaynnit, then aa_osuus), theme 2
    assert [r[0].value for r in rows] == ["zz_kaynnit", "aa_osuus", "liikunta"]
    latest = {r[0].value: r[4] for r in rows}
    assert latest["aa_osuus"].value == pytest.approx(0.123) and latest["aa_osuus"].number_format == "0.0%"
    assert latest["liikunta"].value == pytest.approx(0.412) and latest["liikunta"].number_format == "0.0%"
    assert latest["zz_kaynnit"].value == 1235 and latest["zz_kaynnit"].number_format == "0"
    change = {r[0].value: r[5] for r in rows}  # a difference: rounded, in percentage points, no % format
    assert change["liikunta"].value == pytest.approx(-1.3) and change["liikunta"].number_format == "0.0"
    assert change["aa_osuus"].value == pytest.approx(0.0)
    assert {r[0].value: r[6].value for r in rows}["liikunta"] == pytest.approx(0.123456), "not in a unit"
    assert sheet.auto_filter.ref == "A1:H4"
    assert rows[2][7].data_type == "s" and rows[2][7].value == "=Liikunta", "text never becomes a formula"


def test_csv_has_the_same_order_rounding_and_headers(exported: Path) -> None:
    text = (exported / "scorecard_indicator.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:5] == ["mittarin tunnus", "teeman tunnus", "tavoitteet", "yksikkö", "viimeisin arvo"]
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [
        ("zz_kaynnit", "1235,0", "10,0"),
        ("aa_osuus", "12,3", "0,0"),
        ("liikunta", "41,2", "-1,3"),
    ]
    assert rows[3][7] == "'=Liikunta", "the OWASP prefix stays"


def test_parquet_keeps_english_names_and_full_precision(exported: Path) -> None:
    con = duckdb.connect()
    path = str(exported / "scorecard_indicator.parquet")
    columns = [d[0] for d in con.execute("select * from read_parquet(?)", [path]).description]
    assert columns[:2] == ["measure_id", "theme_id"]
    (value,) = con.execute(
        "select latest_value from read_parquet(?) where measure_id = 'aa_osuus'", [path]
    ).fetchone()
    assert value == pytest.approx(12.3456)


def test_every_documented_report_column_has_a_finnish_header_and_docs_list_the_mapping() -> None:
    docs = (REPO / "docs" / "report-tables.md").read_text(encoding="utf-8")
    section, columns = "", set()
    for line in docs.splitlines():
        if line.startswith("## "):
            section = line[3:]
        elif section.startswith("reports.") and line.startswith("| ") and not line.startswith("| column"):
            columns.add(line.split("|")[1].strip())
    columns.discard("---")
    assert columns - set(FI_HEADERS) == set()
    for english, finnish in FI_HEADERS.items():
        assert f"| {english} | {finnish} |" in docs, english
    catalog = (REPO / "data" / "catalog" / "measures.csv").read_text(encoding="utf-8")
    units = {row["unit"] for row in csv.DictReader(io.StringIO(catalog))}
    assert units <= set(UNIT_DECIMALS), "every catalog unit has its decimals"


def test_rollup_rows_put_each_theme_before_its_goals(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    con = warehouse()
    con.execute("create table reports.scorecard_rollup (level varchar, rollup_id varchar, theme_id varchar)")
    con.execute(
        "insert into reports.scorecard_rollup values ('goal', 'g7', 'elintavat'), ('theme', 'elintavat', "
        "'elintavat'), ('goal', 'g1', 'turvallinen_arki'), ('theme', 'turvallinen_arki', 'turvallinen_arki')"
    )
    export_tables(con, ["reports.scorecard_rollup"], tmp_path)
    sheet = load_workbook(export_dir(tmp_path) / "scorecard_rollup.xlsx").active
    assert [c.value for c in sheet[1]] == ["taso", "tunnus", "teeman tunnus"]
    assert [r[1].value for r in sheet.iter_rows(min_row=2)] == ["turvallinen_arki", "g1", "elintavat", "g7"]
    assert sheet.auto_filter.ref == "A1:C5"
