"""Headless Chromium for loading the Dagster UI: Debian's `chromium`, installed on demand when root.

The flags keep Chromium off the network (this machine's network is closed, and Chromium would
otherwise keep trying Google's hosts) and away from the user's profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Console messages and uncaught page errors go to stderr as "INFO:CONSOLE(...)" lines.
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1440,900",
)
# Let a single-page app fetch its data and render before the DOM is taken (virtual milliseconds).
VIRTUAL_TIME_MS = 15000


def find_or_install() -> tuple[str | None, str]:
    """Chromium's path, installing Debian's package with apt-get when missing and running as root.

    Returns (path, "") or (None, why it is not available).
    """
    found = shutil.which("chromium")
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "chromium is not installed and we cannot apt-get install it (not root or no apt)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Wait for another apt/dpkg process (e.g. a parallel install) instead of failing on its lock.
    lock_wait = ["-o", "DPkg::Lock::Timeout=600"]
    for command in (
        ["apt-get", *lock_wait, "update", "-qq"],
        ["apt-get", *lock_wait, "install", "-y", "-qq", "chromium"],
    ):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return None, f"{' '.join(command)} timed out"
        if done.returncode != 0:
            return None, f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}"
    found = shutil.which("chromium")
    return (found, "") if found else (None, "apt-get installed chromium but it is not on PATH")


def run(
    binary: str,
    url: str,
    profile: Path,
    *action: str,
    timeout_s: float = 120.0,
    virtual_time_ms: int = VIRTUAL_TIME_MS,
) -> subprocess.CompletedProcess[str]:
    """One headless Chromium invocation with a fresh profile dir; `action` is e.g. `--dump-dom`."""
    budget = f"--virtual-time-budget={virtual_time_ms}"
    return subprocess.run(
        [binary, *FLAGS, budget, f"--user-data-dir={profile}", *action, url],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def uncaught_errors(stderr: str) -> list[str]:
    """Uncaught JavaScript exceptions that the page logged to the console."""
    return [line for line in stderr.splitlines() if "Uncaught" in line]
