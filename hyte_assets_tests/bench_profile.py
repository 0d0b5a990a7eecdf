"""Where the time goes, for `make bench`: import times of the code location and a refresh's steps.

* `import_profile` runs `python -X importtime` on the load probe and sums the self time of every
  module by top-level package (dagster, pydantic, duckdb, hyte_assets, ...), plus the project's
  slowest modules by cumulative time.
* `step_breakdown` reads the runs a `python -m hyte_assets.refresh` wrote into its DAGSTER_HOME
  (the run and step events, not the log text): time before the first run (interpreter, imports,
  definitions, preflight), each run's steps and its bookkeeping, and the largest steps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| *(\S+)$")


@dataclass
class ImportProfile:
    total_s: float
    by_package: list[tuple[str, float]]  # self time summed per top-level package, largest first
    project: list[tuple[str, float]]  # hyte_assets modules by cumulative time, largest first


def import_profile(probe: str, module: str, cwd: Path, env: dict[str, str]) -> ImportProfile:
    """`python -X importtime` of the load probe (import, defs(), repository snapshot)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe, module],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    self_us: dict[str, int] = defaultdict(int)
    project: dict[str, int] = {}
    total = 0
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if not match:
            continue
        own, cumulative, name = int(match[1]), int(match[2]), match[3]
        self_us[name.split(".")[0]] += own
        total += own
        if name.startswith("hyte_assets"):
            project[name] = max(project.get(name, 0), cumulative)
    by_package = sorted(((k, v / 1e6) for k, v in self_us.items()), key=lambda kv: -kv[1])
    ranked = sorted(((k, v / 1e6) for k, v in project.items()), key=lambda kv: -kv[1])
    return ImportProfile(total / 1e6, by_package, ranked)


@dataclass
class RunTimes:
    job: str
    wall_s: float
    steps: dict[str, float]  # step key -> seconds (STEP_SUCCESS/STEP_FAILURE duration)


@dataclass
class Breakdown:
    process_s: float
    before_runs_s: float
    after_runs_s: float
    runs: list[RunTimes]

    def step(self, key: str) -> float | None:
        """Seconds of the step `key` (or of steps whose key contains it), None when none ran."""
        found = [s for run in self.runs for k, s in run.steps.items() if k == key or key in k]
        return sum(found) if found else None


def step_breakdown(dagster_home: Path, started_at: float, ended_at: float) -> Breakdown:
    """The runs in `dagster_home` that one refresh started, timed from their events.

    `started_at`/`ended_at` are the refresh process's spawn and exit (`time.time()`), so the time
    outside the runs (interpreter, imports, definitions, preflight, summary) is shown too.
    """
    import dagster as dg
    from dagster._core.events import DagsterEventType

    old = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        with dg.DagsterInstance.get() as instance:
            runs: list[RunTimes] = []
            bounds: list[tuple[float, float]] = []
            for run in sorted(instance.get_runs(), key=lambda r: r.run_id):
                events = instance.all_logs(run.run_id)
                stamps = [e.timestamp for e in events]
                steps: dict[str, float] = {}
                for entry in events:
                    event = entry.dagster_event
                    if event is None or event.event_type not in (
                        DagsterEventType.STEP_SUCCESS,
                        DagsterEventType.STEP_FAILURE,
                    ):
                        continue
                    duration = getattr(event.event_specific_data, "duration_ms", None)
                    if duration is not None and event.step_key:
                        steps[event.step_key] = steps.get(event.step_key, 0.0) + duration / 1000
                if stamps and min(stamps) >= started_at:  # this refresh's runs, not earlier ones
                    bounds.append((min(stamps), max(stamps)))
                    runs.append(RunTimes(run.job_name, max(stamps) - min(stamps), steps))
    finally:
        if old is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = old
    runs_order = sorted(zip(bounds, runs, strict=True), key=lambda pair: pair[0][0])
    first = runs_order[0][0][0] if runs_order else ended_at
    last = runs_order[-1][0][1] if runs_order else ended_at
    return Breakdown(ended_at - started_at, first - started_at, ended_at - last, [r for _, r in runs_order])


def render_profile(load: ImportProfile, full: Breakdown, label: str, top: int = 12) -> str:
    """The profile section of BENCHMARKS.md."""
    lines = [
        "### Loading the code location: `python -X importtime`",
        "",
        f"Self time of every imported module, summed per top-level package (total {load.total_s:.2f} s"
        " under -X importtime, which adds its own overhead):",
        "",
        "| package | self time |",
        "|---|---|",
        *(f"| {name} | {seconds:.3f} s |" for name, seconds in load.by_package[:top]),
        "",
        "The project's modules as the loader imports them, by cumulative time (including what they import):",
        "",
        "| module | cumulative |",
        "|---|---|",
        *(f"| {name} | {seconds:.3f} s |" for name, seconds in load.project[:top]),
        "",
        f"### A full refresh ({label}) from its run and step events",
        "",
        f"Process {full.process_s:.1f} s: {full.before_runs_s:.1f} s before the first run (interpreter, "
        f"imports, `defs()`, preflight, run lock), {full.after_runs_s:.1f} s after the last "
        "(summary, exit).",
        "",
        "| run | wall | in steps | steps | outside steps (run bookkeeping) |",
        "|---|---|---|---|---|",
    ]
    for run in full.runs:
        in_steps = sum(run.steps.values())
        lines.append(
            f"| {run.job} | {run.wall_s:.1f} s | {in_steps:.1f} s | {len(run.steps)} | "
            f"{run.wall_s - in_steps:.1f} s |"
        )
    every = sorted(
        ((key, seconds) for run in full.runs for key, seconds in run.steps.items()), key=lambda kv: -kv[1]
    )
    lines += [
        "",
        f"The {top} largest steps:",
        "",
        "| step | seconds |",
        "|---|---|",
        *(f"| {key} | {seconds:.2f} |" for key, seconds in every[:top]),
    ]
    return "\n".join(lines)
