"""Files of the published report tables: Parquet for analysts, CSV and XLSX for Excel users.

The CSV is what Finnish Excel opens correctly with a double click: `;` between fields (the
list separator of the Finnish locale), decimal comma, UTF-8 *with* BOM (without it Excel
assumes cp1252 and garbles ä and ö) and CRLF line ends. NULL is an empty cell, booleans are
`true`/`false`, timestamps are ISO 8601, list cells are joined with `|` as in the catalog CSVs.
The XLSX stores numbers as numbers, so it does not depend on the reader's locale at all.
Every file is written beside its target and renamed into place, so a reader never sees half a file.
"""

import csv
import datetime as dt
import decimal
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

FORMATS = ("parquet", "csv", "xlsx")
CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"
XLSX_MAX_WIDTH = 60


@dataclass(frozen=True)
class ExportedTable:
    """The files written for one table and its row count."""

    table: str
    rows: int
    files: tuple[Path, ...]


def export_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], out_dir: str | Path
) -> list[ExportedTable]:
    """Write `<table>.parquet`, `.csv` and `.xlsx` for each `schema.table` into out_dir.

    Files of these formats that belong to no exported table (a table that was dropped) are removed,
    so the folder always mirrors the published tables.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exported = []
    for name in tables:
        stem = name.partition(".")[2]
        cursor = con.execute(f"select * from {_qualified(name)}")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        files = (out / f"{stem}.parquet", out / f"{stem}.csv", out / f"{stem}.xlsx")
        _replace(files[0], partial(_write_parquet, con, name))
        _replace(files[1], partial(write_csv, columns=columns, rows=rows))
        _replace(files[2], partial(write_xlsx, sheet=stem, columns=columns, rows=rows))
        exported.append(ExportedTable(name, len(rows), files))
    written = {f.name for e in exported for f in e.files}
    for stale in out.iterdir():
        if stale.suffix.lstrip(".") in FORMATS and stale.name not in written:
            stale.unlink()
    return exported


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


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([csv_cell(v) for v in row] for row in rows)


def write_xlsx(path: Path, sheet: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """One sheet, bold frozen header, numbers and dates as typed cells (openpyxl, imported here)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])  # Excel's limit for sheet names
    worksheet.freeze_panes = "A2"
    sample = rows[:200]
    for i, column in enumerate(columns):
        longest = max([len(column), *(len(csv_cell(r[i])) for r in sample)])
        worksheet.column_dimensions[get_column_letter(i + 1)].width = min(longest + 2, XLSX_MAX_WIDTH)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=column)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        worksheet.append([_xlsx_value(v) for v in row])
    workbook.save(path)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return "|".join(csv_cell(v) for v in value)
    return value


def _write_parquet(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """DuckDB writes Parquet itself: typed columns, no pandas round trip."""
    literal = str(path).replace("'", "''")
    con.execute(f"copy (select * from {_qualified(name)}) to '{literal}' (format parquet, compression zstd)")


def _replace(target: Path, write: Callable[[Path], None]) -> None:
    """Write through `<target>.tmp` and rename, so the target is always whole."""
    tmp = target.with_name(target.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _qualified(name: str) -> str:
    schema, _, table = name.partition(".")
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))
