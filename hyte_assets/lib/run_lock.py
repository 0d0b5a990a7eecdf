"""One refresh per warehouse at a time: an OS file lock beside the DuckDB file, held for the run.

DuckDB lets one process write a file at a time, but two refreshes can still interleave their
steps (each step opens and closes the file), so two `make run`s, or `make run` and a daemon run,
used to execute side by side. The lock file `<warehouse>.run.lock` is locked with `flock` for
as long as a refresh writes; the kernel releases it when the holder exits, however it exits,
so a killed refresh never leaves a stale lock. The holder writes who it is into the file, so a
waiting refresh can say which process it waits for, and the wait is bounded.

The lock is re-entrant within a process: `make run` holds it around both of its jobs, and the
warehouse resource inside those jobs takes it again without waiting for itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT_S = 600.0
TIMEOUT_VARIABLE = "HYTE_RUN_LOCK_TIMEOUT_S"

_held: dict[Path, list[int]] = {}  # lock path → [fd, depth]
_guard = threading.Lock()


class RunLockTimeout(RuntimeError):
    """Another process kept the warehouse for longer than we were willing to wait."""


def lock_path(warehouse: Path | str) -> Path:
    path = Path(warehouse)
    return path.with_name(path.name + ".run.lock")


def timeout_from_env(default: float = DEFAULT_TIMEOUT_S) -> float:
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise ValueError(f"{TIMEOUT_VARIABLE}={raw!r}: not a number of seconds") from exc


def holder(warehouse: Path | str) -> str:
    """Who holds (or last held) the lock, as text for a message."""
    try:
        info = json.loads(lock_path(warehouse).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "an unknown process"
    if not info:
        return "an unknown process"
    what = f" ({info['purpose']})" if info.get("purpose") else ""
    return f"PID {info.get('pid')} on {info.get('host')}{what}, started {info.get('started_at')}"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def hold(
    warehouse: Path | str,
    *,
    purpose: str = "",
    timeout_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's run lock; wait at most `timeout_s` for another holder to finish."""
    path = lock_path(warehouse).resolve()
    with _guard:
        if path in _held:
            _held[path][1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(path)
        return
    timeout_s = timeout_from_env() if timeout_s is None else timeout_s
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, warehouse, timeout_s, on_wait)
    except BaseException:
        os.close(fd)
        raise
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "purpose": purpose or " ".join(sys.argv[:3]),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    with _guard:
        _held[path] = [fd, 1]
    try:
        yield
    finally:
        _release(path)


def _acquire(fd: int, warehouse: Path | str, timeout_s: float, on_wait: Callable[[str], None] | None) -> None:
    if _try_lock(fd):
        return
    who = holder(warehouse)
    if on_wait is not None:
        on_wait(f"waiting up to {timeout_s:.0f} s for the refresh of {warehouse} held by {who}")
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while time.monotonic() < deadline:
        time.sleep(min(delay, max(deadline - time.monotonic(), 0)))
        if _try_lock(fd):
            return
        delay = min(delay * 2, 2.0)
    raise RunLockTimeout(
        f"another refresh of {warehouse} is still running after {timeout_s:.0f} s: held by "
        f"{holder(warehouse)}. Wait for it to finish (or stop it), or raise {TIMEOUT_VARIABLE}."
    )


def _release(path: Path) -> None:
    with _guard:
        entry = _held[path]
        entry[1] -= 1
        if entry[1]:
            return
        del _held[path]
    fd = entry[0]
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def held_here(warehouse: Path | str) -> bool:
    """True when this process holds the warehouse's run lock."""
    with _guard:
        return lock_path(warehouse).resolve() in _held
