"""Load the files city staff deliver (own counts, survey results, action status) into tidy frames.

Staff export from Finnish Excel, so the loaders accept its conventions (`;` separator, decimal comma,
space thousands separators, UTF-8 with BOM or cp1252, `31.12.2025`, Finnish month names) and .xlsx.
Anything ambiguous or broken is rejected with a `SourceError` naming the file, row and column, so the
person who made the file can fix it; a delivery is loaded whole or not at all.
The templates and their documentation live in `data/local/templates/`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hyte_assets.lib.errors import SourceError

SOURCE = "local_files"
TEMPLATE_DIR = "data/local/templates"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ACTION_STATUSES = ("suunniteltu", "käynnissä", "toteutettu", "viivästynyt", "ei aloitettu")
TOTAL_GROUP = "total"
# Written by staff for "all groups"; normalised to TOTAL_GROUP like an empty cell.
_TOTAL_WORDS = {"", "yhteensa", "kaikki", "total"}
MONTH_NAMES = (
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
)
# "joulu", "joulukuu", "joulukuuta" (partitive), "joulukuun" (genitive) → 12; matched after _fold().
_MONTH_WORDS = {
    name.removesuffix("kuu").replace("ä", "a") + suffix: month
    for month, name in enumerate(MONTH_NAMES, start=1)
    for suffix in ("", "kuu", "kuuta", "kuun")
}
_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212])?\s*"
    r"(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)"
    r"(?:[.,](?P<frac>\d+))?"
    r"\s*%?"
)
_FI_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH_NAME = re.compile(r"([^\W\d_]+)\.?\s*[/-]?\s*(\d{4})")
_REGION_PREFIXED = re.compile(r"(KU|MK|HVA)(\d+)")
_BARE_REGIONS = {"07": ("07", "maakunta"), "09": ("09", "hyvinvointialue")}
_PREFIX_LEVELS = {"KU": ("kunta", 3), "MK": ("maakunta", 2), "HVA": ("hyvinvointialue", 2)}


@dataclass(frozen=True)
class Column:
    """One column of a delivery template.

    `outputs` are the English column(s) the parsed value fills; a period fills both `period` and
    `year`, a region fills `region_code` and `region_level`.
    """

    header: str
    outputs: tuple[str, ...]
    type: str
    required: bool
    gloss: str


@dataclass(frozen=True)
class Template:
    """A delivery file type: its columns and the headers that identify a row (no duplicates)."""

    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    @property
    def optional_headers(self) -> list[str]:
        return [c.header for c in self.columns if not c.required]

    @property
    def output_columns(self) -> list[str]:
        return [name for c in self.columns for name in c.outputs] + ["source_file", "source_row"]


TEMPLATES: dict[str, Template] = {
    "laskennat": Template(
        kind="laskennat",
        description="the city's own counts (visitors, clients, participants) per measure and period",
        columns=(
            Column("mittari_id", ("measure_id",), "measure_id", True, "measure id from the plan catalog"),
            Column("ajanjakso", ("period", "year"), "period", True, "period: year, month or date"),
            Column("ryhma", ("group_value",), "group", False, "group, e.g. service 'Ohjaamo'; empty = total"),
            Column("arvo", ("value",), "count", True, "the count, a non-negative number"),
            Column("lisatieto", ("note",), "text", False, "free-text note"),
        ),
        key=("mittari_id", "ajanjakso", "ryhma"),
    ),
    "kyselyt": Template(
        kind="kyselyt",
        description="survey results (regional welfare, older people's, resident, harrastemalli surveys)",
        columns=(
            Column("mittari_id", ("measure_id",), "measure_id", True, "measure id from the plan catalog"),
            Column("kysely", ("survey",), "text", True, "survey name"),
            Column("vuosi", ("year", "period"), "year", True, "survey year"),
            Column("alue", ("region_code", "region_level"), "region", True, "area code: 111, 07, 09, SSS"),
            Column("ryhma", ("group_value",), "group", False, "respondent group; empty = total"),
            Column("arvo", ("value",), "number", True, "result: percentage (12,5 = 12.5 %) or number"),
            Column("vastaajia", ("sample_size",), "count", False, "number of respondents"),
        ),
        key=("mittari_id", "kysely", "vuosi", "alue", "ryhma"),
    ),
    "toimenpiteet_tila": Template(
        kind="toimenpiteet_tila",
        description="status of the plan's actions for the annual report",
        columns=(
            Column("toimenpide_id", ("action_id",), "text", True, "action id from the plan"),
            Column("tila", ("status",), "status", True, "status: " + ", ".join(ACTION_STATUSES)),
            Column("paivitetty", ("updated_at",), "date", True, "date of the status update"),
            Column("kommentti", ("comment",), "text", False, "free-text comment"),
        ),
        key=("toimenpide_id",),
    ),
}


def sniff_encoding(raw: bytes, *, file: str | None = None) -> str:
    """Return "utf-8-sig", "utf-8" or "cp1252" for a delivered text file.

    Strict UTF-8 is tried first because cp1252 accepts almost any byte sequence; cp1252 is then
    accepted only if the text has no control characters, which rejects UTF-16 and binary files
    that would otherwise decode as garbage.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:  # cp1252 is single-byte, so a character index is also the byte offset
            bad = _first_control_char(raw.decode("cp1252"))
        except UnicodeDecodeError as exc:
            bad = exc.start
        if bad is None:
            return "cp1252"
    else:
        bad_char = _first_control_char(text)
        if bad_char is None:
            return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        bad = len(text[:bad_char].encode("utf-8"))
    utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    hint = " (it looks like UTF-16: save as 'CSV UTF-8' instead)" if utf16 else ""
    raise SourceError(
        SOURCE,
        f"cannot decode file as UTF-8 or cp1252: byte {raw[bad]:#04x} at offset {bad} is not text{hint}",
        file=file,
        row=raw.count(b"\n", 0, bad) + 1,
    )


