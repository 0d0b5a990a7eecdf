"""`make bench`: hyte_assets' performance figures against their targets, written into BENCHMARKS.md.

Every figure is the median of several runs (the table says how many), measured on this machine,
whose description heads the table. This is a report, not a test: a missed target is shown as
missed, and BENCHMARKS.md explains why and what would close it.

1. code location load time against a minimal two-asset project, and which heavy modules it imports;
2. a full refresh (`python -m hyte_assets.refresh`) in snapshot mode, Heinola scope;
3. a full refresh at national scale (`demo_data --national`, HYTE_REGION_SCOPE=all_municipalities);
4. a second refresh with no source changed, at both scales;
5. Sotkanet ingestion of 100 indicators from a stub with 50 ms latency, concurrent against sequential;
6. the core scorecard step in DuckDB SQL against the same logic in pandas, on the national values.

Usage: `python -m hyte_assets_tests.benchmark [--repeats N]`.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from statistics import median

import duckdb
import numpy as np
import pandas as pd

from hyte_assets.lib.sotkanet import SotkanetClient
from hyte_assets_tests.e2e.dagster_dev import REPO, copy_project_data, hyte_env, make_dagster_home
from hyte_assets_tests.stub_servers import StubServer

BENCH_MD = REPO / "BENCHMARKS.md"
START = "<!-- bench:start: written by `make bench` (python -m hyte_assets_tests.benchmark) -->"
END = "<!-- bench:end -->"
HEAVY_MODULES = ("great_expectations", "matplotlib", "sqlglot", "openpyxl")
REFRESH = [sys.executable, "-m", "hyte_assets.refresh"]
GIB = 1024**3
MIB = 1024**2

MINIMAL_PROJECT = '''"""The baseline code location: two assets and nothing else."""
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
'''

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

SKIPPED = "inputs unchanged since the last build, skipped"  # logged by defs/models/sql_assets.py
STEP_DONE = re.compile(r'Finished execution of step "([^"]+)" in ([\d.]+)(ms|s)\b')


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
    """A finished subprocess: wall time, CPU time (user + system), peak resident memory, output."""

    wall_s: float
    cpu_s: float
    peak_rss: int
    log: str


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        # Other work on the machine skews every figure; this says how busy it was at the start.
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_measured(cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path = REPO) -> Measured:
    """Run to completion; wall time from spawn to exit, CPU time and peak RSS from the kernel (wait4)."""
    with log_path.open("w") as log:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {process.returncode} (log {log_path}):\n{tail}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, text)


# 1. Code location load time ----------------------------------------------------------------------


def bench_load(tmp: Path, repeats: int) -> list[Figure]:
    project = tmp / "minimal_project"
    project.mkdir()
    (project / "minimal_defs.py").write_text(MINIMAL_PROJECT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYTE_")}
    targets = {"hyte_assets.definitions": REPO, "minimal_defs": project}
    walls: dict[str, list[float]] = {name: [] for name in targets}
    inner: dict[str, list[float]] = {name: [] for name in targets}
    heavy: list[str] = []
    for i in range(repeats):
        for module, cwd in targets.items():  # alternate, so drift in machine load hits both alike
            run = run_measured(
                [sys.executable, "-c", LOAD_PROBE, module, *HEAVY_MODULES],
                env,
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
            "1. code location load (subprocess: import, defs(), repository snapshot)",
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
            "1. heavy modules in sys.modules after load",
            ", ".join(heavy) or "none",
            repeats,
            "none (sqlglot allowed if the SQL loader needs it)",
            set(heavy) <= {"sqlglot"},
        ),
    ]


# 2-4. Refreshes ----------------------------------------------------------------------------------


def step_seconds(log: str) -> dict[str, float]:
    """Seconds per step from Dagster's `Finished execution of step "x" in 1.2s` lines."""
    steps: dict[str, float] = {}
    for name, amount, unit in STEP_DONE.findall(log):
        steps[name] = steps.get(name, 0.0) + float(amount) / (1000 if unit == "ms" else 1)
    return steps


