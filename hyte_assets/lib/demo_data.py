"""Seeded generator of the shipped snapshot: wire-format responses plus demo values.

Nothing in this sandbox can reach THL or Statistics Finland, so the offline default runs on a
snapshot that this script writes. It is honest by construction:

* real values come only from `data/snapshots/real_values.csv`, where each row cites its public
  source (the reference notes, the plan itself); they are written into the wire-format files
  unchanged and keep `is_demo = false` all the way to the reports;
* every other value is demo data at real scale (`demo_scale`): the regions are Finland's real
  municipalities, maakunnat and wellbeing counties with their real 31.12.2025 populations (the
  population of 2025 is real, earlier years a smooth demo series ending at it), counts scale with
  the population, and each series is a seeded walk that starts inside the item's band in
  `data/snapshots/demo_anchors.csv` and passes through the real values where there are some;
  survey and register indicators with a gender classification get male/female/total rows.
  Demo values are written as such (`demo_values.csv` per source, city deliveries in
  `data/local/demo/`) or, inside the wire-format files, are every cell that `real_values.csv` does not list;
* source identifiers (Sotkanet ids, PxWeb tables/content codes) are only those the catalog cites.

Run `python -m hyte_assets.lib.demo_data` to rewrite `data/snapshots/` (default scope), or with
`--national DIR` to write a national-scale data set (every municipality, 2000–2025) for the
benchmark. The same seed always gives byte-identical files.

Each source folder writes its own files (`defs/sources/<source>/demo.py`, a `generate(inputs)`
function); this module finds them and runs them. The shared helpers are in `demo_support`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
from pathlib import Path

from hyte_assets.lib.demo_scale import Levels, demo_regions
from hyte_assets.lib.demo_support import (
    DATA_DIR,
    DEFAULT_SCOPE,
    NATIONAL_SCOPE,
    DemoInputs,
    Scope,
    ValueModel,
    read_csv,
)

SOURCES_PACKAGE = "hyte_assets.defs.sources"


def generators() -> dict[str, object]:
    """`generate` of every source folder that has a `demo.py`, by folder name."""
    package = importlib.import_module(SOURCES_PACKAGE)
    found = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.ispkg and importlib.util.find_spec(f"{SOURCES_PACKAGE}.{info.name}.demo"):
            found[info.name] = importlib.import_module(f"{SOURCES_PACKAGE}.{info.name}.demo").generate
    return found


def generate(
    out: Path, *, data_dir: Path = DATA_DIR, scope: Scope = DEFAULT_SCOPE, local_dir: Path | None = None
) -> dict[str, int]:
    """Write the snapshot under `out` (and demo city deliveries under `local_dir`)."""
    scale = demo_regions(data_dir)
    inputs = DemoInputs(
        out=out,
        local_dir=local_dir or out / "local",
        data_dir=data_dir,
        measures=read_csv(data_dir / "catalog" / "measures.csv"),
        regions=scale.regions,
        model=ValueModel(
            read_csv(data_dir / "snapshots" / "real_values.csv"),
            Levels.load(data_dir / "snapshots" / "demo_anchors.csv"),
        ),
        scope=scope,
        scale=scale,
    )
    counts: dict[str, int] = {}
    for generate_source in generators().values():
        counts.update(generate_source(inputs))  # type: ignore[operator]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--national", type=Path, help="write a national-scale data set (2000–2025) into this folder"
    )
    args = parser.parse_args()
    if args.national:
        counts = generate(args.national, scope=NATIONAL_SCOPE, local_dir=args.national / "local")
    else:
        counts = generate(DATA_DIR / "snapshots", local_dir=DATA_DIR / "local")
    for name, count in counts.items():
        print(f"{name:>28}: {count}")


if __name__ == "__main__":
    main()
