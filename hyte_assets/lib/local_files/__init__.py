"""Load the files city staff deliver (own counts, survey results, action status) into tidy frames.

Staff export from Finnish Excel, so the loaders accept its conventions (`;` separator, decimal comma,
space thousands separators, UTF-8 with BOM or cp1252, `31.12.2025`, Finnish month names) and .xlsx.
Anything ambiguous or broken is rejected with a `SourceError` naming the file, row and column, so the
person who made the file can fix it; a delivery is loaded whole or not at all.
The templates and their documentation live in `data/local/templates/`; `folder.load_folder` reads a
whole data/local folder (demo subfolder, cross-file collisions, the rows a rejected file keeps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.local_files.parsing import (
    PARSERS,
    cell_text,
    fold,
    is_blank,
    parse_date,
    parse_flag,
    parse_number,
    parse_period,
    parse_region,
    parse_year,
)
from hyte_assets.lib.local_files.reading import UncachedFormula, read_rows, sniff_encoding
from hyte_assets.lib.local_files.templates import (
    ACTION_STATUSES,
    CITY_SOURCES,
    DEMO_DIR,
    LIMITS,
    SOURCE,
    TEMPLATE_DIR,
    TEMPLATES,
    TOTAL_GROUP,
    Column,
    Limits,
    Template,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ACTION_STATUSES",
    "CITY_SOURCES",
    "DEMO_DIR",
    "LIMITS",
    "SOURCE",
    "TEMPLATES",
    "TOTAL_GROUP",
    "UncachedFormula",
    "Column",
    "Limits",
    "Template",
    "cell_text",
    "detect_kind",
    "fold",
    "is_blank",
    "load_delivery",
    "parse_date",
    "parse_flag",
    "parse_number",
    "parse_period",
    "parse_region",
    "parse_year",
    "sniff_encoding",
]


def detect_kind(path: Path, limits: Limits = LIMITS) -> str:
    """Name the template whose required columns the file's header has (exactly one must match)."""
    header_row, headers, _ = read_rows(path, limits)
    found = {fold(h) for h in headers if h}
    matches = [kind for kind, t in TEMPLATES.items() if {fold(h) for h in t.required_headers} <= found]
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


def load_delivery(
    path: Path,
    kind: str,
    *,
    known_measure_ids: set[str] | None = None,
    measure_sources: Mapping[str, str] | None = None,
    action_ids: Iterable[str] | None = None,
    is_demo: bool = False,
    name: str | None = None,
    limits: Limits = LIMITS,
) -> pd.DataFrame:
    """Load one delivered file of the given kind (a key of TEMPLATES) into English-named columns.

    Returns `TEMPLATES[kind].output_columns`: for `laskennat` measure_id, period, year, group_value,
    value, note, is_demo; for `kyselyt` measure_id, survey, year, period, region_code, region_level,
    group_value, value, sample_size, is_demo; for `toimenpiteet_tila` action_id, year (the `vuosi`
    cell, else the year of `paivitetty`), status, updated_at, comment, is_demo; each followed by
    source_file (`name`, default the file name) and source_row (1-based line/row, header = 1).
    `is_demo` is the row's `is_demo` cell, or true for every row when `is_demo` is passed (a file
    in the demo folder).

    `measure_sources` (measure id → catalog source) admits only the city's own measures
    (`CITY_SOURCES`); `action_ids` admits only the catalog's actions, matched case-insensitively and
    returned as the catalog spells them. Raises SourceError (file, row, column) on the first problem;
    nothing is returned partially.
    """
    if kind not in TEMPLATES:
        raise ValueError(f"unknown delivery kind {kind!r}; expected one of {list(TEMPLATES)}")
    template = TEMPLATES[kind]
    file = str(path)
    actions = {fold(a): a for a in action_ids} if action_ids is not None else None

    def fail(problem: str, row: int | None, column: str | None = None) -> SourceError:
        return SourceError(SOURCE, problem, item=kind, file=file, row=row, column=column)

    header_row, headers, rows = read_rows(path, limits)
    positions = _column_positions(template, headers, header_row, fail)
    data: dict[str, list[Any]] = {name: [] for name in template.output_columns}
    seen_keys: dict[tuple[Any, ...], int] = {}
    groups: set[tuple[Any, ...]] = set()
    for line, cells in rows:
        _check_unheaded(headers, cells, line, fail)
        parsed: dict[str, tuple[Any, ...]] = {}
        for column in template.columns:
            position = positions.get(column.header)
            cell = cells[position] if position is not None and position < len(cells) else None
            parsed[column.header] = _parse_cell(column, cell, line, fail)
            if column.type == "measure_id":
                _check_measure(kind, parsed[column.header][0], known_measure_ids, measure_sources, line, fail)
            if column.header == "toimenpide_id" and actions is not None:
                parsed[column.header] = (_canonical_action(parsed[column.header][0], actions, line, fail),)
        if is_demo:
            parsed["is_demo"] = (True,)
        if parsed.get("vuosi") == (None,):  # an action status without a year is for its update's year
            parsed["vuosi"] = (parsed["paivitetty"][0].year,)
        key = tuple(parsed[header] for header in template.key)
        if key in seen_keys:
            described = ", ".join(f"{h}={parsed[h][0]!r}" for h in template.key)
            raise fail(
                f"duplicate row: rows {seen_keys[key]} and {line} have the same {described}",
                line,
                "+".join(template.key),
            )
        seen_keys[key] = line
        if "ryhma" in parsed:
            groups.add((parsed["mittari_id"], parsed["ryhma"]))
            if len(groups) > limits.max_groups:
                problem = (
                    f"more than {limits.max_groups:,} different measure and group (ryhma) pairs in one "
                    "file: each group becomes a chart series and a report row; deliver totals or fewer groups"
                )
                raise fail(problem, line, "ryhma")
        for column in template.columns:
            for output, value in zip(column.outputs, parsed[column.header], strict=True):
                data[output].append(value)
        data["source_file"].append(name or path.name)
        data["source_row"].append(line)
    if not seen_keys:
        problem = f"file has a header but no data rows (expected columns {template.required_headers})"
        raise fail(problem, header_row + 1)
    return _typed_frame(data, template)


