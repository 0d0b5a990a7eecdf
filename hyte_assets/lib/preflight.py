"""Settings checked once, before any asset runs, with one message that names each bad variable.

Without this a bad setting surfaced late and in many places: `HYTE_MUNICIPALITY_CODE=98` was
padded to `098` by some readers but written as `98` to `meta.settings` (a scorecard with no
values, exit 0); `HYTE_PAYMENT_YEAR=abc` broke the code location; a missing `HYTE_DATA_DIR`
failed every step separately. `check()` normalises what has one right form (the municipality
code is three digits) and rejects the rest, so `make run`, the resources of daemon-launched
runs and the tests all see the same settings.

No Dagster in here: `hyte_assets.refresh` calls it before a run, and `PipelineSettings` calls it
when a run initialises its resources.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hyte_assets.lib.region_table import RegionTableError, load_region_table, normalise_municipality_code

SOURCE_MODES = ("snapshot", "live")
REGION_SCOPES = ("plan", "all_municipalities")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# The hyte-kerroin was first paid in 2023 (VNA 1393/2022); a year outside this range is a typo.
PAYMENT_YEARS = range(2023, 2101)
URL_VARIABLES = ("HYTE_SOTKANET_URL", "HYTE_STATFIN_URL", "HYTE_THL_CUBE_URL")


class PreflightError(ValueError):
    """One or more settings are wrong; the message lists each as `VARIABLE=value: problem`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"settings rejected before the run started (nothing was written):\n{lines}")


@dataclass(frozen=True)
class Settings:
    """The run's settings after normalisation (what `meta.settings` records)."""

    source_mode: str
    municipality_code: str  # three digits, present in the region table
    municipality_name: str
    region_scope: str
    data_dir: Path
    duckdb_path: Path  # empty when not checked here (the warehouse resource checks its own)
    payment_year: int
    assumption_set: str


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def _check_data_dir(raw: str, mode: str, problems: list[str]) -> Path | None:
    path = Path(raw).expanduser()
    if not path.is_dir():
        problems.append(f"HYTE_DATA_DIR={raw!r}: not a folder (it holds catalog/, regions/, snapshots/)")
        return None
    missing = [sub for sub in ("catalog", "regions") if not (path / sub).is_dir()]
    if mode == "snapshot" and not (path / "snapshots").is_dir():
        missing.append("snapshots")
    if missing:
        problems.append(f"HYTE_DATA_DIR={raw!r}: has no {', '.join(m + '/' for m in missing)} folder")
        return None
    if not _writable_dir(path):
        problems.append(f"HYTE_DATA_DIR={raw!r}: not writable (reports, exports and caches go there)")
    return path


def duckdb_path_problem(raw: str) -> str | None:
    """What is wrong with HYTE_DUCKDB_PATH, or None (the warehouse resource checks it too)."""
    path = Path(raw).expanduser()
    if path.is_dir():
        return f"HYTE_DUCKDB_PATH={raw!r}: is a folder, expected a .duckdb file path"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"HYTE_DUCKDB_PATH={raw!r}: the file is not writable"
    # The serving copy and the run lock sit beside the file, so its folder must be writable.
    anchor = _nearest_existing(path.parent)
    if not _writable_dir(anchor):
        return f"HYTE_DUCKDB_PATH={raw!r}: cannot create or write files in {anchor}"
    return None


def _check_municipality(raw: str, data_dir: Path | None, problems: list[str]) -> tuple[str, str]:
    try:
        code = normalise_municipality_code(raw)
    except RegionTableError as exc:
        problems.append(f"HYTE_MUNICIPALITY_CODE={raw!r}: {exc}")
        return str(raw), ""
    if data_dir is None:
        return code, ""
    try:
        return code, load_region_table(data_dir).municipality(code).name
    except RegionTableError as exc:
        problems.append(f"HYTE_MUNICIPALITY_CODE={raw!r}: {exc}")
        return code, ""


