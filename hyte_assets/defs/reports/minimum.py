"""THL's minimum indicators for the welfare report's coverage appendix: in live mode a candidate
list from Sotkanet's /groups tree, kept as a file for review (`lib/sotkanet_groups.py`)."""

import dagster as dg

from hyte_assets.defs.resources import PipelineSettings, SotkanetResource
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.sotkanet_groups import (
    CANDIDATE_FILE,
    candidate_rows,
    fetch_minimum_groups,
    group_pattern,
    write_candidates,
)

REVIEWED = "data/catalog/thl_minimum_indicators.csv"


@dg.asset(
    group_name="outbound",
    kinds={"csv"},
    owners=["team:hyte"],
    description=(
        "Live mode: the Sotkanet group whose title names the welfare report or its minimum content "
        f"(HYTE_MINIMUM_GROUP_PATTERN), resolved to its indicators, written to data/catalog/{CANDIDATE_FILE} "
        f"for review; the report uses only the reviewed {REVIEWED}. Snapshot mode: nothing fetched, "
        "the layer stays partial."
    ),
)
def thl_minimum_candidates(
    context: dg.AssetExecutionContext, settings: PipelineSettings, sotkanet: SotkanetResource
) -> dg.MaterializeResult:
    """A reviewed file, never a silent catalog change: a person compares the candidates with the
    reviewed list and copies what holds (the /groups format is unverified). A failed lookup is
    logged and stated in the metadata but does not fail the refresh: the report uses the reviewed
    file either way, and the appendix already says the list is partial."""
    if not settings.live:
        return dg.MaterializeResult(
            metadata={
                "status": "partial: snapshot mode does not query Sotkanet /groups",
                "reviewed_file": REVIEWED,
            }
        )
    client = sotkanet.client(settings)
    try:
        matches, url = fetch_minimum_groups(client, group_pattern())
        titles = {meta.id: meta.title_fi for meta in client.indicators()}
    except SourceError as exc:
        context.log.error(f"THL minimum indicators not refreshed from Sotkanet /groups: {exc}")
        return dg.MaterializeResult(
            metadata={
                "status": f"partial: Sotkanet /groups lookup failed ({exc}); candidate file unchanged",
                "reviewed_file": REVIEWED,
            }
        )
    measures = load_catalog(settings.data_path / "catalog").measures
    pinned = measures[(measures["source"] == "sotkanet") & (measures["source_ref"].fillna("") != "")]
    rows = candidate_rows(
        matches, titles, dict(zip(pinned["source_ref"], pinned["measure_id"], strict=True)), url
    )
    path = write_candidates(rows, settings.data_path / "catalog" / CANDIDATE_FILE)
    return dg.MaterializeResult(
        metadata={
            "status": "candidates written; review before copying into the reviewed file",
            "candidates": dg.MetadataValue.path(str(path)),
            "groups": ", ".join(f"{m.id} {m.title_fi}" for m in matches),
            "indicators": len(rows),
            "linked_to_plan_measures": sum(1 for r in rows if r["measure_id"]),
            "reviewed_file": REVIEWED,
        }
    )