@dataclass
class RefreshRuns:
    full: list[Measured]
    second: list[Measured]
    warehouse: Path

    def summary(self) -> str:
        """Where the second refresh spends its time: steps (largest first) and everything else."""
        logs = [step_seconds(m.log) for m in self.second]
        names = set().union(*logs)
        per_step = {name: median([steps.get(name, 0.0) for steps in logs]) for name in names}
        in_steps = median([sum(steps.values()) for steps in logs])
        top = sorted(per_step.items(), key=lambda item: -item[1])[:4]
        wall = median([m.wall_s for m in self.second])
        skipped = median([m.log.count(SKIPPED) for m in self.second])
        return (
            f"{len(per_step)} steps, {skipped:.0f} SQL models skipped as unchanged; "
            f"{in_steps:.1f} s in steps (largest: {', '.join(f'{n} {s:.2f} s' for n, s in top)}), "
            f"{wall - in_steps:.1f} s outside steps (interpreter, imports, definitions, run bookkeeping)"
        )


def bench_refresh(label: str, data_dir: Path, tmp: Path, repeats: int, **settings: str) -> RefreshRuns:
    """A full refresh into a fresh DuckDB file and DAGSTER_HOME, then the same refresh again."""
    full, second = [], []
    run_dirs = [tmp / f"{label}_{i}" for i in range(repeats)]
    for i, run_dir in enumerate(run_dirs):
        warehouse = run_dir / "warehouse" / "hyte.duckdb"
        env = hyte_env(make_dagster_home(run_dir / "dagster_home"), data_dir, warehouse, **settings)
        full.append(run_measured(REFRESH, env, run_dir / "full.log"))
        second.append(run_measured(REFRESH, env, run_dir / "second.log"))
        print(f"  {label} run {i + 1}: full {full[-1].wall_s:.1f} s, second {second[-1].wall_s:.1f} s")
    return RefreshRuns(full, second, run_dirs[-1] / "warehouse" / "hyte.duckdb")


def national_data_dir(tmp: Path) -> Path:
    """A complete HYTE_DATA_DIR around `demo_data --national`: its snapshot folders and deliveries
    beside the project's catalog, plan, hyte inputs, scorecard settings and cited real values."""
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
        if item.name == "local":  # generated demo deliveries replace the shipped ones
            shutil.copytree(item, data / "local", dirs_exist_ok=True)
        else:
            shutil.copytree(item, data / "snapshots" / item.name)
    return data


def refresh_figures(label: str, runs: RefreshRuns, repeats: int, *, national: bool) -> list[Figure]:
    wall = median([m.wall_s for m in runs.full])
    cpu = median([m.cpu_s for m in runs.full])
    peak = median([m.peak_rss for m in runs.full])
    second = median([m.wall_s for m in runs.second])
    second_cpu = median([m.cpu_s for m in runs.second])
    number = "3" if national else "2"
    return [
        Figure(
            f"{number}. full refresh, {label}: wall (CPU)",
            f"{wall:.1f} s ({cpu:.1f} s)",
            repeats,
            "≤ 60 s" if national else "",
            wall <= 60 if national else None,
        ),
        Figure(
            f"{number}. full refresh, {label}: peak RSS",
            f"{peak / MIB:.0f} MiB",
            repeats,
            "≤ 2 GiB" if national else "",
            peak <= 2 * GIB if national else None,
        ),
        Figure(
            f"4. second refresh, nothing changed, {label}: wall (CPU)",
            f"{second:.1f} s ({second_cpu:.1f} s) = {second / wall:.0%} of full ({second_cpu / cpu:.0%})",
            repeats,
            "≤ 25 % of full",
            second / wall <= 0.25,
        ),
    ]


# 5. Sotkanet ingestion ---------------------------------------------------------------------------


def serve_stub(root: str, latency_s: float, conn: Connection) -> None:
    """Child process: a Sotkanet stub, so its work does not share the client's interpreter lock.

    Answers every message with (max_in_flight, requests seen); "reset" zeroes both first.
    """
    with StubServer("sotkanet", Path(root), latency_s=latency_s) as stub:
        conn.send(stub.url)
        while (message := conn.recv()) != "stop":
            with stub.state.lock:
                if message == "reset":
                    stub.state.max_in_flight = 0
                    stub.state.requests.clear()
                conn.send((stub.state.max_in_flight, len(stub.state.requests)))


def write_indicator_files(root: Path, ids: range, rows: list[dict]) -> None:
    """`json/{id}.json` answers in Sotkanet's wire format, the recorded rows under each new id."""
    (root / "json").mkdir(parents=True)
    for indicator_id in ids:
        body = [{**row, "indicator": indicator_id} for row in rows]
        (root / "json" / f"{indicator_id}.json").write_text(json.dumps(body))


