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


def every_kind_of_cell() -> duckdb.DuckDBPyConnection:
    """A report table with each column type DuckDB hands the exporter, and text Excel would misread."""
    con = duckdb.connect()
    con.execute("create schema reports")
    con.execute(
        """
        create table reports.a_table_name_longer_than_excel_allows as select * from (values
            ('=1+1', 1.5::double, 7::bigint, true, date '2026-03-01', timestamp '2026-03-01 06:30:00',
             time '06:30:00', interval 90 minute, 12.25::decimal(10, 2), ['a', '=b'], 'percent',
             41.26::double),
            ('http://example.invalid/x', 'nan'::double, null, false, null, null, null, null, null, [],
             'count', 1234.6::double),
            ('0123', 'inf'::double, -3, null, null, null, null, null, null, ['+41', '@SUM(A1)'], null, null),
            ('rivi 1' || chr(13) || chr(10) || 'rivi 2', -2.0, 0, false, null, null, null, null, null, null,
             'percent', null)
        ) as t(note, share, total, flag, day, stamp, clock, span, price, tags, unit, latest_value)
        """
    )
    return con


@pytest.fixture(params=["in_memory", "constant_memory"])
def xlsx_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a sheet is written: small ones in memory, large ones row by row."""
    from hyte_assets.lib import exports

    monkeypatch.setattr(exports, "XLSX_IN_MEMORY_CELLS", 10**9 if request.param == "in_memory" else 0)
    return request.param


def test_xlsx_cells_keep_their_types_formats_and_layout(tmp_path: Path, xlsx_mode: str) -> None:
    """Read back with openpyxl: typed numbers, booleans and dates with ISO formats, text that stays
    text (not a formula, link or number), the bold frozen header and the column widths."""
    import datetime as dt

    from openpyxl import load_workbook

    name = "reports.a_table_name_longer_than_excel_allows"
    export_tables(every_kind_of_cell(), [name], tmp_path)
    book = load_workbook(export_dir(tmp_path) / "a_table_name_longer_than_excel_allows.xlsx")
    assert book.sheetnames == ["a_table_name_longer_than_excel_"], "Excel's 31 characters"
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L5"
    assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
    first, second, third, fourth = (list(r) for r in sheet.iter_rows(min_row=2))

    assert [(c.value, c.data_type) for c in (first[0], second[0], third[0])] == [
        ("=1+1", "s"),
        ("http://example.invalid/x", "s"),
        ("0123", "s"),
    ], "text stays text: no formula, no number"
    assert second[0].hyperlink is None and not sheet._hyperlinks  # noqa: SLF001 - no link either
    assert fourth[0].value == "rivi 1\nrivi 2", "line ends as Excel reads them back"
    assert [(c.value, c.data_type) for c in (first[1], first[2], third[2], fourth[2])] == [
        (1.5, "n"),
        (7, "n"),
        (-3, "n"),
        (0, "n"),
    ]
    assert second[1].value is None and third[1].value is None, "NaN and infinity are empty cells"
    assert second[2].value is None and third[3].value is None, "NULL is an empty cell"
    assert (first[3].value, first[3].data_type, second[3].value) == (True, "b", False)
    assert (first[4].value, first[4].number_format) == (dt.datetime(2026, 3, 1), "yyyy-mm-dd")
    assert (first[5].value, first[5].number_format) == (dt.datetime(2026, 3, 1, 6, 30), "yyyy-mm-dd h:mm:ss")
    assert (first[6].value, first[6].number_format) == (dt.time(6, 30), "h:mm:ss")
    assert (first[7].value, first[7].number_format) == (dt.timedelta(minutes=90), "[hh]:mm:ss")
    assert (first[8].value, first[8].data_type, first[8].number_format) == (12.25, "n", "General")
    assert (first[9].value, first[9].data_type, second[9].value) == ("a|=b", "s", None), "a list is text"
    assert (third[9].value, third[9].data_type) == ("+41|@SUM(A1)", "s")
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"], "no formula"
    # the level of a percent measure (no catalog here: the row's own unit) as a percentage cell
    assert (first[11].value, first[11].number_format) == (pytest.approx(0.413), "0.0%")
    assert (second[11].value, second[11].number_format) == (1235, "0")

    widths = {i: d.width for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert widths[1] == len("http://example.invalid/x") + 2, "the longest cell and two characters"
    assert widths[3] == len("total") + 2, "the header when it is longer than the cells"
    assert widths[4] == len("false") + 2, "booleans measured as their CSV text"


def test_xlsx_column_width_is_capped(tmp_path: Path, xlsx_mode: str) -> None:
    from openpyxl import load_workbook

    con = duckdb.connect()
    con.execute("create schema reports")
    con.execute("create table reports.long_text as select repeat('x', 500) as text, 1 as n")
    export_tables(con, ["reports.long_text"], tmp_path)
    sheet = load_workbook(export_dir(tmp_path) / "long_text.xlsx").active
    assert sheet["A2"].value == "x" * 500
    assert [sheet.column_dimensions[c].width for c in "AB"] == [60, 3]