def _first_control_char(text: str) -> int | None:
    return next((i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\t\r\n"), None)


def detect_kind(path: Path) -> str:
    """Name the template whose required columns the file's header has (exactly one must match)."""
    header_row, headers, _ = _read_rows(path)
    found = {_fold(h) for h in headers if h}
    matches = [kind for kind, t in TEMPLATES.items() if {_fold(h) for h in t.required_headers} <= found]
    if len(matches) == 1:
        return matches[0]
    expected = "; ".join(f"{kind}: {', '.join(t.required_headers)}" for kind, t in TEMPLATES.items())
    problem = (
        f"header matches several file types {matches}" if matches else "header matches no delivery file type"
    )
    raise SourceError(
        SOURCE,
        f"{problem}; found columns {[h for h in headers if h]}; required columns per type: {expected}",
        file=str(path),
        row=header_row,
    )


def load_delivery(path: Path, kind: str, *, known_measure_ids: set[str] | None = None) -> pd.DataFrame:
    """Load one delivered file of the given kind (a key of TEMPLATES) into English-named columns.

    Returns `TEMPLATES[kind].output_columns`: for `laskennat` measure_id, period, year, group_value,
    value, note; for `kyselyt` measure_id, survey, year, period, region_code, region_level,
    group_value, value, sample_size; for `toimenpiteet_tila` action_id, status, updated_at, comment;
    each followed by source_file (file name) and source_row (1-based line/row, header = 1).
    Raises SourceError (file, row, column) on the first problem; nothing is returned partially.
    """
    if kind not in TEMPLATES:
        raise ValueError(f"unknown delivery kind {kind!r}; expected one of {list(TEMPLATES)}")
    template = TEMPLATES[kind]
    file = str(path)

    def fail(problem: str, row: int | None, column: str | None = None) -> SourceError:
        return SourceError(SOURCE, problem, item=kind, file=file, row=row, column=column)

    header_row, headers, rows = _read_rows(path)
    positions = _column_positions(template, headers, header_row, fail)
    data: dict[str, list[Any]] = {name: [] for name in template.output_columns}
    seen_keys: dict[tuple[Any, ...], int] = {}
    for line, cells in rows:
        for position, cell in enumerate(cells):
            if (position >= len(headers) or not headers[position]) and not _is_blank(cell):
                raise fail(
                    f"value {cell!r} is in column {position + 1}, which has no header: the columns are "
                    "shifted (e.g. an unquoted decimal comma in a comma-separated file)",
                    line,
                    f"#{position + 1}",
                )
        parsed: dict[str, tuple[Any, ...]] = {}
        for column in template.columns:
            position = positions.get(column.header)
            cell = cells[position] if position is not None and position < len(cells) else None
            try:
                if column.required and _is_blank(cell):
                    raise ValueError("required value is empty")
                parsed[column.header] = _PARSERS[column.type](cell)
            except ValueError as exc:
                raise fail(str(exc), line, column.header) from None
            if column.type == "measure_id" and known_measure_ids is not None:
                measure_id = parsed[column.header][0]
                if measure_id not in known_measure_ids:
                    problem = f"unknown measure id {measure_id!r} (not in the measure catalog)"
                    raise fail(problem, line, column.header)
        key = tuple(parsed[header] for header in template.key)
        if key in seen_keys:
            described = ", ".join(f"{h}={parsed[h][0]!r}" for h in template.key)
            raise fail(
                f"duplicate row: rows {seen_keys[key]} and {line} have the same {described}",
                line,
                "+".join(template.key),
            )
        seen_keys[key] = line
        for column in template.columns:
            for name, value in zip(column.outputs, parsed[column.header], strict=True):
                data[name].append(value)
        data["source_file"].append(path.name)
        data["source_row"].append(line)
    if not seen_keys:
        problem = f"file has a header but no data rows (expected columns {template.required_headers})"
        raise fail(problem, header_row + 1)
    return _typed_frame(data, template)


def parse_number(raw: Any) -> float | None:
    """Parse a Finnish-format number ("12,5", "1 234,5", "-3", "12,5 %") or an Excel number.

    A trailing % is dropped without scaling, so "12,5 %" is 12.5 (percent units). Empty → None.
    Raises ValueError with the offending text.
    """
    if _is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a number")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"'{raw}' is not a finite number")
        return float(raw)
    if isinstance(raw, dt.date):
        raise ValueError(f"'{raw}' is a date, not a number (Excel may have turned the number into a date)")
    text = str(raw).strip()
    match = _NUMBER.fullmatch(text)
    if not match:
        raise ValueError(f"'{text}' is not a number")
    digits = re.sub(r"\D", "", match["int"]) + ("." + match["frac"] if match["frac"] else "")
    return -float(digits) if match["sign"] in ("-", "\u2212") else float(digits)


def parse_period(raw: Any) -> tuple[str, int]:
    """Normalise a period to (`YYYY` or `YYYY-MM`, year).

    Accepts 2025, 12/2025, 12.2025, 2025-12, "joulukuu 2025" / "joulu 2025" / "joulukuuta 2025",
    and dates (31.12.2025, 2025-12-31, Excel dates), which stand for their month.
    """
    if isinstance(raw, dt.date):
        return _month(raw.year, raw.month, str(raw))
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        raw = int(raw)  # an Excel number cell such as 2025.0
    text = "" if raw is None else str(raw).strip()
    if re.fullmatch(r"\d{4}", text):
        return _year_period(parse_year(text))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return _month(int(m[1]), int(m[2]), text)
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{4})", text):
        return _month(int(m[2]), int(m[1]), text)
    if _FI_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
        date = parse_date(text)
        return _month(date.year, date.month, text)
    if (m := _MONTH_NAME.fullmatch(text)) and _fold(m[1]) in _MONTH_WORDS:
        return _month(int(m[2]), _MONTH_WORDS[_fold(m[1])], text)
    raise ValueError(
        f"'{text}' is not a period: use a year (2025), a month (12/2025, 2025-12, joulukuu 2025) "
        "or a date (31.12.2025)"
    )


def parse_year(raw: Any) -> int:
    """A four-digit statistics year (1900–2100) from text or an Excel number."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if isinstance(raw, bool) or not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise ValueError(f"'{text}' is not a year (expected four digits, e.g. 2025)")
    return int(text)


def parse_date(raw: Any) -> dt.date:
    """A calendar date from 31.12.2025, 2025-12-31 (time part ignored) or an Excel date cell."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if m := _FI_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO_DATE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(f"'{text}' is not a date: write it as 31.12.2025 or 2025-12-31")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a valid calendar date") from None