def _check_choice(name: str, raw: str, allowed: tuple[str, ...], problems: list[str]) -> str:
    value = str(raw).strip()
    if value not in allowed:
        problems.append(f"{name}={raw!r}: expected one of {', '.join(allowed)}")
    return value


def _check_payment_year(raw: object, problems: list[str]) -> int:
    try:
        year = int(str(raw).strip())
    except ValueError:
        problems.append(f"HYTE_PAYMENT_YEAR={raw!r}: not a whole number (e.g. 2026)")
        return 0
    if year not in PAYMENT_YEARS:
        problems.append(
            f"HYTE_PAYMENT_YEAR={raw!r}: outside {PAYMENT_YEARS.start}–{PAYMENT_YEARS.stop - 1} "
            "(the hyte-kerroin is paid from 2023)"
        )
    return year


def _check_assumption_set(raw: str, data_dir: Path | None, problems: list[str]) -> str:
    name = str(raw).strip()
    toml = data_dir / "hyte" / "assumptions.toml" if data_dir else None
    if toml is None or not toml.is_file():
        return name
    try:
        sets = tomllib.loads(toml.read_text(encoding="utf-8")).get("sets", {})
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"HYTE_ASSUMPTION_SET={raw!r}: {toml} cannot be read: {exc}")
        return name
    if name not in sets:
        problems.append(
            f"HYTE_ASSUMPTION_SET={raw!r}: no such set in {toml} (have {', '.join(sorted(sets))})"
        )
    return name


def check(values: Mapping[str, object]) -> Settings:
    """Normalise and validate settings keyed by their environment variable names.

    Every variable must be present in `values` (callers fill in defaults); HYTE_DUCKDB_PATH
    and the optional URL and log-level variables are checked when present. Raises
    `PreflightError` listing every problem at once, so one run tells the operator all to fix.
    """
    problems: list[str] = []
    mode = _check_choice("HYTE_SOURCE_MODE", str(values["HYTE_SOURCE_MODE"]), SOURCE_MODES, problems)
    scope = _check_choice("HYTE_REGION_SCOPE", str(values["HYTE_REGION_SCOPE"]), REGION_SCOPES, problems)
    data_dir = _check_data_dir(str(values["HYTE_DATA_DIR"]), mode, problems)
    duckdb_path = Path(str(values.get("HYTE_DUCKDB_PATH") or ""))
    if values.get("HYTE_DUCKDB_PATH"):
        problem = duckdb_path_problem(str(values["HYTE_DUCKDB_PATH"]))
        problems.extend([problem] if problem else [])
    code, name = _check_municipality(str(values["HYTE_MUNICIPALITY_CODE"]), data_dir, problems)
    year = _check_payment_year(values["HYTE_PAYMENT_YEAR"], problems)
    assumption_set = _check_assumption_set(str(values["HYTE_ASSUMPTION_SET"]), data_dir, problems)
    for variable in URL_VARIABLES:
        url = str(values.get(variable) or "")
        if url and not url.startswith(("http://", "https://")):
            problems.append(f"{variable}={url!r}: expected an http:// or https:// URL")
    if values.get("HYTE_LOG_LEVEL"):
        _check_choice("HYTE_LOG_LEVEL", str(values["HYTE_LOG_LEVEL"]).upper(), LOG_LEVELS, problems)
    if problems:
        raise PreflightError(problems)
    return Settings(
        source_mode=mode,
        municipality_code=code,
        municipality_name=name,
        region_scope=scope,
        data_dir=data_dir or Path(str(values["HYTE_DATA_DIR"])),
        duckdb_path=duckdb_path,
        payment_year=year,
        assumption_set=assumption_set,
    )


def from_environment(defaults: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Settings:
    """`check()` over the environment, an unset or empty variable taking its default."""
    environ = os.environ if environ is None else environ
    values = {name: environ.get(name) or default for name, default in defaults.items()}
    for optional in (*URL_VARIABLES, "HYTE_LOG_LEVEL"):
        values.setdefault(optional, environ.get(optional, ""))
    return check(values)
