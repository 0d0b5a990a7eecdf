"""`make bench`, figures 2-5: full and second refreshes at Heinola scope against the minimal
project's materialisation, the annual report step within them, and the national refresh.

The second refresh is `make run` again with nothing new: it launches no run (`lib/refresh_state.py`).
A third, forced one (HYTE_FORCE_REFRESH=1) launches both runs with every step skipping or replaying,
so the table also shows what a run with nothing new costs (e.g. a scheduled run)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from hyte_assets_tests.bench_common import REPO, Figure, Measured, plain_env, run_measured
from hyte_assets_tests.bench_profile import Breakdown, step_breakdown
from hyte_assets_tests.e2e.dagster_dev import hyte_env, make_dagster_home

REFRESH = [sys.executable, "-m", "hyte_assets.refresh"]
REPORT_STEP = "vuosiraportti"
GIB = 1024**3
MIB = 1024**2

# The baseline refresh: a fresh interpreter materialises the minimal project in process into a
# DAGSTER_HOME, as `python -m hyte_assets.refresh` does with the real graph.
MINIMAL_MATERIALISE = """
import sys
import dagster as dg
from minimal_defs import downstream, upstream
with dg.DagsterInstance.get() as instance:
    result = dg.materialize([upstream, downstream], instance=instance)
sys.exit(0 if result.success else 1)
"""

# "<n> models skipped, inputs unchanged since the last build: …", logged by defs/models/sql_assets.py
SKIPPED = re.compile(r"(\d+) models skipped, inputs unchanged since the last build")


# Refreshes ----------------------------------------------------------------------------------


@dataclass
class RefreshRuns:
    full: list[Measured]
    second: list[Measured]
    forced: list[Measured]
    full_steps: list[Breakdown]
    second_steps: list[Breakdown]
    forced_steps: list[Breakdown]
    minimal: list[Measured]
    warehouse: Path
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Where the forced refresh with nothing new spends its time: steps (largest first) and
        everything else."""
        per_step: dict[str, list[float]] = {}
        for breakdown in self.forced_steps:
            for run in breakdown.runs:
                for key, seconds in run.steps.items():
                    per_step.setdefault(key, []).append(seconds)
        in_steps = median([sum(sum(r.steps.values()) for r in b.runs) for b in self.forced_steps])
        in_runs = median([sum(r.wall_s for r in b.runs) for b in self.forced_steps])
        top = sorted(((k, median(v)) for k, v in per_step.items()), key=lambda kv: -kv[1])[:4]
        wall = median([m.wall_s for m in self.forced])
        skipped = median([sum(int(n) for n in SKIPPED.findall(m.log)) for m in self.forced])
        return (
            f"{len(per_step)} steps, {skipped:.0f} SQL models skipped as unchanged; "
            f"{in_steps:.1f} s in steps (largest: {', '.join(f'{n} {s:.2f} s' for n, s in top)}), "
            f"{in_runs - in_steps:.1f} s of run bookkeeping outside the steps, "
            f"{wall - in_runs:.1f} s outside the runs (interpreter, imports, definitions, preflight)"
        )


def failed_steps(log: str) -> str:
    """The failed steps and rejected delivery files of the refresh's end summary (refresh_summary.py)."""
    lines, found = log.splitlines(), []
    for i, line in enumerate(lines):
        if line.startswith(("Failed steps:", "Rejected delivery files")):
            for item in lines[i + 1 :]:
                if not item.startswith("  "):
                    break
                found.append(item.strip())
    return "; ".join(found) or "nothing listed in the summary"


def materialise_minimal(project: Path, run_dir: Path) -> Measured:
    env = {**plain_env(), "DAGSTER_HOME": str(make_dagster_home(run_dir / "minimal_home"))}
    return run_measured([sys.executable, "-c", MINIMAL_MATERIALISE], env, run_dir / "minimal.log", project)


def bench_refresh(
    label: str, data_dir: Path, tmp: Path, repeats: int, *, minimal: Path | None = None, **settings: str
) -> RefreshRuns:
    """A full refresh into a fresh DuckDB file and DAGSTER_HOME, then the same refresh again; with
    `minimal`, the minimal project is materialised before each pair (same machine state)."""
    runs = RefreshRuns([], [], [], [], [], [], [], tmp)
    for i in range(repeats):
        run_dir = tmp / f"{label}_{i}"
        if minimal is not None:
            runs.minimal.append(materialise_minimal(minimal, run_dir))
        home = make_dagster_home(run_dir / "dagster_home")
        warehouse = run_dir / "warehouse" / "hyte.duckdb"
        env = hyte_env(home, data_dir, warehouse, **settings)
        for measured, steps, name in (
            (runs.full, runs.full_steps, "full"),
            (runs.second, runs.second_steps, "second"),
            (runs.forced, runs.forced_steps, "forced"),
        ):
            forced = {"HYTE_FORCE_REFRESH": "1"} if name == "forced" else {}
            done = run_measured(REFRESH, {**env, **forced}, run_dir / f"{name}.log", check=False)
            if done.returncode != 0:  # measured all the same; the table says it failed
                runs.failures.append(
                    f"{label} {name} refresh {i + 1}: exit {done.returncode}, {failed_steps(done.log)}"
                )
            measured.append(done)
            steps.append(step_breakdown(home, done.started_at, done.ended_at))
        runs.warehouse = warehouse
        baseline = f", minimal {runs.minimal[-1].wall_s:.1f} s" if minimal is not None else ""
        print(
            f"  {label} run {i + 1}: full {runs.full[-1].wall_s:.1f} s, "
            f"second {runs.second[-1].wall_s:.1f} s, forced {runs.forced[-1].wall_s:.1f} s{baseline}"
        )
    return runs


