"""`make bench`: hyte_assets' performance figures against issue 19's targets, written into BENCHMARKS.md.

Every figure is the median of several runs (the table says how many) measured in ONE run of this
script, on the machine (and at the load) its first line describes. The baseline is measured in the
same run: a minimal two-asset Dagster project, loaded with the same probe and materialised in
process in a fresh interpreter. This is a report, not a test: a missed target is shown as missed,
and BENCHMARKS.md says why and what would close it.

1. code location load time against the minimal project, and which heavy modules it imports;
2. a full refresh (`python -m hyte_assets.refresh`), snapshot mode, Heinola scope, against the
   minimal project's materialisation;
3. a second refresh with nothing new, against the same;
4. the annual report step (HTML + PDF) within both refreshes (from the runs' step events);
5. a national refresh (`demo_data --national`, HYTE_REGION_SCOPE=all_municipalities): time, memory
   (2-5 in `bench_refresh.py`);
6. Sotkanet ingestion of 100 indicators at 50 ms latency, concurrent against sequential
   (`bench_ingestion.py`);
7. `make test-fast` and `make test`;
8. the core scorecard step in DuckDB SQL against pandas, on the national values (`bench_scorecard.py`).

Then a profile: `python -X importtime` of the load, and a full refresh's step times
(`bench_profile.py`).

Usage: `python -m hyte_assets_tests.benchmark [--repeats N] [--skip-tests]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from hyte_assets_tests.bench_common import REPO, Figure, load_now, machine, plain_env, run_measured
from hyte_assets_tests.bench_profile import import_profile, render_profile
from hyte_assets_tests.bench_refresh import (
    bench_refresh,
    heinola_figures,
    national_data_dir,
    national_figures,
)
from hyte_assets_tests.e2e.dagster_dev import copy_project_data

BENCH_MD = REPO / "BENCHMARKS.md"
START = "<!-- bench:start: written by `make bench` (python -m hyte_assets_tests.benchmark) -->"
END = "<!-- bench:end -->"
# None of these may be imported by loading the location (test_definitions.py asserts it), except
# duckdb: `WarehouseResource` is built on dagster_duckdb's DuckDBResource, whose module imports it.
HEAVY_MODULES = (
    "pandas",
    "numpy",
    "requests",
    "great_expectations",
    "matplotlib",
    "jinja2",
    "openpyxl",
    "sqlglot",
    "duckdb",
)
ALLOWED_AT_LOAD = {"duckdb"}

MINIMAL_PROJECT = """\"\"\"The baseline code location: two assets and nothing else.\"\"\"
import dagster as dg


@dg.asset
def upstream() -> int:
    return 1