def parse_region(raw: Any) -> tuple[str, str]:
    """(region_code, region_level) from a delivered area code.

    `111`/`KU111` → kunta, `SSS` → koko_maa, `07`/`MK07` → maakunta (Päijät-Häme),
    `09`/`HVA09` → hyvinvointialue (Päijät-Häme). Other bare one- or two-digit codes are refused:
    maakunta, wellbeing-county and zero-stripped municipality codes would be indistinguishable.
    """
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().upper()
    if text == "SSS":
        return "SSS", "koko_maa"
    if re.fullmatch(r"\d{3}", text):
        return text, "kunta"
    if text in _BARE_REGIONS:
        return _BARE_REGIONS[text]
    if (m := _REGION_PREFIXED.fullmatch(text)) and len(m[2]) == _PREFIX_LEVELS[m[1]][1]:
        return m[2], _PREFIX_LEVELS[m[1]][0]
    raise ValueError(
        f"'{raw}' is not an area code: use a 3-digit municipality code (111), 07 or MKnn (maakunta), "
        "09 or HVAnn (hyvinvointialue) or SSS (whole country); store codes as text so Excel keeps the zeros"
    )


def _parse_status(raw: Any) -> tuple[str]:
    folded = _fold(str(raw))
    for status in ACTION_STATUSES:
        if _fold(status) == folded:
            return (status,)
    raise ValueError(f"'{str(raw).strip()}' is not a status: use one of {', '.join(ACTION_STATUSES)}")