def national_data_dir(tmp: Path) -> Path:
    """A complete HYTE_DATA_DIR around `demo_data --national`: its snapshot folders beside the
    project's catalog, plan, hyte inputs, scorecard settings, regions, deliveries and cited real values."""
    generated = tmp / "national_generated"
    subprocess.run(
        [sys.executable, "-m", "hyte_assets.lib.demo_data", "--national", str(generated)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    data = tmp / "national_data"
    for folder in ("catalog", "hyte", "plan", "scorecard", "local", "regions"):
        shutil.copytree(REPO / "data" / folder, data / folder)
    (data / "snapshots").mkdir()
    for name in ("real_values.csv", "sotkanet_titles.csv"):
        shutil.copy(REPO / "data" / "snapshots" / name, data / "snapshots" / name)
    for item in generated.iterdir():
        # The city's own deliveries stay Heinola's (data/local): the national generator's demo
        # deliveries carry county rows ('01') that the delivery loader rejects, and a rejected
        # delivery fails a blocking check, which would stop the refresh before the SQL models.
        if item.name != "local":
            shutil.copytree(item, data / "snapshots" / item.name)
    return data


def report_seconds(breakdowns: list[Breakdown]) -> tuple[float | None, int]:
    """Median seconds of the report step, and in how many of the runs it ran at all."""
    found = [s for b in breakdowns if (s := b.step(REPORT_STEP)) is not None]
    return (median(found) if found else None), len(found)


def launched(runs: RefreshRuns) -> str:
    """How many of the second refreshes launched a run (none should: nothing is new)."""
    return f"{sum(bool(b.runs) for b in runs.second_steps)} of {len(runs.second_steps)} launched a run"


def heinola_figures(runs: RefreshRuns, repeats: int) -> list[Figure]:
    minimal = median([m.wall_s for m in runs.minimal])
    wall, cpu = median([m.wall_s for m in runs.full]), median([m.cpu_s for m in runs.full])
    second, second_cpu = median([m.wall_s for m in runs.second]), median([m.cpu_s for m in runs.second])
    forced, forced_cpu = median([m.wall_s for m in runs.forced]), median([m.cpu_s for m in runs.forced])
    report_full, ran_full = report_seconds(runs.full_steps)
    report_second, ran_second = report_seconds(runs.second_steps)
    report_forced, ran_forced = report_seconds(runs.forced_steps)
    return [
        Figure(
            "2. minimal two-asset project materialised in process (fresh interpreter, own DAGSTER_HOME)",
            f"{minimal:.2f} s (CPU {median([m.cpu_s for m in runs.minimal]):.2f} s)",
            repeats,
        ),
        Figure(
            "2. full refresh, snapshot, Heinola scope: wall (CPU), ratio to minimal",
            f"{wall:.1f} s ({cpu:.1f} s) = {wall / minimal:.1f}×",
            repeats,
            "≤ 4×",
            wall / minimal <= 4,
        ),
        Figure(
            "2. full refresh, snapshot, Heinola scope: peak RSS",
            f"{median([m.peak_rss for m in runs.full]) / MIB:.0f} MiB",
            repeats,
        ),
        Figure(
            "3. second refresh (`make run` again), nothing new, Heinola scope: wall (CPU), ratio to minimal",
            f"{second:.1f} s ({second_cpu:.1f} s) = {second / minimal:.1f}× ({second / wall:.0%} of full; "
            f"{launched(runs)})",
            repeats,
            "≤ 1.5×",
            second / minimal <= 1.5,
        ),
        Figure(
            "3. the same, forced (HYTE_FORCE_REFRESH=1: both runs launched, every step skips or replays)",
            f"{forced:.1f} s ({forced_cpu:.1f} s) = {forced / minimal:.1f}×",
            repeats,
        ),
        Figure(
            "4. annual report step (HTML fi + en, PDF) in the full refresh",
            "not run (see below)" if report_full is None else f"{report_full:.2f} s",
            ran_full,
            "≤ 2 s",
            report_full is not None and report_full <= 2,
        ),
        Figure(
            "4. annual report step in the second refresh (inputs unchanged)",
            "not launched: nothing new (0 s)" if report_second is None else f"{report_second:.2f} s",
            ran_second or repeats,
            "≤ 0.2 s",
            report_second is None or report_second <= 0.2,
        ),
        Figure(
            "4. annual report step in the forced refresh (inputs unchanged, step launched)",
            "not run (see below)" if report_forced is None else f"{report_forced:.2f} s",
            ran_forced or repeats,
            "≤ 0.2 s",
            None if report_forced is None else report_forced <= 0.2,
        ),
    ]


def national_figures(runs: RefreshRuns, repeats: int) -> list[Figure]:
    wall, cpu = median([m.wall_s for m in runs.full]), median([m.cpu_s for m in runs.full])
    peak = median([m.peak_rss for m in runs.full])
    second = median([m.wall_s for m in runs.second])
    forced = median([m.wall_s for m in runs.forced])
    return [
        Figure(
            "5. national refresh (every municipality × every measure × 2000–2025): wall (CPU)",
            f"{wall:.1f} s ({cpu:.1f} s)",
            repeats,
            "≤ 30 s",
            wall <= 30,
        ),
        Figure(
            "5. national refresh: peak RSS", f"{peak / MIB:.0f} MiB", repeats, "≤ 1.5 GiB", peak <= 1.5 * GIB
        ),
        Figure(
            "5. national second refresh, nothing new: wall",
            f"{second:.1f} s ({second / wall:.0%} of full; {launched(runs)}); forced {forced:.1f} s",
            repeats,
        ),
    ]
