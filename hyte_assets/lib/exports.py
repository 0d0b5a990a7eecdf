"""Files of the published report tables: Parquet for analysts, CSV and XLSX for Excel users.

The CSV is what Finnish Excel opens correctly with a double click: `;` between fields (the
list separator of the Finnish locale), decimal comma, UTF-8 *with* BOM (without it Excel
assumes cp1252 and garbles ä and ö) and CRLF line ends. NULL is an empty cell, booleans are
`true`/`false`, timestamps are ISO 8601, list cells are joined with `|` as in the catalog CSVs.
The XLSX stores numbers as numbers, so it does not depend on the reader's locale at all.

For Excel readers (CSV and XLSX, not Parquet): the header row has Finnish column names, rows are in
the plan's order of theme, goal and measure, a number in a measure's unit is rounded to that unit's
decimals, and in XLSX a percentage level is a real percentage cell (12.5 % stored as 0.125 with a
`0.0%` format, as Excel itself does) and every sheet has an autofilter (`export_columns`).
Parquet keeps the English names, the table's order and full precision for analysts.

Outside text never becomes a formula: XLSX text cells are written as explicit string cells, and a CSV
cell that Excel would read as a formula (starting with `= + - @`, tab or CR) gets a leading `'`
(OWASP's rule for CSV injection). Numbers are typed cells, so a negative number keeps its sign.

`data/exports/` is shared with analysts, so the project writes only into its own subfolder
(`data/exports/hyte/`) and never touches anything else there. A publication is written whole into a
hidden temporary folder and then swapped in with two renames: a kill leaves either the old or the new
folder (or, between the renames, none, which the next run rebuilds), never files of two publications.
"""

import csv
import datetime as dt
import decimal
import math
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from hyte_assets.lib.export_columns import (
    DELTA_COLUMNS,
    LEVEL_COLUMNS,
    PlanOrder,
    fi_header,
    plan_order,
    rounded,
    sorted_rows,
)

FORMATS = ("parquet", "csv", "xlsx")
CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"
XLSX_MAX_WIDTH = 60
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
XLSX_IN_MEMORY_CELLS = 250_000  # larger sheets are written row by row (XlsxWriter's constant_memory)
XLSX_DIGIT_PIXELS = 7  # the width of a digit in Excel's default font (Calibri 11), a column's unit
# Number formats of dates and times (openpyxl's defaults, which the exports have always had).
XLSX_DATE_FORMATS = {
    dt.datetime: "yyyy-mm-dd h:mm:ss",
    dt.date: "yyyy-mm-dd",
    dt.time: "h:mm:ss",
    dt.timedelta: "[hh]:mm:ss",
}
EXPORT_SUBDIR = "hyte"  # the project's own folder inside data/exports
_TMP_PREFIX = f".{EXPORT_SUBDIR}.tmp-"
_OLD_PREFIX = f".{EXPORT_SUBDIR}.old-"
# OWASP CSV injection: a cell starting with one of these is a formula (or DDE) to Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportedTable:
    """The files written for one table and its row count."""

    table: str
    rows: int
    files: tuple[Path, ...]
    note: str = ""


def export_dir(exports_root: str | Path) -> Path:
    """The project's folder inside the shared exports folder (`data/exports/hyte`)."""
    return Path(exports_root) / EXPORT_SUBDIR


