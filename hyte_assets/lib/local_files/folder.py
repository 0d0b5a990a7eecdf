"""Read a whole data/local folder: which files count, which are demo, and how files may not collide.

A file is demo data when it lies in `data/local/demo/` or when its `is_demo` column says so, never
because of its name. Files are read in a fixed order (the top folder by name, then the demo folder
by name); a file that would deliver a figure an earlier file already delivered is rejected whole,
naming both files, so one bad file never blocks the others. A rejected file keeps the rows it
delivered last time (from the warehouse), except rows another file now delivers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.local_files import detect_kind, load_delivery
from hyte_assets.lib.local_files.templates import (
    DELIVERY_SUFFIXES,
    DEMO_DIR,
    LIMITS,
    SOURCE,
    TEMPLATES,
    Limits,
)

if TYPE_CHECKING:
    import pandas as pd

TABLES = {
    "laskennat": "raw.local_counts",
    "kyselyt": "raw.survey_values",
    "toimenpiteet_tila": "raw.action_status",
    "resurssit": "raw.resources",
}
# Kinds the SQL models read (the other two only the annual report, which treats them as optional).
LONG_FORM_KINDS = ("laskennat", "kyselyt")
# What identifies one figure in each normalised table (delivered columns, after `normalise`).
KEYS = {
    "laskennat": ("measure_id", "period", "group_value"),
    "kyselyt": ("measure_id", "survey_name", "period", "region_code", "group_value"),
    "toimenpiteet_tila": ("action_id", "year"),  # a status per action and report year
    "resurssit": ("year", "service_area", "budget_line"),
}


@dataclass(frozen=True)
class Rejection:
    """A rejected file: where and why (the SourceError's parts) and the full one-line message."""

    file: str
    row: int | None
    column: str | None
    problem: str
    message: str


@dataclass
class FolderLoad:
    """What a data/local folder delivered: normalised frames per table, rejections, files read."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def delivery_files(local_dir: Path) -> list[Path]:
    """Delivered files in `local_dir` and then in its demo folder; templates and symlinks ignored.

    A symlink could point anywhere on the machine (or at another delivery, doubling it), so only
    regular files placed in the folder count.
    """
    found: list[Path] = []
    for folder in (local_dir, local_dir / DEMO_DIR):
        if folder.is_symlink() or not folder.is_dir():
            continue
        found += sorted(
            p
            for p in folder.iterdir()
            if not p.is_symlink() and p.is_file() and p.suffix.lower() in DELIVERY_SUFFIXES
        )
    return found


def delivery_name(path: Path, local_dir: Path) -> str:
    """How a file is named in `source_file` and in rejections: relative to data/local (`demo/x.csv`)."""
    return path.relative_to(local_dir).as_posix()


def normalise(
    kind: str, df: pd.DataFrame, sources: dict[str, str], fetched_at: pd.Timestamp, municipality: str
) -> pd.DataFrame:
    """Delivered rows in the long-form contract; the city's own counts are the configured municipality's."""
    from hyte_assets.lib.longform import conform

    if kind in ("toimenpiteet_tila", "resurssit"):
        return df
    extra = {"source_file": "string", "source_row": "Int64"}
    base = df.assign(fetched_at=fetched_at, group_type="total")
    base.loc[base["group_value"] != "total", "group_type"] = "service"
    if kind == "laskennat":
        return conform(base.assign(region_code=municipality, region_level="kunta"), extra)
    # survey: the catalog says which survey family a measure belongs to (regional_survey, ...)
    base = base.rename(columns={"survey": "survey_name"}).assign(survey=base["measure_id"].map(sources))
    return conform(base, {**extra, "survey": "string", "survey_name": "string"})


def load_folder(
    local_dir: Path,
    measures: pd.DataFrame,
    action_ids: Iterable[str],
    municipality: str,
    previous: dict[str, pd.DataFrame | None],
    fetched_at: pd.Timestamp,
    limits: Limits = LIMITS,
) -> FolderLoad:
    """Load every delivery in `local_dir` (see the module docstring).

    `measures` is the catalog's measures table (measure_id, source); `previous` holds the normalised
    tables of the last load per kind (or None), from which a rejected file keeps its rows.
    """
    import pandas as pd

    sources = dict(zip(measures["measure_id"], measures["source"], strict=True))
    actions = list(action_ids)
    result = FolderLoad()
    frames: dict[str, list[pd.DataFrame]] = {kind: [] for kind in TABLES}
    owners: dict[str, dict[tuple[object, ...], tuple[str, int]]] = {kind: {} for kind in TABLES}
    failed: list[str] = []
    for path in delivery_files(local_dir):
        name = delivery_name(path, local_dir)
        result.files.append(name)
        try:
            kind = detect_kind(path, limits)
            delivered = load_delivery(
                path,
                kind,
                measure_sources=sources,
                action_ids=actions,
                is_demo=path.parent == local_dir / DEMO_DIR,
                name=name,
                limits=limits,
            )
            frame = normalise(kind, delivered, sources, fetched_at, municipality)
            _claim(kind, frame, owners[kind], path)
            frames[kind].append(frame)
        except SourceError as exc:
            failed.append(name)
            result.rejected.append(Rejection(name, exc.row, exc.column, exc.problem, str(exc)))
    for name in failed:  # keep what this file delivered last time, unless another file now does
        for kind, frame in previous.items():
            if frame is not None and "source_file" in frame:
                kept = frame[frame["source_file"] == name]
                taken = [_key(kind, row) in owners[kind] for row in kept.to_dict("records")]
                frames[kind].append(kept[[not t for t in taken]])
    result.tables = {
        TABLES[kind]: pd.concat(parts, ignore_index=True)
        for kind, parts in frames.items()
        if any(len(p) for p in parts)
    }
    for kind in LONG_FORM_KINDS:  # never delivered: an empty typed table, so the SQL models still run
        if TABLES[kind] not in result.tables and previous.get(kind) is None:
            empty = pd.DataFrame(columns=TEMPLATES[kind].output_columns)
            result.tables[TABLES[kind]] = normalise(kind, empty, sources, fetched_at, municipality)
    return result


def _key(kind: str, row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[column] for column in KEYS[kind])


def _claim(
    kind: str, frame: pd.DataFrame, owners: dict[tuple[object, ...], tuple[str, int]], path: Path
) -> None:
    """Record which file delivers each figure; a figure an earlier file delivered rejects this file."""
    claimed: dict[tuple[object, ...], tuple[str, int]] = {}
    for row in frame.to_dict("records"):
        key = _key(kind, row)
        if key in owners:
            other_file, other_row = owners[key]
            described = ", ".join(f"{c}={v!r}" for c, v in zip(KEYS[kind], key, strict=True))
            raise SourceError(
                SOURCE,
                f"row {row['source_row']} delivers the same figure ({described}) as row {other_row} of "
                f"{other_file}, which is read first: a figure may come from one file only, so this file "
                "is rejected; remove the row from one of the two files",
                item=kind,
                file=str(path),
                row=int(row["source_row"]),
                column="+".join(TEMPLATES[kind].key),
            )
        claimed[key] = (str(row["source_file"]), int(row["source_row"]))
    owners.update(claimed)
