"""The code location root: everything under hyte_assets/defs/, run in-process by default.

A process per step costs seconds each on a 2-core machine, and every writing step shares one
DuckDB file (a single writer), so the in-process executor is both faster and safer here. Each
source folder (`defs/sources/<source>/`) brings its own assets, checks and freshness policies;
the loader finds them there, so nothing here lists sources.

The loader walks the `defs` package itself instead of calling `dg.load_from_defs_folder`: the
folder holds plain Python modules (no component YAML), and building Dagster's component tree
and scanning every installed package's component entry points took about 1.2 s of a 1.5 s load
(issue 19; BENCHMARKS.md has the measurement).
"""

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from dagster.components.definitions import LazyDefinitions

import hyte_assets.defs

KINDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    # Checks first: an AssetChecksDefinition is also an AssetsDefinition.
    ("asset_checks", (dg.AssetChecksDefinition,)),
    ("assets", (dg.AssetsDefinition, dg.AssetSpec, dg.SourceAsset)),
    ("jobs", (dg.JobDefinition, UnresolvedAssetJobDefinition)),
    ("schedules", (dg.ScheduleDefinition,)),
    ("sensors", (dg.SensorDefinition,)),
)


def modules_of(package: ModuleType) -> Iterator[ModuleType]:
    """Every module in the package's folder tree, folders without an `__init__.py` included
    (as `dg.load_from_defs_folder` walks them), in path order."""
    root = Path(package.__file__ or "").parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" not in parts and parts[-1] != "__init__":
            yield importlib.import_module(".".join([package.__name__, *parts]))


def load_package(package: ModuleType) -> dg.Definitions:
    """What `dg.load_from_defs_folder` finds in a folder of Python modules: a module's
    definitions functions (`@dg.definitions`) when it has any, else its asset, check, job,
    schedule and sensor objects (alone or in a list). An object imported into several modules
    counts once."""
    seen: set[int] = set()
    found: dict[str, list[object]] = {name: [] for name, _ in KINDS}
    merged: list[dg.Definitions] = []
    for module in modules_of(package):
        lazy = [v for v in vars(module).values() if isinstance(v, LazyDefinitions)]
        if lazy:
            merged += [load() for load in lazy]
            continue
        for value in vars(module).values():
            for item in value if type(value) in (list, tuple) else (value,):  # records are tuples too
                kind = next((name for name, types in KINDS if isinstance(item, types)), None)
                if kind is not None and id(item) not in seen:
                    seen.add(id(item))
                    found[kind].append(item)
    return dg.Definitions.merge(dg.Definitions(**found), *merged)  # type: ignore[arg-type]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        load_package(hyte_assets.defs), dg.Definitions(executor=dg.in_process_executor)
    )