def export_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], exports_root: str | Path
) -> list[ExportedTable]:
    """Write `<table>.parquet`, `.csv` and `.xlsx` for each `schema.table` into `export_dir(exports_root)`.

    The folder is rebuilt whole and swapped in (see the module docstring), so it always mirrors the
    published tables; files of analysts beside it in `exports_root` are left alone. A table with more
    rows than an Excel sheet holds gets no XLSX (`ExportedTable.note` says so).
    """
    root = Path(exports_root)
    root.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(root)
    target = export_dir(root)
    tmp = root / f"{_TMP_PREFIX}{uuid.uuid4().hex}"
    tmp.mkdir()
    exported = []
    order = plan_order(con)
    try:
        for name in tables:
            exported.append(_export_table(con, name, tmp, target, order))
        _swap_in(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return exported


def _export_table(
    con: duckdb.DuckDBPyConnection, name: str, tmp: Path, target: Path, order: PlanOrder | None = None
) -> ExportedTable:
    stem = name.partition(".")[2]
    cursor = con.execute(f"select * from {_qualified(name)}")
    columns = [d[0] for d in cursor.description]
    order = order or PlanOrder()
    rows, formats = _rounded_rows(columns, sorted_rows(columns, cursor.fetchall(), order), order)
    headers = [fi_header(c) for c in columns]
    _write_parquet(con, name, tmp / f"{stem}.parquet")
    write_csv(tmp / f"{stem}.csv", columns=headers, rows=rows)
    names = [f"{stem}.parquet", f"{stem}.csv"]
    note = ""
    if len(rows) < XLSX_MAX_ROWS:
        write_xlsx(tmp / f"{stem}.xlsx", sheet=stem, columns=headers, rows=rows, formats=formats)
        names.append(f"{stem}.xlsx")
    else:
        note = (
            f"{len(rows):,} rows do not fit an Excel sheet ({XLSX_MAX_ROWS - 1:,} at most): no XLSX, use CSV"
        )
    return ExportedTable(name, len(rows), tuple(target / n for n in names), note)


def _rounded_rows(
    columns: Sequence[str], rows: list[tuple[Any, ...]], order: PlanOrder
) -> tuple[list[tuple[Any, ...]], list[list[tuple[int | None, bool]]]]:
    """Each row with its numbers rounded to their unit's decimals, and each cell's (decimals,
    is_percent). Only level and difference columns can be in a unit (`PlanOrder.number_format`), so
    only they are looked at, with the row's mapping built once per row."""
    plain = (None, False)
    in_unit = [i for i, c in enumerate(columns) if c in LEVEL_COLUMNS or c in DELTA_COLUMNS]
    if not in_unit:
        return rows, [[plain] * len(columns)] * len(rows)  # one list, only read
    out_rows, formats = [], []
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        fmt = [plain] * len(columns)
        values = list(row)
        for i in in_unit:
            fmt[i] = order.number_format(columns[i], record)
            values[i] = rounded(row[i], fmt[i][0])
        out_rows.append(tuple(values))
        formats.append(fmt)
    return out_rows, formats


def _swap_in(new: Path, target: Path) -> None:
    """Replace the `target` folder by `new`: old aside, new in, old removed."""
    old = target.with_name(f"{_OLD_PREFIX}{uuid.uuid4().hex}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(root: Path) -> None:
    """Temporary and replaced folders of an export that was killed (only the project's own names)."""
    for path in root.iterdir():
        if path.is_dir() and not path.is_symlink() and path.name.startswith((_TMP_PREFIX, _OLD_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)


def csv_cell(value: Any) -> str:
    """One value in the Finnish CSV convention (decimal comma; see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",") if math.isfinite(value) else ""
    if isinstance(value, decimal.Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "|".join(csv_cell(v) for v in value)
    return str(value)


def csv_safe(text: str) -> str:
    """Prefix text Excel would run as a formula with `'` (OWASP); numbers never come here as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([_csv_field(v) for v in row] for row in rows)


def _csv_field(value: Any) -> str:
    """A value as a CSV field; only text can carry a formula (a negative number stays `-1,5`)."""
    if type(value) is str:  # the commonest cell, without `csv_cell`'s chain of type tests
        return csv_safe(value)
    if value is None:
        return ""
    text = csv_cell(value)
    return csv_safe(text) if isinstance(value, str | list | tuple) else text


def write_xlsx(
    path: Path,
    sheet: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[Sequence[tuple[int | None, bool]]] | None = None,
) -> None:
    """One sheet, bold frozen header with an autofilter, numbers and dates as typed cells. `formats`
    gives per cell (decimals, is_percent): a percentage is stored as a fraction with a percent format,
    a number with decimals gets a fixed-decimals format.

    Written with XlsxWriter (imported here), two to three times as fast as openpyxl's write-only mode for
    the same cells: a sheet of up to `XLSX_IN_MEMORY_CELLS` cells is built in memory (shared strings,
    the faster mode), a larger one row by row in `constant_memory` mode, so a national table never
    holds every cell object at once. Text goes through `write_string` only and the workbook converts
    no string to a formula, URL or number, so outside text stays text.
    """
    import xlsxwriter

    small = len(rows) * len(columns) <= XLSX_IN_MEMORY_CELLS
    options = {
        "in_memory" if small else "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(str(path), options) as workbook:
        worksheet = workbook.add_worksheet(sheet[:31])  # Excel's limit for sheet names
        worksheet.freeze_panes(1, 0)
        if columns:
            worksheet.autofilter(0, 0, len(rows), len(columns) - 1)
        sample = rows[:200]
        for i, column in enumerate(columns):
            longest = max([len(column), *(len(csv_cell(r[i])) for r in sample)])
            # In pixels of the default font's digit (7 px), so the file stores exactly this many characters.
            width = min(longest + 2, XLSX_MAX_WIDTH)
            worksheet.set_column_pixels(i, i, width * XLSX_DIGIT_PIXELS)
        bold = workbook.add_format({"bold": True})
        for i, column in enumerate(columns):
            worksheet.write_string(0, i, column, bold)
        _write_cells(workbook, worksheet, rows, formats)


def _write_cells(
    workbook: Any,
    worksheet: Any,
    rows: Sequence[Sequence[Any]],
    formats: Sequence[Sequence[tuple[int | None, bool]]] | None,
) -> None:
    """The data rows below the header, each cell by its (converted) value's type."""
    styles: dict[str | None, Any] = {None: None}
    write_string, write_number = worksheet.write_string, worksheet.write_number
    for r, row in enumerate(rows, start=1):
        cells = formats[r - 1] if formats is not None else [(None, False)] * len(row)
        for c, raw in enumerate(row):
            if type(raw) is str and raw and "\r" not in raw:  # the commonest cell, as it is
                write_string(r, c, raw)
                continue
            value, number_format = _xlsx_value(raw, cells[c])
            if value is None or value == "":  # empty text is an empty cell, as NULL is
                continue
            if number_format not in styles:
                styles[number_format] = workbook.add_format({"num_format": number_format})
            kind = type(value)
            if kind is str:
                write_string(r, c, value)
            elif kind is float or kind is int:
                write_number(r, c, value, styles[number_format])
            elif kind is bool:
                worksheet.write_boolean(r, c, value)
            else:
                worksheet.write_datetime(r, c, value, styles[number_format])


def _xlsx_value(value: Any, fmt: tuple[int | None, bool] = (None, False)) -> tuple[Any, str | None]:
    """The value an XLSX cell holds and its number format: a number with the measure's decimals (as a
    fraction with a percent format when it is a percentage), a date or time with an ISO format, text
    with its line ends as XML reads them back (CR to LF); `(None, None)` for an empty cell."""
    kind = type(value)
    if kind is str:
        return (value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value), None
    if kind is float or kind is int:
        if kind is float and not math.isfinite(value):
            return None, None
        decimals, percent = fmt
        if decimals is None:
            return value, None
        digits = "0" + ("." + "0" * decimals if decimals else "")
        return (round(value / 100, decimals + 2), digits + "%") if percent else (value, digits)
    if value is None or kind is bool:
        return value, None
    if isinstance(value, decimal.Decimal):
        return float(value), None
    if isinstance(value, list | tuple):
        return _xlsx_value("|".join(csv_cell(v) for v in value))
    for date_type, date_format in XLSX_DATE_FORMATS.items():
        if isinstance(value, date_type):
            return value, date_format
    if isinstance(value, int | float):  # a subclass of a number
        return _xlsx_value(float(value) if isinstance(value, float) else int(value), fmt)
    return _xlsx_value(str(value))


def _write_parquet(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """DuckDB writes Parquet itself: typed columns, no pandas round trip."""
    literal = str(path).replace("'", "''")
    con.execute(f"copy (select * from {_qualified(name)}) to '{literal}' (format parquet, compression zstd)")


def _qualified(name: str) -> str:
    schema, _, table = name.partition(".")
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))
