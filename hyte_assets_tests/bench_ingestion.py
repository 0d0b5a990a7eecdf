"""`make bench`, figure 6: Sotkanet ingestion of 100 indicators from a stub with 50 ms latency.

The stub serves Sotkanet's wire format (the recorded `3219.json` under 100 new ids) from a
separate process, so serving does not compete with the client for the interpreter lock. It stands
for a server that answers in 50 ms: an untimed first pass fills its answer cache, so its own JSON
filtering (≈ 40 ms of CPU per recorded-size answer, under one interpreter lock) does not bound
the client it measures. The default client (concurrency 4) runs against a sequential one; the
stub's `max_in_flight` shows the concurrency bound held. The recorded answer size carries the
target; small answers (4 regions) show the latency-bound case.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path
from statistics import median

from hyte_assets.lib.sotkanet import SotkanetClient
from hyte_assets_tests.bench_common import REPO, Figure
from hyte_assets_tests.stub_servers import StubServer

# Sotkanet ingestion ---------------------------------------------------------------------------


def serve_stub(root: str, latency_s: float, conn: Connection) -> None:
    """Child process: a Sotkanet stub, so its work does not share the client's interpreter lock.

    Answers every message with (max_in_flight, requests seen); "reset" zeroes both first.
    """
    with StubServer("sotkanet", Path(root), latency_s=latency_s) as stub:
        stub.state.answers = {}
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
            SotkanetClient(url).data_many(ids, years)  # untimed: fills the stub's answer cache
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
                    # every answer parsed whole: the client keeps the total-gender rows it asked for
                    wanted = sum(r.get("gender", "total") == "total" for r in rows)
                    bad = [i for i, r in result.items() if not isinstance(r, list) or len(r) != wanted]
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
                f"6. Sotkanet 100 indicators, 50 ms latency, {label}",
                f"sequential {sequential:.2f} s, concurrent {concurrent:.2f} s: {speedup:.1f}× "
                f"(max in flight {in_flight[1]} / {in_flight[4]})",
                repeats,
                "≥ 3.5×, in flight ≤ 4" if v == 0 else "in flight ≤ 4",
                (speedup >= 3.5 if v == 0 else True) and in_flight[4] <= 4,
            )
        )
    return figures