def _parse_group(raw: Any) -> tuple[str]:
    text = _text(raw)
    return (TOTAL_GROUP if text is None or _fold(text) in _TOTAL_WORDS else text,)


def _parse_count(raw: Any) -> tuple[float | None]:
    value = parse_number(raw)
    if value is not None and value < 0:
        raise ValueError(f"negative count {raw!r}: counts cannot be negative")
    return (value,)


def _parse_year_column(raw: Any) -> tuple[int, str]:
    year = parse_year(raw)
    return year, f"{year:04d}"


def _parse_date_or_none(raw: Any) -> tuple[dt.date | None]:
    return (None if _is_blank(raw) else parse_date(raw),)


_PARSERS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "measure_id": lambda raw: (_text(raw),),
    "text": lambda raw: (_text(raw),),
    "group": _parse_group,
    "period": parse_period,
    "year": _parse_year_column,
    "region": parse_region,
    "number": lambda raw: (parse_number(raw),),
    "count": _parse_count,
    "date": _parse_date_or_none,
    "status": _parse_status,
}


def _month(year: int, month: int, text: str) -> tuple[str, int]:
    """A validated `YYYY-MM` period and its year; `text` is what the file said, for the error."""
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise ValueError(f"'{text}' is not a valid month: the month must be 1-12 and the year 1900-2100")
    return f"{year:04d}-{month:02d}", year


def _year_period(year: int) -> tuple[str, int]:
    """An annual `YYYY` period and its year."""
    return f"{year:04d}", year


def _fold(text: str) -> str:
    """Compare headers and words the way staff type them: any case, with or without ä/ö, _ or space."""
    folded = text.strip().casefold().translate(str.maketrans({"ä": "a", "å": "a", "ö": "o"}))
    return re.sub(r"[\s_\-]+", "_", folded)


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(raw: Any) -> str | None:
    """Cell as stripped text; Excel numbers such as 12.0 come back as "12"."""
    if _is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return str(raw).strip()