def _parse_cell(column: Column, cell: Any, line: int, fail: Callable[..., SourceError]) -> tuple[Any, ...]:
    if isinstance(cell, UncachedFormula):
        raise fail(
            f"cell {cell.coordinate} holds the formula {cell.formula!r} but no saved result (the file was "
            "written by a program that does not calculate): open and save it in Excel, or paste values",
            line,
            column.header,
        )
    try:
        if column.required and is_blank(cell):
            raise ValueError("required value is empty")
        return PARSERS[column.type](cell)
    except ValueError as exc:
        raise fail(str(exc), line, column.header) from None


def _check_unheaded(
    headers: list[str | None], cells: list[Any], line: int, fail: Callable[..., SourceError]
) -> None:
    for position, cell in enumerate(cells):
        if (position >= len(headers) or not headers[position]) and not is_blank(cell):
            raise fail(
                f"value {cell!r} is in column {position + 1}, which has no header: the columns are "
                "shifted (e.g. an unquoted decimal comma in a comma-separated file)",
                line,
                f"#{position + 1}",
            )


def _check_measure(
    kind: str,
    measure_id: str,
    known: set[str] | None,
    sources: Mapping[str, str] | None,
    line: int,
    fail: Callable[..., SourceError],
) -> None:
    """Unknown measures are refused; with `sources`, so is any measure the city does not produce."""
    if (known is not None and measure_id not in known) or (sources is not None and measure_id not in sources):
        raise fail(f"unknown measure id {measure_id!r} (not in the measure catalog)", line, "mittari_id")
    if sources is not None and sources[measure_id] not in CITY_SOURCES[kind]:
        raise fail(
            f"measure {measure_id!r} comes from {sources[measure_id]!r} (data/catalog/measures.csv, column "
            f"source), not from the city: a {kind} file may only carry measures of source "
            f"{', '.join(sorted(CITY_SOURCES[kind]))}, so an official figure is never replaced",
            line,
            "mittari_id",
        )


def _canonical_action(
    action_id: str, actions: dict[str, str], line: int, fail: Callable[..., SourceError]
) -> str:
    if fold(action_id) not in actions:
        raise fail(
            f"unknown action id {action_id!r}: not in data/catalog/actions.csv (ids such as "
            f"{', '.join(sorted(actions.values())[:3])})",
            line,
            "toimenpide_id",
        )
    return actions[fold(action_id)]


def _column_positions(
    template: Template, headers: list[str | None], header_row: int, fail: Callable[..., SourceError]
) -> dict[str, int]:
    """Map each template header to its position; extra columns are ignored, missing required ones fail."""
    folded: dict[str, int] = {}
    for position, header in enumerate(headers):
        if not header:
            continue
        if fold(header) in folded:
            raise fail(f"column {header!r} appears twice in the header", header_row, header)
        folded[fold(header)] = position
    positions = {c.header: folded[fold(c.header)] for c in template.columns if fold(c.header) in folded}
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


def _typed_frame(data: dict[str, list[Any]], template: Template) -> pd.DataFrame:
    """Build the output with stable dtypes, whatever mix of cells the rows came from."""
    import pandas as pd

    frame = pd.DataFrame(data, columns=template.output_columns)
    for column in ("value", "sample_size", "eur", "person_years"):
        if column in frame:
            frame[column] = frame[column].astype("float64")
    for column in ("year", "source_row"):
        if column in frame:
            frame[column] = frame[column].astype("int64")
    frame["is_demo"] = frame["is_demo"].astype("bool")
    if "updated_at" in frame:
        frame["updated_at"] = pd.to_datetime(frame["updated_at"])
    frame.attrs = {"kind": template.kind}
    return frame