def bench_ingestion(tmp: Path, repeats: int) -> list[Figure]:
    recorded = json.loads((REPO / "data" / "snapshots" / "sotkanet" / "json" / "3219.json").read_text())
    years = range(min(r["year"] for r in recorded), max(r["year"] for r in recorded) + 1)
    four_regions = sorted({r["region"] for r in recorded})[:4]
    ids = range(900001, 900101)
    variants = {
        f"recorded size ({len(recorded)} rows per answer)": recorded,
        f"small answers ({sum(r['region'] in four_regions for r in recorded)} rows, 4 regions)": [
            r for r in recorded if r["region"] in four_regions
        ],
    }
    figures = []
    spawn = multiprocessing.get_context("spawn")
    for v, (label, rows) in enumerate(variants.items()):
        root = tmp / f"stub_{v}"
        write_indicator_files(root, ids, rows)
        ours, theirs = spawn.Pipe()
        server = spawn.Process(target=serve_stub, args=(str(root), 0.05, theirs), daemon=True)
        server.start()
        try:
            url = ours.recv()
            times: dict[int, list[float]] = {1: [], 4: []}
            in_flight: dict[int, int] = {1: 0, 4: 0}
            for _ in range(repeats):
                for concurrency in (1, 4):
                    ours.send("reset")
                    ours.recv()
                    client = SotkanetClient(url, max_concurrency=concurrency)
                    start = time.perf_counter()
                    result = client.data_many(ids, years)
                    times[concurrency].append(time.perf_counter() - start)
                    ours.send("stats")
                    peak, seen = ours.recv()
                    in_flight[concurrency] = max(in_flight[concurrency], peak)
                    bad = [i for i, r in result.items() if not isinstance(r, list) or len(r) != len(rows)]
                    if bad or seen != len(ids):
                        raise RuntimeError(f"ingestion bench: {len(bad)} bad answers, {seen} requests")
            ours.send("stop")
        finally:
            server.join(timeout=10)
            if server.is_alive():
                server.kill()
        sequential, concurrent = median(times[1]), median(times[4])
        speedup = sequential / concurrent
        figures.append(
            Figure(
                f"5. Sotkanet 100 indicators, 50 ms latency, {label}",
                f"sequential {sequential:.2f} s, concurrent {concurrent:.2f} s: {speedup:.1f}× "
                f"(max in flight {in_flight[1]} / {in_flight[4]})",
                repeats,
                "≥ 3×, in flight ≤ 4",
                speedup >= 3 and in_flight[4] <= 4,
            )
        )
    return figures


# 6. Scorecard: DuckDB SQL against pandas ---------------------------------------------------------

KEYS = ["measure_id", "region_code", "region_level", "group_type", "group_value"]
BASELINE_YEAR = 2025  # as in scorecard_indicator.sql: the plan period starts from 2025

# The core of dbt_like_sql/reports/scorecard_indicator.sql (via marts/measure_series.sql), for every
# region instead of one municipality: latest, previous and baseline comparable points, the change,
# and the status by the rules of data/scorecard/README.md with the min_change noise band.
SCORECARD_CORE_SQL = f"""
with series as (
    select
        measure_id, region_code, region_level, group_type, group_value, year, period, value, unit,
        case when length(period) = 7 then cast(right(period, 2) as integer) end as period_month,
        row_number() over (
            partition by measure_id, region_code, region_level, group_type, group_value
            order by period desc
        ) as rank_from_latest
    from indicator_values
    where value is not null
),
latest as (select * from series where rank_from_latest = 1),
comparable as (
    select
        series.*,
        row_number() over (
            partition by series.measure_id, series.region_code, series.region_level,
                series.group_type, series.group_value
            order by series.period desc
        ) as comparable_rank
    from series
    inner join latest using (measure_id, region_code, region_level, group_type, group_value)
    where series.period_month is not distinct from latest.period_month
),
previous as (select * from comparable where comparable_rank = 2),
baseline as (
    select * from comparable
    where year <= {BASELINE_YEAR}
    qualify row_number() over (
        partition by measure_id, region_code, region_level, group_type, group_value order by period desc
    ) = 1
),
facts as (
    select
        latest.measure_id, latest.region_code, latest.region_level, latest.group_type,
        latest.group_value, latest.unit, measures.polarity, measures.target,
        latest.period as latest_period, latest.value as latest_value,
        previous.period as previous_period, previous.value as previous_value,
        baseline.period as baseline_period, baseline.value as baseline_value,
        case when baseline.period < latest.period then baseline.value else previous.value end
            as reference_value
    from latest
    inner join measures using (measure_id)
    left join previous using (measure_id, region_code, region_level, group_type, group_value)
    left join baseline using (measure_id, region_code, region_level, group_type, group_value)
),
bands as (
    select
        facts.*,
        case
            when min_change.unit is null then 0.0
            when trim(min_change.kind) = 'rel' then abs(reference_value) * min_change.min_change / 100.0
            else min_change.min_change
        end as min_change_abs
    from facts
    left join min_change on facts.unit = trim(min_change.unit)
)
select
    measure_id, region_code, region_level, group_type, group_value,
    latest_period, latest_value, previous_period, previous_value, baseline_period, baseline_value,
    reference_value,
    latest_value - reference_value as change,
    latest_value - baseline_value as change_since_baseline,
    case
        when polarity = 'context' then 'stable'
        when target is not null and (
            (polarity = 'lower_better' and latest_value <= target)
            or (polarity <> 'lower_better' and latest_value >= target)
        ) then 'target_met'
        when reference_value is null then 'stable'
        when latest_value > reference_value + min_change_abs
            then case when polarity = 'lower_better' then 'worsening' else 'improving' end
        when latest_value < reference_value - min_change_abs
            then case when polarity = 'lower_better' then 'improving' else 'worsening' end
        else 'stable'
    end as status
from bands
"""