def _column_positions(
    template: Template, headers: list[str | None], header_row: int, fail: Callable[..., SourceError]
) -> dict[str, int]:
    """Map each template header to its position; extra columns are ignored, missing required ones fail."""
    folded: dict[str, int] = {}
    for position, header in enumerate(headers):
        if not header:
            continue
        if _fold(header) in folded:
            raise fail(f"column {header!r} appears twice in the header", header_row, header)
        folded[_fold(header)] = position
    positions = {c.header: folded[_fold(c.header)] for c in template.columns if _fold(c.header) in folded}
    missing = [h for h in template.required_headers if h not in positions]
    if missing:
        raise fail(
            f"missing required column(s) {missing}; found columns {[h for h in headers if h]}; "
            f"a {template.kind} file needs {template.required_headers} and may have "
            f"{template.optional_headers} (see {TEMPLATE_DIR}/{template.kind}.csv)",
            header_row,
            ", ".join(missing),
        )
    return positions


def _read_rows(path: Path) -> tuple[int, list[str | None], list[tuple[int, list[Any]]]]:
    """Header row number, header texts, and the non-blank data rows as (row number, cells)."""
    if path.suffix.lower() == ".xls":
        raise SourceError(
            SOURCE, "old .xls workbooks are not read: save as .xlsx or CSV", file=str(path), row=1
        )
    rows = _read_excel(path) if path.suffix.lower() in EXCEL_SUFFIXES else _read_csv(path)
    rows = [(line, cells) for line, cells in rows if not all(_is_blank(c) for c in cells)]
    if not rows:
        expected = "; ".join(f"{kind}: {', '.join(t.required_headers)}" for kind, t in TEMPLATES.items())
        raise SourceError(SOURCE, f"file is empty: expected a header row ({expected})", file=str(path), row=1)
    (header_row, header_cells), *data = rows
    return header_row, [_text(cell) for cell in header_cells], data


def _read_csv(path: Path) -> list[tuple[int, list[Any]]]:
    """Rows of a delimited text file with the line number each record starts on."""
    raw = path.read_bytes()
    text = raw.decode(sniff_encoding(raw, file=str(path)))
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = "," if "," in first_line and ";" not in first_line else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    last_line = 0
    try:
        for cells in reader:
            rows.append((last_line + 1, cells))
            last_line = reader.line_num
    except csv.Error as exc:
        raise SourceError(SOURCE, f"cannot read as CSV: {exc}", file=str(path), row=last_line + 1) from None
    return rows


def _read_excel(path: Path) -> list[tuple[int, list[Any]]]:
    """Rows of the first worksheet with Excel row numbers.

    Read with openpyxl rather than pandas.read_excel to keep true row numbers and to see number
    formats: a cell shown as "12,5 %" holds 0.125, which is scaled back to 12.5 like CSV text.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceError(SOURCE, f"cannot open as an .xlsx workbook: {exc}", file=str(path), row=1) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        for row in sheet.iter_rows():
            cells = [
                round(cell.value * 100, 10)
                if isinstance(cell.value, int | float) and "%" in (cell.number_format or "")
                else cell.value
                for cell in row
            ]
            rows.append((row[0].row, cells))
        return rows
    finally:
        workbook.close()


def _typed_frame(data: dict[str, list[Any]], template: Template) -> pd.DataFrame:
    """Build the output with stable dtypes, whatever mix of cells the rows came from."""
    frame = pd.DataFrame(data, columns=template.output_columns)
    for column in ("value", "sample_size"):
        if column in frame:
            frame[column] = frame[column].astype("float64")
    for column in ("year", "source_row"):
        if column in frame:
            frame[column] = frame[column].astype("int64")
    if "updated_at" in frame:
        frame["updated_at"] = pd.to_datetime(frame["updated_at"])
    frame.attrs = {"kind": template.kind}
    return frame
