"""`dagster dev` in its own process group on a free loopback port, with an isolated instance and data.

The server runs from the repository root exactly as `make dev` starts it (`-w workspace.yaml`), but
with a temporary DAGSTER_HOME, a copy of data/ and a temporary DuckDB file, so a test never touches
the developer's warehouse or run history. Runs go through the GraphQL API like a user's clicks do:
the queued run coordinator of hyte_assets/dagster.yaml hands them to dagster dev's daemon, whose
default run launcher starts one subprocess per run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

REPO = Path(__file__).resolve().parents[2]
LOCATION = "hyte_assets"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}

RUN_EVENTS_QUERY = """
query RunEvents($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      status
      eventConnection(limit: 10000) {
        events {
          __typename
          ... on MessageEvent { message level stepKey }
          ... on ErrorEvent { error { message stack cause { message stack } } }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

ACTIVE_RUNS_QUERY = """
query ActiveRuns {
  runsOrError(filter: {statuses: [QUEUED, NOT_STARTED, STARTING, STARTED, CANCELING]}) {
    __typename
    ... on Runs { results { runId jobName status } }
  }
}
"""

ASSET_CHECKS_QUERY = """
query AssetChecks($assetKey: AssetKeyInput!) {
  assetNodeOrError(assetKey: $assetKey) {
    __typename
    ... on AssetNode {
      assetChecksOrError {
        __typename
        ... on AssetChecks {
          checks { name blocking executionForLatestMaterialization { status } }
        }
      }
    }
  }
}
"""


def copy_project_data(dest: Path) -> Path:
    """A copy of data/ without what earlier runs left there (warehouse, exports, cache, reports)."""
    shutil.copytree(
        REPO / "data", dest, ignore=shutil.ignore_patterns("warehouse", "exports", "cache", "reports")
    )
    return dest


def make_dagster_home(path: Path) -> Path:
    """A fresh DAGSTER_HOME with the project's instance settings (hyte_assets/dagster.yaml)."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "hyte_assets" / "dagster.yaml", path / "dagster.yaml")
    return path


def hyte_env(dagster_home: Path, data_dir: Path, duckdb_path: Path, **settings: str) -> dict[str, str]:
    """The current environment with every HYTE_* setting replaced by the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYTE_")}
    env.update(
        DAGSTER_HOME=str(dagster_home),
        HYTE_DATA_DIR=str(data_dir),
        HYTE_DUCKDB_PATH=str(duckdb_path),
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunFailed(AssertionError):
    """A run ended other than in SUCCESS; the message carries its error events."""


class DagsterDev:
    """`dagster dev -w workspace.yaml` on 127.0.0.1; a context manager that always stops it."""

    def __init__(self, env: dict[str, str], log_path: Path, *, boot_timeout_s: float = 120.0) -> None:
        self.env = env
        self.log_path = log_path
        self.boot_timeout_s = boot_timeout_s
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> DagsterDev:
        # A shell without job control starts background commands with SIGINT ignored; children
        # inherit an ignored signal, and dagster dev would never hear the interrupt that stops it.
        # A handled signal is reset to the default on exec, so handle it while spawning.
        ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        if ignored:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            with self.log_path.open("wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml"]
                    + ["-h", "127.0.0.1", "-p", str(self.port)],
                    cwd=REPO,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        finally:
            if ignored:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_until_serving(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.boot_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dagster dev exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                answer = requests.get(f"{self.url}/server_info", timeout=5)
                if answer.ok and "dagster_webserver_version" in answer.json():
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(1.0)
        raise TimeoutError(f"dagster dev did not answer in {self.boot_timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGINT the process group (dagster dev shuts its services down), SIGKILL what is left."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the leader's pid is the group id
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(pgid, signal.SIGINT)
            self.process.wait(timeout=timeout_s)
        # Code servers and run workers of this group that outlived dagster dev.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=timeout_s)
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    @property
    def client(self) -> DagsterGraphQLClient:
        return DagsterGraphQLClient("127.0.0.1", port_number=self.port)

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """A raw POST to /graphql; GraphQL errors raise."""
        answer = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60
        )
        answer.raise_for_status()
        body = answer.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def run_job(self, job_name: str, *, tags: dict[str, str] | None = None, timeout_s: float = 600.0) -> str:
        """Submit a job like the launchpad does and wait for it; raises RunFailed unless it succeeds."""
        client = self.client
        run_id = client.submit_job_execution(job_name, repository_location_name=LOCATION, tags=tags or {})
        deadline = time.monotonic() + timeout_s
        while (status := client.get_run_status(run_id)) not in FINISHED:
            if time.monotonic() > deadline:
                raise RunFailed(f"{job_name} run {run_id} still {status.value} after {timeout_s:.0f} s")
            time.sleep(1.0)
        if status != DagsterRunStatus.SUCCESS:
            errors = "\n\n".join(self.run_errors(run_id)) or "(no error events)"
            raise RunFailed(
                f"{job_name} run {run_id} ended {status.value}:\n{errors}\n"
                f"--- end of the dagster dev log ---\n{self.log_tail()}"
            )
        return run_id

    def wait_until_idle(self, timeout_s: float = 300.0) -> None:
        """Wait until no run is queued or running (e.g. one a sensor started on the daemon's first tick)."""
        deadline = time.monotonic() + timeout_s
        while True:
            active = self.graphql(ACTIVE_RUNS_QUERY, {})["runsOrError"]["results"]
            if not active:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs still active after {timeout_s:.0f} s: {active}")
            time.sleep(1.0)

    def run_errors(self, run_id: str) -> list[str]:
        """The run's error-level events, with the Python errors behind them (and their causes)."""
        run = self.graphql(RUN_EVENTS_QUERY, {"runId": run_id})["runOrError"]
        if run["__typename"] != "Run":
            return [f"{run['__typename']}: {run.get('message', '')}"]
        found = []
        for event in run["eventConnection"]["events"]:
            if event.get("level") not in ("ERROR", "CRITICAL") and not event.get("error"):
                continue
            parts = [f"[{event['__typename']} {event.get('stepKey') or ''}] {event.get('message', '')}"]
            error = event.get("error")
            while error:
                parts.append(error["message"] + "".join(error.get("stack") or []))
                error = error.get("cause")
            found.append("\n".join(parts))
        return found

    def asset_checks(self, asset_path: list[str]) -> dict[str, dict[str, Any]]:
        """Name → {blocking, status of the execution for the latest materialization (None if none)}."""
        node = self.graphql(ASSET_CHECKS_QUERY, {"assetKey": {"path": asset_path}})["assetNodeOrError"]
        if node["__typename"] != "AssetNode":
            raise LookupError(f"no asset {'/'.join(asset_path)}: {node['__typename']}")
        checks = node["assetChecksOrError"]
        if checks["__typename"] != "AssetChecks":
            raise RuntimeError(f"checks of {'/'.join(asset_path)}: {checks['__typename']}")
        return {
            check["name"]: {
                "blocking": check["blocking"],
                "status": (check["executionForLatestMaterialization"] or {}).get("status"),
            }
            for check in checks["checks"]
        }
