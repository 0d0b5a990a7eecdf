"""What the `make bench` modules share: a table line, a measured subprocess, the machine it ran on."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hyte_assets_tests.e2e.dagster_dev import REPO

__all__ = ["REPO", "Figure", "Measured", "load_now", "machine", "plain_env", "run_measured", "timed"]


@dataclass
class Figure:
    """One line of the results table."""

    name: str
    value: str
    runs: int
    target: str = ""
    met: bool | None = None


@dataclass
class Measured:
    """A finished subprocess: wall time, CPU time (user + system), peak resident memory, output.

    `started_at`/`ended_at` are wall-clock stamps (`time.time()`) to line up with Dagster's events.
    """

    wall_s: float
    cpu_s: float
    peak_rss: int
    log: str
    started_at: float = 0.0
    ended_at: float = 0.0
    returncode: int = 0
    load_at_start: str = ""


def plain_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HYTE_")}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def load_now() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, str]:
    """nproc, memory, CPU model and the versions that matter here."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    mem_kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M).group(1))  # type: ignore[union-attr]
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": f"{mem_kib / 1024**2:.1f} GiB",
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "python": platform.python_version(),
        "dagster": importlib.metadata.version("dagster"),
        "duckdb": importlib.metadata.version("duckdb"),
        "pandas": importlib.metadata.version("pandas"),
        # Other work on the machine skews every figure; this says how busy it was at the start.
        "load average (1, 5, 15 min)": load_now(),
    }


def run_measured(
    cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path = REPO, *, check: bool = True
) -> Measured:
    """Run to completion; wall time from spawn to exit, CPU time and peak RSS from the kernel (wait4)."""
    load_at_start = load_now()
    with log_path.open("w") as log:
        started_at = time.time()
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        ended_at = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(errors="replace")
    if check and process.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {process.returncode} (log {log_path}):\n{tail}")
    return Measured(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,
        text,
        started_at,
        ended_at,
        process.returncode,
        load_at_start,
    )
