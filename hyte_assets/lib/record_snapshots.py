"""Record fresh snapshots from the live APIs (`make snapshot`; needs the network).

A `RecordingTransport` wraps the live transport and writes each validated response body to the
file the snapshot transport will later read (`Request.snapshot_path`), so a recorded snapshot is
exactly what the pipeline parsed. It records the comparison regions and the catalog's cited
indicators and tables only: THL asks for occasional queries, not bulk downloads.

Recorded values are real: after recording, list them in data/snapshots/real_values.csv (or
regenerate the demo files without them) before committing, so `is_demo` stays truthful.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hyte_assets.lib.catalog import TABLE_REF, load_catalog
from hyte_assets.lib.http import Request, Response, RetryingHttp, Transport
from hyte_assets.lib.pxweb import DEFAULT_BASE_URL as STATFIN_URL
from hyte_assets.lib.pxweb import PxWebClient, check_content_codes, find_area_variable, find_variable
from hyte_assets.lib.sotkanet import DEFAULT_BASE_URL as SOTKANET_URL
from hyte_assets.lib.sotkanet import SotkanetClient


class RecordingTransport:
    """Forwards to a live transport and saves every response body under the snapshot root."""

    def __init__(self, inner: Transport, root: Path) -> None:
        self.inner = inner
        self.root = root

    def set_min_interval(self, seconds: float) -> None:
        self.inner.set_min_interval(seconds)

    def send(self, request: Request) -> Response:
        response = self.inner.send(request)
        if request.snapshot_path:
            target = self.root / request.snapshot_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(response.data, ensure_ascii=False) + "\n", encoding="utf-8")
        return response


def record(data_dir: Path, sotkanet_url: str, statfin_url: str, years: range) -> dict[str, int]:
    measures = load_catalog(data_dir / "catalog").measures
    snapshots = data_dir / "snapshots"
    sotkanet = SotkanetClient(
        sotkanet_url, transport=RecordingTransport(RetryingHttp(), snapshots / "sotkanet")
    )
    sotkanet.regions()
    sotkanet.indicators()
    # The ids today's Sotkanet ingest reads (measures.csv, sources sotkanet and kouluterveyskysely).
    sotkanet_sourced = measures[measures["source"].isin(["sotkanet", "kouluterveyskysely"])]
    ids = [int(r) for r in sotkanet_sourced["source_ref"] if r.isdigit()]
    for indicator_id in ids:
        sotkanet.indicator(indicator_id)
    sotkanet.data_many(ids, years, ("total", "male", "female"))
    statfin = PxWebClient(
        statfin_url, transport=RecordingTransport(RetryingHttp(max_concurrency=1), snapshots / "statfin")
    )
    tables: dict[str, set[str]] = {"vaerak/11re": {"vaerak-vaesto"}}
    for ref in measures["source_ref"]:
        if match := TABLE_REF.match(ref):
            tables.setdefault(match["table"], set()).add(match["code"])
    for table, codes in tables.items():
        metadata = statfin.table_metadata(table)
        content = check_content_codes(metadata, table, codes)
        area = find_area_variable(metadata, table)["code"]
        time = find_variable(metadata, time=True, table=table)["code"]
        statfin.query(table, {area: ("all", ["*"]), time: ("top", ["15"]), content: ("item", sorted(codes))})
    return {"sotkanet_indicators": len(ids), "statfin_tables": len(tables)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "data")
    parser.add_argument("--sotkanet-url", default=SOTKANET_URL)
    parser.add_argument("--statfin-url", default=STATFIN_URL)
    parser.add_argument("--first-year", type=int, default=2000)
    parser.add_argument("--last-year", type=int, default=2025)
    args = parser.parse_args()
    counts = record(
        args.data_dir, args.sotkanet_url, args.statfin_url, range(args.first_year, args.last_year + 1)
    )
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