CORE_COLUMNS = [
    *KEYS,
    "latest_period",
    "latest_value",
    "previous_period",
    "previous_value",
    "baseline_period",
    "baseline_value",
    "reference_value",
    "change",
    "change_since_baseline",
    "status",
]


def scorecard_core_pandas(
    values: pd.DataFrame, measures: pd.DataFrame, min_change: pd.DataFrame
) -> pd.DataFrame:
    """SCORECARD_CORE_SQL in pandas: the same points, change and status, step for step."""
    series = values.loc[values["value"].notna(), [*KEYS, "year", "period", "value", "unit"]]
    monthly = series["period"].str.len() == 7
    series = series.assign(period_month=series["period"].str[-2:].astype(float).where(monthly))
    series = series.sort_values([*KEYS, "period"], ascending=[True] * len(KEYS) + [False])
    latest = series.drop_duplicates(KEYS)
    comparable = series.merge(latest[[*KEYS, "period_month"]], on=KEYS, suffixes=("", "_latest"))
    same_month = (comparable["period_month"] == comparable["period_month_latest"]) | (
        comparable["period_month"].isna() & comparable["period_month_latest"].isna()
    )
    comparable = comparable[same_month]  # keeps the newest-first order within each series
    rank = comparable.groupby(KEYS, sort=False).cumcount()
    point = ["period", "value"]
    previous = comparable.loc[rank == 1, [*KEYS, *point]].rename(
        columns=lambda c: f"previous_{c}" if c in point else c
    )
    baseline = (
        comparable.loc[comparable["year"] <= BASELINE_YEAR, [*KEYS, *point]]
        .drop_duplicates(KEYS)
        .rename(columns=lambda c: f"baseline_{c}" if c in point else c)
    )
    facts = (
        latest[[*KEYS, "unit", *point]]
        .rename(columns={"period": "latest_period", "value": "latest_value"})
        .merge(measures[["measure_id", "polarity", "target"]], on="measure_id")
        .merge(previous, on=KEYS, how="left")
        .merge(baseline, on=KEYS, how="left")
    )
    baseline_older = facts["baseline_period"].lt(facts["latest_period"]).fillna(False).astype(bool)
    facts["reference_value"] = np.where(baseline_older, facts["baseline_value"], facts["previous_value"])
    thresholds = min_change.assign(unit=min_change["unit"].str.strip(), kind=min_change["kind"].str.strip())
    facts = facts.merge(thresholds[["unit", "kind", "min_change"]], on="unit", how="left")
    band = np.where(
        facts["kind"].isna(),
        0.0,
        np.where(
            facts["kind"] == "rel",
            facts["reference_value"].abs() * facts["min_change"] / 100.0,
            facts["min_change"],
        ),
    )
    latest_value, reference, target = facts["latest_value"], facts["reference_value"], facts["target"]
    lower_better = facts["polarity"] == "lower_better"
    target_met = target.notna() & np.where(lower_better, latest_value <= target, latest_value >= target)
    above, below = latest_value > reference + band, latest_value < reference - band
    facts["status"] = np.select(
        [
            facts["polarity"] == "context",
            target_met,
            reference.isna(),
            above & lower_better,
            above,
            below & lower_better,
            below,
        ],
        ["stable", "target_met", "stable", "worsening", "improving", "improving", "worsening"],
        default="stable",
    )
    facts["change"] = latest_value - reference
    facts["change_since_baseline"] = latest_value - facts["baseline_value"]
    return facts[CORE_COLUMNS]


