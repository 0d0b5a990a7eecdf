"""Read a delivered file into rows of raw cells: CSV in UTF-8 or cp1252, or the first sheet of an .xlsx.

Everything that makes a file unreadable as a whole (wrong encoding, too big, not a workbook) is a
`SourceError` naming the file and, where one applies, the row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.local_files.parsing import cell_text, is_blank
from hyte_assets.lib.local_files.templates import EXCEL_SUFFIXES, LIMITS, SOURCE, TEMPLATES, Limits

Rows = list[tuple[int, list[Any]]]
# cp1252 characters (from bytes 0x80-0x9F) that Finnish and Swedish text does not use. A file saved
# in another 8-bit code page decodes to them: DOS cp850 has ä=0x84 („) and å=0x86 (†).
_FOREIGN = frozenset("‚ƒ„†‡ˆ‰‹Œ˜›œŸ")
_C1 = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
_CODE_PAGE_HINT = (
    "the file is probably in another 8-bit code page (DOS cp850, Mac Roman, ISO-8859-x): "
    "save it in Excel as 'CSV UTF-8 (pilkuin eroteltu)'"
)


@dataclass(frozen=True)
class UncachedFormula:
    """An .xlsx formula cell whose result was never saved (the file was written by a program that
    does not calculate). Reading it as empty would turn a group's figure into the total's."""

    formula: str
    coordinate: str


def sniff_encoding(raw: bytes, *, file: str | None = None) -> str:
    """Return "utf-8-sig", "utf-8" or "cp1252" for a delivered text file.

    Strict UTF-8 is tried first because cp1252 accepts almost any byte sequence; cp1252 is then
    accepted only if the text has no control characters (which rejects UTF-16 and binary files) and
    no character that only another code page's letters turn into (which rejects DOS and Mac files
    that would otherwise load with garbled ä and ö).
    """
    hint = ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:  # cp1252 is single-byte, so a character index is also the byte offset
            decoded = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            bad = exc.start
            hint = f" ({_CODE_PAGE_HINT})"
        else:
            bad = _first_control_char(decoded)
            if bad is None:
                foreign = _first_foreign_char(decoded)
                if foreign is None:
                    return "cp1252"
                word = decoded[max(foreign - 8, 0) : foreign + 8].strip()
                raise SourceError(
                    SOURCE,
                    f"file is not UTF-8, and read as Windows-1252 (cp1252) byte {raw[foreign]:#04x} at "
                    f"offset {foreign} gives {decoded[foreign]!r} in {word!r}: {_CODE_PAGE_HINT}",
                    file=file,
                    row=raw.count(b"\n", 0, foreign) + 1,
                )
    else:
        bad_char = _first_control_char(text)
        if bad_char is None:
            return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        bad = len(text[:bad_char].encode("utf-8"))
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        hint = " (it looks like UTF-16: save as 'CSV UTF-8' instead)"
    raise SourceError(
        SOURCE,
        f"cannot decode file as UTF-8 or cp1252: byte {raw[bad]:#04x} at offset {bad} is not text{hint}",
        file=file,
        row=raw.count(b"\n", 0, bad) + 1,
    )


def _first_control_char(text: str) -> int | None:
    return next((i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\t\r\n"), None)


def _first_foreign_char(text: str) -> int | None:
    """Index of a cp1252 character that betrays another code page: one Finnish text never uses, or
    any 0x80-0x9F character inside a word (Mac Roman's ä is cp1252's Š: "PŠivŠ")."""
    for i, ch in enumerate(text):
        if ch in _FOREIGN:
            return i
        if ch in _C1 and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            return i
    return None


def read_rows(path: Path, limits: Limits = LIMITS) -> tuple[int, list[str | None], Rows]:
    """Header row number, header texts, and the non-blank data rows as (row number, cells)."""
    if path.suffix.lower() == ".xls":
        raise SourceError(
            SOURCE, "old .xls workbooks are not read: save as .xlsx or CSV", file=str(path), row=1
        )
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise SourceError(
            SOURCE,
            f"file is {size:,} bytes, more than the limit of {limits.max_bytes:,} for one delivery: "
            "split it by year or measure",
            file=str(path),
        )
    rows = _read_excel(path, limits) if path.suffix.lower() in EXCEL_SUFFIXES else _read_csv(path, limits)
    rows = [(line, cells) for line, cells in rows if not all(is_blank(c) for c in cells)]
    if not rows:
        expected = "; ".join(f"{kind}: {', '.join(t.required_headers)}" for kind, t in TEMPLATES.items())
        raise SourceError(SOURCE, f"file is empty: expected a header row ({expected})", file=str(path), row=1)
    (header_row, header_cells), *data = rows
    if len(data) > limits.max_rows:
        raise SourceError(
            SOURCE,
            f"file has {len(data):,} data rows, more than the limit of {limits.max_rows:,} for one "
            "delivery: split it by year or measure",
            file=str(path),
            row=data[limits.max_rows][0],
        )
    return header_row, [cell_text(cell) for cell in header_cells], data


def _read_csv(path: Path, limits: Limits) -> Rows:
    """Rows of a delimited text file with the line number each record starts on."""
    raw = path.read_bytes()
    text = raw.decode(sniff_encoding(raw, file=str(path)))
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = "," if "," in first_line and ";" not in first_line else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    last_line = 0
    try:
        for cells in reader:
            rows.append((last_line + 1, cells))
            last_line = reader.line_num
    except csv.Error as exc:
        raise SourceError(SOURCE, f"cannot read as CSV: {exc}", file=str(path), row=last_line + 1) from None
    return rows


def _read_excel(path: Path, limits: Limits) -> Rows:
    """Rows of the first worksheet with Excel row numbers.

    Read with openpyxl rather than pandas.read_excel to keep true row numbers and to see number
    formats: a cell shown as "12,5 %" holds 0.125, which is scaled back to 12.5 like CSV text. The
    workbook is opened twice, for the saved results and for the formulas, so that a formula without
    a saved result becomes an `UncachedFormula` instead of an empty cell.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceError(SOURCE, f"cannot open as an .xlsx workbook: {exc}", file=str(path), row=1) from None
    try:
        sheet, formula_sheet = values.worksheets[0], formulas.worksheets[0]
        if sheet.max_row > limits.max_rows + 1:
            raise SourceError(
                SOURCE,
                f"the first sheet has {sheet.max_row:,} rows, more than the limit of {limits.max_rows:,} "
                "data rows for one delivery: split it by year or measure",
                file=str(path),
                row=limits.max_rows + 2,
            )
        rows: Rows = []
        for row, formula_row in zip(sheet.iter_rows(), formula_sheet.iter_rows(), strict=True):
            cells = [_excel_cell(cell, source) for cell, source in zip(row, formula_row, strict=True)]
            rows.append((row[0].row, cells))
        return rows
    finally:
        values.close()
        formulas.close()


def _excel_cell(cell: Any, source: Any) -> Any:
    if cell.value is None and source.data_type == "f":
        return UncachedFormula(str(getattr(source.value, "text", source.value)), source.coordinate)
    if isinstance(cell.value, int | float) and "%" in (cell.number_format or ""):
        return round(cell.value * 100, 10)
    return cell.value
