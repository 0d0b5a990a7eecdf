"""Whether `make run` has anything to do: the fingerprint of everything a snapshot refresh reads.

A snapshot refresh is a function of its inputs: the data folder's input files, the project's code
and SQL, the installed packages, the settings (every HYTE_* variable) and today's date (the
publication calendars, the monthly partitions and the freshness rules depend on it). When all of
them equal what the last successful refresh recorded, and the outputs it left (warehouse, serving
file, exports, report) are untouched, a new refresh would rewrite nothing: every step would skip.
`make run` then launches no run and says so, with the age of what stays published. The steps'
own skips (`defs/unchanged.py`) still make a run cheap when only part of the input changed.

Live mode is never skipped (the sources change without a local trace), nor is a refresh with
HYTE_FORCE_REFRESH=1. The state file `<warehouse>.refresh.json` sits beside the warehouse;
deleting it forces the next refresh too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hyte_assets.lib.warehouse import file_stamp

FORCE_VARIABLE = "HYTE_FORCE_REFRESH"
# Folders of the data directory that a refresh writes, not reads.
OUTPUT_FOLDERS = frozenset({"warehouse", "exports", "reports", "cache"})
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("hyte_assets", "dbt_like_sql")


def state_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".refresh.json")


def installed_packages() -> list[str]:
    """The distributions beside dagster (their dist-info folders carry name and version): listing
    one folder, where importlib.metadata takes about a second."""
    import dagster

    site = Path(dagster.__file__).resolve().parents[1]
    return sorted(entry.name for entry in site.iterdir() if entry.name.endswith(".dist-info"))


def inputs_fingerprint(
    data_dir: Path, warehouse: Path, environ: Mapping[str, str], today: dt.date
) -> dict[str, str]:
    """Each input's stamp, by name (the names make a mismatch explainable)."""
    data_dir = data_dir.resolve()
    inputs = [
        p for p in data_dir.iterdir() if p.name not in OUTPUT_FOLDERS and p.resolve() != warehouse.parent
    ]
    settings = {k: v for k, v in sorted(environ.items()) if k.startswith("HYTE_") and k != FORCE_VARIABLE}
    return {
        "data": file_stamp(inputs),
        "code": file_stamp([PROJECT_ROOT / folder for folder in CODE_FOLDERS]),
        "packages": hashlib.sha256("\n".join(installed_packages()).encode()).hexdigest()[:16],
        "settings": hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:16],
        "today": today.isoformat(),
    }


def outputs_stamp(outputs: Iterable[Path]) -> str:
    """The files a refresh leaves (a missing one is part of the stamp, so it is noticed)."""
    return file_stamp(list(outputs))


def record(path: Path, inputs: dict[str, str], outputs: str, run_ids: list[str]) -> None:
    """What a successful refresh read and left, written atomically (a torn file reads as none)."""
    state = {
        "inputs": inputs,
        "outputs": outputs,
        "run_ids": run_ids,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def unchanged_since(path: Path, inputs: dict[str, str], outputs: str) -> tuple[dict[str, Any] | None, str]:
    """The recorded state when nothing differs from it, else None; and why, in words."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no successful refresh recorded yet"
    except (OSError, ValueError) as exc:
        return None, f"the refresh state {path} is unreadable ({exc})"
    changed = [name for name, value in inputs.items() if state.get("inputs", {}).get(name) != value]
    if changed:
        return None, "changed since the last refresh: " + ", ".join(changed)
    if state.get("outputs") != outputs:
        return None, "the warehouse, serving file, exports or report changed since the last refresh"
    return state, "nothing new"
