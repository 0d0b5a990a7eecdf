"""DuckDB macros for the SQL models: `dbt_like_sql/macros/*.sql`, `create or replace temp macro` statements.

Arithmetic that several models need (the two-sample intervals) is written once there. A model that
calls a macro carries the macro files' text (`SqlModel.macros`): `materialize` runs it on the
connection before building the model, and the model's code version covers it, so a fix to a macro
rebuilds every model that calls one. Macros are temporary (per connection), so no published file
carries them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Protocol, TypeVar

MACROS_FOLDER = "macros"
_DEFINITION = re.compile(r"\bmacro\s+([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE)


class _Model(Protocol):
    sql: str
    macros: str


M = TypeVar("M", bound=_Model)


def read_macros(root: Path) -> tuple[str, frozenset[str]]:
    """The macro files' text (in file order) and the names they define."""
    folder = root / MACROS_FOLDER
    text = (
        "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.sql")))
        if folder.is_dir()
        else ""
    )
    return text, frozenset(name.lower() for name in _DEFINITION.findall(text))


def with_macros(root: Path, models: list[M]) -> list[M]:
    """Give each model that calls a macro the macro files' text (the macros may call each other)."""
    text, names = read_macros(root)
    if not names:
        return models
    call = re.compile(rf"\b({'|'.join(sorted(names))})\s*\(", re.IGNORECASE)
    return [dataclasses.replace(m, macros=text) if call.search(m.sql) else m for m in models]
