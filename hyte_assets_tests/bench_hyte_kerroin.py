"""Time the hyte_kerroin step's computation on a refreshed warehouse, and compare its tables.

    python -m hyte_assets_tests.bench_hyte_kerroin [--warehouse PATH] [--repeats N]
        [--save FRAMES.pkl | --compare FRAMES.pkl] [--profile]

Runs the asset's body in one process on a copy of the warehouse (the inputs-unchanged skip is turned
off and the write is captured, so the copy is never changed), `--repeats` times, and prints the
median and the best wall and CPU time. `--save` pickles the DataFrames the step would write; `--compare`
asserts with pandas.testing that they are identical to a saved set (how issue 19's speed-up of this
step was checked against the code before it). Not a test: timings belong here, not in the suite.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pickle
import pstats
import shutil
import tempfile
import time
from pathlib import Path
from statistics import median
from types import SimpleNamespace

import pandas as pd
from pandas.testing import assert_frame_equal

from hyte_assets.defs.hyte import hyte_kerroin as step
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource

REPO = Path(__file__).resolve().parents[1]
WAREHOUSE = REPO / "data" / "warehouse" / "hyte.duckdb"


def run_once(warehouse: WarehouseResource) -> dict[str, pd.DataFrame]:
    """The step's tables, as it would write them (the write itself is captured, not done)."""
    captured: dict[str, pd.DataFrame] = {}

    def capture(con: object, tables: dict[str, pd.DataFrame], **_: object) -> dict[str, str]:
        captured.update(tables)
        return {}

    originals = (step.inputs_unchanged, step.replace_tables)
    step.inputs_unchanged, step.replace_tables = (lambda *_: False), capture  # type: ignore[assignment]
    try:
        context = SimpleNamespace(log=logging.getLogger("bench_hyte_kerroin"))
        body = step.hyte_kerroin.op.compute_fn.decorated_fn  # type: ignore[union-attr]
        for _ in body(context, PipelineSettings(), warehouse):
            pass
    finally:
        step.inputs_unchanged, step.replace_tables = originals
    return captured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, default=WAREHOUSE)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "hyte.duckdb"
        shutil.copy(args.warehouse, copy)
        warehouse = WarehouseResource(database=str(copy))
        tables = run_once(warehouse)  # warm-up: imports, first reads
        wall, cpu = [], []
        for _ in range(args.repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            run_once(warehouse)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # CPU time as well: on a shared machine the wall time mostly measures the other processes.
        for label, times in (("wall", wall), ("CPU", cpu)):
            spread = f"median {median(times):.3f} s, best {min(times):.3f} s ({args.repeats} runs)"
            print(f"hyte_kerroin step body, {label}: {spread}")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(run_once, warehouse)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    if args.save:
        args.save.write_bytes(pickle.dumps(tables))
        print(f"saved {sorted(tables)} to {args.save}")
    if args.compare:
        expected = pickle.loads(args.compare.read_bytes())
        assert sorted(expected) == sorted(tables), (sorted(expected), sorted(tables))
        for name, frame in expected.items():
            assert_frame_equal(tables[name], frame, check_exact=True)
        print(f"identical to {args.compare}: {', '.join(f'{n} {f.shape}' for n, f in expected.items())}")


if __name__ == "__main__":
    main()
