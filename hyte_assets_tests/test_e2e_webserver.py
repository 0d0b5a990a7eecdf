"""Acceptance through the real Dagster webserver: what `make run` does, launched the way a user would.

A `dagster dev` (webserver + daemon, the queued run coordinator and default run launcher of
hyte_assets/dagster.yaml) serves the code location from the repository root with a temporary
DAGSTER_HOME, a copy of data/ and a temporary DuckDB file. Over its GraphQL API the test runs the
ranged monthly employment job and then `refresh_all`, reads the asset check results back, opens the
published DuckDB file read-only and checks the report tables, and loads the asset graph page in
headless Chromium. The live variant points the source clients at the local Sotkanet and StatFin
stubs, so the HTTP path runs end to end inside a webserver-launched run.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from hyte_assets.lib.publish import serving_path
from hyte_assets.lib.sql_models import discover
from hyte_assets_tests.e2e import chromium
from hyte_assets_tests.e2e.dagster_dev import REPO, DagsterDev, copy_project_data, hyte_env, make_dagster_home
from hyte_assets_tests.stub_servers import StubServer

# A short range of months keeps the ranged run quick; `make run` takes every month.
MONTH_RANGE = {
    "dagster/asset_partition_range_start": "2025-12-01",
    "dagster/asset_partition_range_end": "2026-06-01",
}
# Assets whose blocking checks must all have passed for their latest materialisation.
CHECKED_ASSETS = (["catalog", "measures"], ["raw", "sotkanet_values"], ["marts", "indicator_values"])


@dataclass
class Deployment:
    """A running dagster dev with its isolated data and, in live mode, the source stubs."""

    mode: str
    server: DagsterDev
    data: Path
    db: Path
    stubs: dict[str, StubServer] = field(default_factory=dict)


@pytest.fixture(scope="module")
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    mode: str = request.param
    tmp = tmp_path_factory.mktemp(f"e2e_{mode}")
    data = copy_project_data(tmp / "data")
    db = tmp / "warehouse" / "hyte.duckdb"
    home = make_dagster_home(tmp / "dagster_home")
    with ExitStack() as stack:
        stubs: dict[str, StubServer] = {}
        settings: dict[str, str] = {}
        if mode == "live":
            for kind in ("sotkanet", "statfin"):
                stubs[kind] = stack.enter_context(StubServer(kind, data / "snapshots" / kind))
            settings = {
                "HYTE_SOURCE_MODE": "live",
                "HYTE_SOTKANET_URL": stubs["sotkanet"].url,
                "HYTE_STATFIN_URL": stubs["statfin"].url,
            }
        server = stack.enter_context(
            DagsterDev(hyte_env(home, data, db, **settings), tmp / "dagster_dev.log")
        )
        yield Deployment(mode=mode, server=server, data=data, db=db, stubs=stubs)


def catalog_ids(data: Path, table: str, column: str) -> set[str]:
    with (data / "catalog" / f"{table}.csv").open(encoding="utf-8") as f:
        return {row[column] for row in csv.DictReader(f)}


@pytest.mark.parametrize("deployment", ["snapshot", "live"], indirect=True)
def test_refresh_through_the_webserver(deployment: Deployment) -> None:
    server = deployment.server
    server.run_job("employment_monthly_job", tags=MONTH_RANGE)
    server.run_job("refresh_all")
    # Scheduled or sensor runs may start meanwhile; let them finish before reading results.
    server.wait_until_idle()

    # Every SQL test in dbt_like_sql/tests is a blocking check that passed on its model.
    _, sql_tests = discover(REPO / "dbt_like_sql")
    expected: dict[str, set[str]] = defaultdict(set)
    for test in sql_tests:
        expected[test.model].add(test.name)
    assert expected["marts.indicator_values"], "no SQL test on marts.indicator_values"
    for model, names in expected.items():
        checks = server.asset_checks(model.split("."))
        for name in names:
            assert checks.get(name) == {"blocking": True, "status": "SUCCEEDED"}, (model, name, checks)
    # Whatever else guards the sources and marts (the Great Expectations suites): blocking checks
    # passed, and no check crashed or was left without a result.
    for path in CHECKED_ASSETS:
        for name, check in server.asset_checks(path).items():
            assert check["status"] not in (None, "EXECUTION_FAILED"), (path, name, check)
            if check["blocking"]:
                assert check["status"] == "SUCCEEDED", (path, name, check)

    # The report tables, read the way a BI tool reads them: the published serving file when the
    # publish asset wrote one, else the working file.
    serving = serving_path(deployment.db)
    source = serving if serving.exists() else deployment.db
    with duckdb.connect(str(source), read_only=True) as con:
        indicator_measures = {
            r[0] for r in con.sql("select measure_id from reports.scorecard_indicator").fetchall()
        }
        goals = [r[0] for r in con.sql("select goal_id from reports.scorecard_goal").fetchall()]
    assert indicator_measures == catalog_ids(deployment.data, "measures", "measure_id"), source
    assert sorted(goals) == sorted(catalog_ids(deployment.data, "goals", "goal_id")), source
    assert len(goals) == 7

    if deployment.mode == "live":
        sotkanet = deployment.stubs["sotkanet"].state.requests
        statfin = deployment.stubs["statfin"].state.requests
        assert any(r.path.endswith("/json") and r.status == 200 for r in sotkanet), "no Sotkanet data call"
        assert any(r.method == "POST" and r.status == 200 for r in statfin), "no StatFin query"


def visible_text(html: str) -> str:
    """The DOM's text without scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("deployment", ["snapshot"], indirect=True)
def test_asset_graph_page_renders_in_chromium(deployment: Deployment, tmp_path: Path) -> None:
    binary, why = chromium.find_or_install()
    if binary is None:
        pytest.skip(why)
    url = f"{deployment.server.url}/asset-groups"

    groups = ("catalog", "sources", "marts", "reports")
    # The lineage graph lists the code location's asset groups once the app has its data. On a
    # busy machine the webserver may answer after Chromium's virtual-time budget ran out: the
    # page is then taken again with a longer budget (a wait for readiness, not a timing check).
    for budget in (15_000, 45_000, 120_000):
        dom = chromium.run(
            binary, url, tmp_path / f"profile_dom_{budget}", "--dump-dom", virtual_time_ms=budget
        )
        text = visible_text(dom.stdout)
        if dom.returncode != 0 or all(re.search(rf"\b{g}\b", text) for g in groups):
            break
    (tmp_path / "asset_groups.html").write_text(dom.stdout)
    assert dom.returncode == 0, dom.stderr[-3000:]
    assert 'id="root"' in dom.stdout
    for group in groups:
        assert re.search(rf"\b{group}\b", text), f"group {group!r} not rendered; see {tmp_path}"
    assert not chromium.uncaught_errors(dom.stderr)

    shot = tmp_path / "asset_groups.png"
    done = chromium.run(binary, url, tmp_path / "profile_shot", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, "the screenshot is nearly empty"
    assert not chromium.uncaught_errors(done.stderr)
