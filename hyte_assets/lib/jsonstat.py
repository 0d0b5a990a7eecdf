"""Decode JSON-stat 2.0 datasets (Statistics Finland PxWeb, THL cubes) into long pandas frames.

One decoder serves both sources so that suppressed and missing cells are handled the same way
everywhere: they stay NaN, never 0, because a fake zero would silently enter rates and trends.
Malformed payloads raise `SourceError` with the exact mismatch, since a silently misaligned cube
would put every figure on the wrong municipality or month.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.errors import SourceError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

ROLE_NAMES = ("time", "geo", "metric")
THL_VTYPE_DIMENSION = "tiku_vtype"
# THL value types (added by the `ci` and `n` cube parameters) → output column.
THL_VTYPE_COLUMNS = {"v": "value", "ci_lower": "ci_lower", "ci_upper": "ci_upper", "n": "n"}
# Output columns that a dimension id must not shadow.
_RESERVED_COLUMNS = {"value", "value_text", "status", "ci_lower", "ci_upper", "n"}
_NUMERIC_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Context:
    """Where a payload came from, so every error names it."""

    source: str
    url: str | None
    item: str | None

    def error(self, problem: str) -> SourceError:
        return SourceError(self.source, problem, url=self.url, item=self.item)


def decode_jsonstat2(
    payload: dict, *, source: str, url: str | None = None, item: str | None = None
) -> pd.DataFrame:
    """Decode a JSON-stat 2.0 dataset (PxWeb `json-stat2`) into one row per cell.

    Columns: for each dimension in `id` order, `<dim>` (category code) and `<dim>__label`;
    then `value` (float, NaN for null/absent cells) and `status` (symbol or None).
    `attrs` holds `label`, `updated`, `dimensions` (id order), `roles` ({"time", "geo", "metric"} →
    dimension ids) and `units` (metric category code → unit dict).
    """
    return _decode(payload, _Context(source, url, item), allow_text=False)


def decode_thl_cube(
    payload: dict, *, source: str = "thl_cube", url: str | None = None, item: str | None = None
) -> pd.DataFrame:
    """Decode a THL sampo cube (`fact_<cube>.json`) into one row per cell.

    THL wraps the dataset in `{"dataset": …}` and keeps `id`/`size` inside `dimension` (the 1.x
    layout), so this adapts the shape and reuses the json-stat2 core. Cells omitted from the sparse
    `value` come out as NaN. Columns are those of `decode_jsonstat2` plus `value_text` (the original
    string when THL sends a non-numeric value; `value` is then NaN). When the cube has a `tiku_vtype`
    dimension it is pivoted into the columns `value`, `ci_lower`, `ci_upper` and `n`.
    """
    ctx = _Context(source, url, item)
    dataset = payload.get("dataset") if isinstance(payload, Mapping) else None
    if not isinstance(dataset, Mapping):
        raise ctx.error("no 'dataset' object at the top level: not a THL cube JSON-stat response")
    dimension = dataset.get("dimension")
    if not isinstance(dimension, Mapping):
        raise ctx.error("'dataset.dimension' is missing or not an object")
    adapted = {
        **dataset,
        "id": dimension.get("id", dataset.get("id")),
        "size": dimension.get("size", dataset.get("size")),
        "role": dimension.get("role", dataset.get("role")),
        "dimension": {k: v for k, v in dimension.items() if k not in ("id", "size", "role")},
    }
    frame = _decode(adapted, ctx, allow_text=True)
    if THL_VTYPE_DIMENSION in frame.attrs["dimensions"]:
        frame = _pivot_vtype(frame, ctx)
    return frame


def _decode(payload: Any, ctx: _Context, *, allow_text: bool) -> pd.DataFrame:
    """Validate the cube shape and expand it to one row per cell, row-major (last dimension fastest)."""
    import numpy as np
    import pandas as pd

    if not isinstance(payload, Mapping):
        raise ctx.error(f"expected a JSON object, got {type(payload).__name__}")
    if payload.get("class") != "dataset":
        raise ctx.error(f"'class' is {payload.get('class')!r}, expected 'dataset'")
    dim_ids, sizes = payload.get("id"), payload.get("size")
    if not isinstance(dim_ids, list) or not isinstance(sizes, list):
        raise ctx.error(f"'id' and 'size' must be lists, got id={dim_ids!r} size={sizes!r}")
    if len(dim_ids) != len(sizes):
        raise ctx.error(
            f"'id' lists {len(dim_ids)} dimensions {dim_ids} but 'size' has {len(sizes)} entries {sizes}"
        )
    if not dim_ids:
        raise ctx.error("dataset has no dimensions")
    for dim_id, size in zip(dim_ids, sizes, strict=True):
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ctx.error(f"size of dimension {dim_id!r} is {size!r}, expected a non-negative integer")
        if dim_id in _RESERVED_COLUMNS:
            raise ctx.error(f"dimension id {dim_id!r} collides with an output column")
    dimensions = payload.get("dimension")
    if not isinstance(dimensions, Mapping):
        raise ctx.error("'dimension' is missing or not an object")

    categories = [
        _categories(dim_id, dimensions, size, ctx) for dim_id, size in zip(dim_ids, sizes, strict=True)
    ]
    n_cells = math.prod(sizes)
    values, texts = _to_numbers(_cells(payload.get("value"), n_cells, sizes, "value", ctx), ctx, allow_text)
    statuses = _statuses(payload.get("status"), n_cells, sizes, ctx)

    columns: dict[str, Any] = {}
    for position, (dim_id, (codes, labels)) in enumerate(zip(dim_ids, categories, strict=True)):
        inner = math.prod(sizes[position + 1 :])  # cells per step of this dimension
        outer = math.prod(sizes[:position])
        cell_codes = np.tile(np.repeat(np.array(codes, dtype=object), inner), outer)
        columns[dim_id] = cell_codes
        columns[f"{dim_id}__label"] = np.array([labels[code] for code in cell_codes], dtype=object)
    columns["value"] = values
    if allow_text:
        columns["value_text"] = np.array(texts, dtype=object)
    columns["status"] = np.array(statuses, dtype=object)
    frame = pd.DataFrame(columns)
    roles = _roles(payload, dim_ids)
    frame.attrs = {
        "label": payload.get("label"),
        "updated": payload.get("updated"),
        "dimensions": list(dim_ids),
        "roles": roles,
        "units": _units(dimensions, roles["metric"]),
    }
    return frame


def _categories(
    dim_id: str, dimensions: Mapping[str, Any], size: int, ctx: _Context
) -> tuple[list[str], dict[str, str]]:
    """Category codes in cube order and code → label, checked against the declared size."""
    dimension = dimensions.get(dim_id)
    if not isinstance(dimension, Mapping):
        raise ctx.error(f"dimension {dim_id!r} is listed in 'id' but missing from 'dimension'")
    category = dimension.get("category")
    if not isinstance(category, Mapping):
        raise ctx.error(f"dimension {dim_id!r} has no 'category' object")
    index, labels = category.get("index"), category.get("label") or {}
    if not isinstance(labels, Mapping):
        raise ctx.error(
            f"dimension {dim_id!r}: category label is {type(labels).__name__}, expected an object"
        )
    if index is None:  # the spec lets a single-category dimension omit `index`
        codes = [str(code) for code in labels]
    elif isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, Mapping):
        positions = list(index.values())
        if sorted(positions) != list(range(len(positions))) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in positions
        ):
            raise ctx.error(
                f"dimension {dim_id!r}: category index positions {positions} are not 0..{len(positions) - 1}"
            )
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    else:
        raise ctx.error(
            f"dimension {dim_id!r}: category index is {type(index).__name__}, expected list or object"
        )
    if len(codes) != size:
        raise ctx.error(f"dimension {dim_id!r} has {len(codes)} categories but 'size' gives {size}")
    if len(set(codes)) != len(codes):
        raise ctx.error(f"dimension {dim_id!r} repeats a category code: {codes}")
    return codes, {code: str(labels.get(code, code)) for code in codes}


def _cells(raw: Any, n_cells: int, sizes: Sequence[int], name: str, ctx: _Context) -> list[Any]:
    """Expand a dense list or a sparse {flatIndex: v} object into one entry per cell (None = absent)."""
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise ctx.error(
                f"'{name}' has {len(raw)} entries but the dimension sizes {list(sizes)} give {n_cells} cells"
            )
        return list(raw)
    if isinstance(raw, Mapping):
        cells: list[Any] = [None] * n_cells
        for key, cell in raw.items():
            try:
                flat_index = int(key)
            except (TypeError, ValueError):
                raise ctx.error(f"sparse '{name}' key {key!r} is not an integer cell index") from None
            if not 0 <= flat_index < n_cells:
                raise ctx.error(
                    f"sparse '{name}' index {flat_index} is out of range: the dimension sizes "
                    f"{list(sizes)} give {n_cells} cells (valid 0..{n_cells - 1})"
                )
            cells[flat_index] = cell
        return cells
    raise ctx.error(f"'{name}' is {type(raw).__name__}, expected a list or an object")


def _to_numbers(cells: list[Any], ctx: _Context, allow_text: bool) -> tuple[np.ndarray, list[str | None]]:
    """Cell values as floats (NaN for null/absent); non-numeric strings go to the text list if allowed."""
    import numpy as np

    numbers = np.full(len(cells), np.nan)
    texts: list[str | None] = [None] * len(cells)
    for position, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            numbers[position] = float(cell)
            continue
        if isinstance(cell, str):
            stripped = cell.strip()
            if not stripped:
                continue
            if _NUMERIC_TEXT.fullmatch(stripped):
                numbers[position] = float(stripped)
                continue
            if allow_text:
                texts[position] = cell
                continue
        raise ctx.error(f"value at cell index {position} is {cell!r}: expected a number or null")
    return numbers, texts


def _statuses(raw: Any, n_cells: int, sizes: Sequence[int], ctx: _Context) -> list[str | None]:
    """Per-cell status symbols; a single string (or one-element list) applies to every cell."""
    if raw is None:
        return [None] * n_cells
    if isinstance(raw, str):
        return [raw] * n_cells
    if isinstance(raw, list) and len(raw) == 1:
        return [raw[0]] * n_cells
    return _cells(raw, n_cells, sizes, "status", ctx)


def _roles(payload: Mapping[str, Any], dim_ids: list[str]) -> dict[str, list[str]]:
    """Dimension ids per standard role, limited to dimensions present in the cube."""
    declared = payload.get("role") or {}
    return {role: [d for d in declared.get(role, []) if d in dim_ids] for role in ROLE_NAMES}


def _units(dimensions: Mapping[str, Any], metric_dims: list[str]) -> dict[str, Any]:
    """Unit info ({base, decimals, …}) per metric category, e.g. to know TYOTOSUUS is a percentage."""
    units: dict[str, Any] = {}
    for dim_id in metric_dims:
        units.update(dimensions[dim_id]["category"].get("unit") or {})
    return units


def _pivot_vtype(frame: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Turn THL's `tiku_vtype` dimension (v, ci_lower, ci_upper, n) into columns, one row per cell.

    Selecting one vtype keeps the other dimensions in the same row-major order, so the parts align
    by position without a join.
    """
    import numpy as np

    vtypes = list(dict.fromkeys(frame[THL_VTYPE_DIMENSION]))
    unknown = [vtype for vtype in vtypes if vtype not in THL_VTYPE_COLUMNS]
    if unknown:
        raise ctx.error(
            f"dimension {THL_VTYPE_DIMENSION!r} has unknown value types {unknown}; "
            f"expected some of {list(THL_VTYPE_COLUMNS)}"
        )
    parts = {vtype: frame[frame[THL_VTYPE_DIMENSION] == vtype].reset_index(drop=True) for vtype in vtypes}
    dropped = {THL_VTYPE_DIMENSION, f"{THL_VTYPE_DIMENSION}__label", "value", "value_text", "status"}
    key_columns = [column for column in frame.columns if column not in dropped]
    first = parts[vtypes[0]] if vtypes else frame
    result = first[key_columns].reset_index(drop=True)
    for vtype, column in THL_VTYPE_COLUMNS.items():
        result[column] = parts[vtype]["value"].to_numpy() if vtype in parts else np.nan
    main = parts.get("v")
    result["value_text"] = main["value_text"].to_numpy() if main is not None else None
    result["status"] = main["status"].to_numpy() if main is not None else None
    attrs = dict(frame.attrs)
    attrs["dimensions"] = [d for d in attrs["dimensions"] if d != THL_VTYPE_DIMENSION]
    attrs["roles"] = {
        role: [d for d in dims if d != THL_VTYPE_DIMENSION] for role, dims in attrs["roles"].items()
    }
    result.attrs = attrs
    return result