def comparable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Sorted by key, with one kind of missing value, so two implementations' outputs compare."""
    df = df[CORE_COLUMNS].sort_values(KEYS).reset_index(drop=True)
    return df.astype(object).where(df.notna(), None)


def bench_scorecard(warehouse: Path, repeats: int) -> list[Figure]:
    with duckdb.connect(str(warehouse), read_only=True) as source:
        values = source.sql("select * from marts.indicator_values").df()
        measures = source.sql("select * from catalog.measures").df()
        min_change = source.sql("select * from catalog.min_change").df()
        model_sql = (REPO / "dbt_like_sql" / "reports" / "scorecard_indicator.sql").read_text()
        model_times = [
            timed(lambda: source.sql(f"select * from (\n{model_sql}\n)").df()) for _ in range(repeats)
        ]
    measures["target"] = pd.to_numeric(measures["target"], errors="coerce")
    con = duckdb.connect()  # the same frames as native DuckDB tables
    for name, frame in (("indicator_values", values), ("measures", measures), ("min_change", min_change)):
        con.register("_frame", frame)
        con.execute(f"create table {name} as select * from _frame")
        con.unregister("_frame")
    sql_result = con.sql(SCORECARD_CORE_SQL).df()
    pandas_result = scorecard_core_pandas(values, measures, min_change)
    pd.testing.assert_frame_equal(
        comparable_frame(sql_result), comparable_frame(pandas_result), check_exact=False
    )
    sql_times = [timed(lambda: con.sql(SCORECARD_CORE_SQL).df()) for _ in range(repeats)]
    pandas_times = [
        timed(lambda: scorecard_core_pandas(values, measures, min_change)) for _ in range(repeats)
    ]
    con.close()
    sql_s, pandas_s = median(sql_times), median(pandas_times)
    return [
        Figure(
            f"6. scorecard core, {len(values):,} national values → {len(sql_result):,} series (same result)",
            f"DuckDB {sql_s * 1000:.0f} ms, pandas {pandas_s * 1000:.0f} ms: "
            f"pandas/DuckDB {pandas_s / sql_s:.1f}×",
            repeats,
        ),
        Figure(
            "6. reports.scorecard_indicator.sql itself on the national warehouse",
            f"{median(model_times) * 1000:.0f} ms",
            repeats,
        ),
    ]


# Report ------------------------------------------------------------------------------------------


def render(figures: list[Figure], facts: dict[str, str], notes: list[str], elapsed_s: float) -> str:
    described = ", ".join(f"{k} {v}" for k, v in facts.items())
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on: {described}. `make bench` took {elapsed_s / 60:.1f} min.",
        "",
        "| figure | median | runs | target | met |",
        "|---|---|---|---|---|",
    ]
    for f in sorted(figures, key=lambda f: int(f.name.split(".", 1)[0])):  # stable: keeps run order
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        lines.append(f"| {f.name} | {f.value} | {f.runs} | {f.target} | {met} |")
    lines += ["", *(f"* {note}" for note in notes)]
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
    args = parser.parse_args()
    repeats = args.repeats
    started = time.perf_counter()
    facts = machine()
    print("machine:", facts)
    figures: list[Figure] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hyte_bench_") as tmp_name:
        tmp = Path(tmp_name)
        print("1. code location load time")
        figures += bench_load(tmp, repeats + 2)

        print("2. full refresh, Heinola scope")
        heinola = bench_refresh("heinola", copy_project_data(tmp / "heinola_data"), tmp, repeats)
        figures += refresh_figures("snapshot, Heinola scope", heinola, repeats, national=False)
        notes.append(f"Second refresh, Heinola scope: {heinola.summary()}.")

        print("3. full refresh, national scale")
        national = bench_refresh(
            "national", national_data_dir(tmp), tmp, repeats, HYTE_REGION_SCOPE="all_municipalities"
        )
        figures += refresh_figures("national scale", national, repeats, national=True)
        notes.append(f"Second refresh, national scale: {national.summary()}.")

        print("5. Sotkanet ingestion")
        figures += bench_ingestion(tmp, repeats)

        print("6. scorecard SQL against pandas")
        figures += bench_scorecard(national.warehouse, repeats + 2)
    table = render(figures, facts, notes, time.perf_counter() - started)
    print()
    print(table)
    write_section(table)
    print(f"\nwritten to {BENCH_MD}")


if __name__ == "__main__":
    main()