@dg.asset
def downstream(upstream: int) -> int:
    return upstream + 1


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[upstream, downstream])
"""

# What a code server does when it loads a location (as `dagster definitions validate` does in
# process): import the module, build the definitions, snapshot the repository for the webserver.
LOAD_PROBE = """
import importlib, json, sys, time
start = time.perf_counter()
from dagster._core.remote_representation.external_data import RepositorySnap
definitions = importlib.import_module(sys.argv[1]).defs()
RepositorySnap.from_def(definitions.get_repository_def())
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "heavy": sorted(m for m in sys.argv[2:] if m in sys.modules),
}))
"""


# 1. Code location load time ----------------------------------------------------------------------


def minimal_project(tmp: Path) -> Path:
    project = tmp / "minimal_project"
    project.mkdir(exist_ok=True)
    (project / "minimal_defs.py").write_text(MINIMAL_PROJECT)
    return project


def bench_load(tmp: Path, repeats: int) -> list[Figure]:
    project = minimal_project(tmp)
    targets = {"hyte_assets.definitions": REPO, "minimal_defs": project}
    walls: dict[str, list[float]] = {name: [] for name in targets}
    inner: dict[str, list[float]] = {name: [] for name in targets}
    heavy: list[str] = []
    for module, cwd in targets.items():  # warm-up, not counted: .pyc files, the SQL manifest, page cache
        run_measured([sys.executable, "-c", LOAD_PROBE, module], plain_env(), tmp / "warm.log", cwd)
    for i in range(repeats):
        for module, cwd in targets.items():  # alternate, so drift in machine load hits both alike
            run = run_measured(
                [sys.executable, "-c", LOAD_PROBE, module, *HEAVY_MODULES],
                plain_env(),
                tmp / f"load_{module}_{i}.log",
                cwd,
            )
            probe = json.loads(run.log.strip().splitlines()[-1])
            walls[module].append(run.wall_s)
            inner[module].append(probe["seconds"])
            if module == "hyte_assets.definitions":
                heavy = probe["heavy"]
    hyte, minimal = median(walls["hyte_assets.definitions"]), median(walls["minimal_defs"])
    ratio = hyte / minimal
    return [
        Figure(
            "1. code location load (fresh interpreter: import, defs(), repository snapshot)",
            f"{hyte:.2f} s (in process {median(inner['hyte_assets.definitions']):.2f} s)",
            repeats,
        ),
        Figure(
            "1. minimal two-asset project, same probe",
            f"{minimal:.2f} s (in process {median(inner['minimal_defs']):.2f} s)",
            repeats,
        ),
        Figure("1. load time ratio hyte_assets / minimal", f"{ratio:.2f}×", repeats, "≤ 1.5×", ratio <= 1.5),
        Figure(
            f"1. heavy modules in sys.modules after load (of {', '.join(HEAVY_MODULES)})",
            ", ".join(heavy) or "none",
            repeats,
            "none but duckdb (dagster_duckdb imports it)",
            set(heavy) <= ALLOWED_AT_LOAD,
        ),
    ]


# 7. The test suite -------------------------------------------------------------------------------


def bench_tests(tmp: Path) -> list[Figure]:
    """`make test-fast` and `make test` once each (minutes long: one run, not a median)."""
    figures = []
    for target, limit_s, shown in (("test-fast", 60, "≤ 60 s"), ("test", 300, "≤ 5 min")):
        done = run_measured(["make", "-s", target], plain_env(), tmp / f"make_{target}.log", check=False)
        summary = next(
            (
                line.strip("= ")
                for line in reversed(done.log.splitlines())
                if " in " in line and "passed" in line
            ),
            f"exit status {done.returncode}",
        )
        summary = summary.split(" in ")[0]
        figures.append(
            Figure(
                f"7. `make {target}` (load average at its start {done.load_at_start})",
                f"{done.wall_s:.0f} s = {done.wall_s / 60:.1f} min (CPU {done.cpu_s:.0f} s; {summary})",
                1,
                shown,
                done.returncode == 0 and done.wall_s <= limit_s,
            )
        )
    return figures


# Report ------------------------------------------------------------------------------------------


def render(
    figures: list[Figure], facts: dict[str, str], notes: list[str], elapsed_s: float, profile: str
) -> str:
    described = ", ".join(f"{k} {v}" for k, v in facts.items())
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on: {described}; "
        f"load average at the end {load_now()}. `make bench` took {elapsed_s / 60:.1f} min.",
        "",
        "| figure | median | runs | target | met |",
        "|---|---|---|---|---|",
    ]
    for f in sorted(figures, key=lambda f: int(f.name.split(".", 1)[0])):  # stable: keeps run order
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        lines.append(f"| {f.name} | {f.value} | {f.runs} | {f.target} | {met} |")
    lines += ["", *(f"* {note}" for note in notes)]
    if profile:
        lines += ["", "### Profile", "", profile]
    return "\n".join(lines)


def write_section(table: str) -> None:
    """Replace the marked section of BENCHMARKS.md (or append one)."""
    section = f"{START}\n{table}\n{END}"
    text = BENCH_MD.read_text() if BENCH_MD.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCH_MD.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs per figure (default 3; the short load and scorecard timings run 2 more)",
    )
    parser.add_argument(
        "--skip-tests", action="store_true", help="leave out `make test-fast` and `make test`"
    )
    args = parser.parse_args()
    repeats = args.repeats
    started = time.perf_counter()
    facts = machine()
    print("machine:", facts)
    figures: list[Figure] = []
    notes: list[str] = []
    profile = ""

    def stage(title: str) -> None:
        """Announce a stage, note the load it starts at, and save what is measured so far."""
        print(title)
        notes.append(f"{title}: load average at its start {load_now()}.")
        partial = "(partial: `make bench` still running)\n\n"
        write_section(partial + render(figures, facts, notes, time.perf_counter() - started, profile))

    with tempfile.TemporaryDirectory(prefix="hyte_bench_") as tmp_name:
        tmp = Path(tmp_name)
        stage("1. code location load")
        figures += bench_load(tmp, repeats + 2)

        stage("2-4. full and second refresh, Heinola scope, with the minimal project")
        heinola = bench_refresh(
            "heinola", copy_project_data(tmp / "heinola_data"), tmp, repeats, minimal=minimal_project(tmp)
        )
        figures += heinola_figures(heinola, repeats)
        notes.append(f"Forced refresh with nothing new, Heinola scope: {heinola.summary()}.")
        from hyte_assets.lib.report.pdf import find_chromium

        printer = find_chromium() or "nothing (no Chromium found)"
        notes.append(f"4. the report's PDFs were printed by {printer}.")
        notes += [f"**Refresh failed**: {failure}." for failure in heinola.failures]
        load = import_profile(LOAD_PROBE, "hyte_assets.definitions", REPO, plain_env())
        profile = render_profile(load, heinola.full_steps[-1], "snapshot, Heinola scope, the last run")

        stage("5. national refresh")
        national = bench_refresh(
            "national", national_data_dir(tmp), tmp, repeats, HYTE_REGION_SCOPE="all_municipalities"
        )
        figures += national_figures(national, repeats)
        notes.append(f"Forced refresh with nothing new, national scale: {national.summary()}.")
        notes += [f"**Refresh failed**: {failure}." for failure in national.failures]

        from hyte_assets_tests.bench_ingestion import bench_ingestion
        from hyte_assets_tests.bench_scorecard import bench_scorecard

        stage("6. Sotkanet ingestion")
        figures += bench_ingestion(tmp, repeats)

        stage("8. scorecard SQL against pandas")
        try:
            figures += bench_scorecard(national.warehouse, repeats + 2)
        except Exception as exc:  # a failed national refresh leaves no marts: say so, go on
            notes.append(f"8. scorecard not measured: {type(exc).__name__}: {str(exc).splitlines()[0]}")

        if not args.skip_tests:
            stage("7. make test-fast, make test")
            figures += bench_tests(tmp)
    table = render(figures, facts, notes, time.perf_counter() - started, profile)
    print()
    print(table)
    write_section(table)
    print(f"\nwritten to {BENCH_MD}")


if __name__ == "__main__":
    main()
