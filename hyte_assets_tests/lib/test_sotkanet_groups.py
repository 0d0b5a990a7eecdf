"""THL's minimum indicators from Sotkanet's /groups tree, against a local server speaking its wire
format as far as it is known (id, title{fi,en,sv}, children[], indicators[]; the shape is unverified,
see lib/sotkanet_groups.py): the matching group resolved to its indicators, faults named."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp
from hyte_assets.lib.sotkanet import SotkanetClient
from hyte_assets.lib.sotkanet_groups import (
    COLUMNS,
    GroupFormat,
    candidate_rows,
    fetch_minimum_groups,
    find_groups,
    write_candidates,
)

PREFIX = "/rest/1.1"
# Group ids and titles are the stand-in's own; the indicator ids are ones the catalog cites elsewhere.
TREE = [
    {
        "id": 1,
        "title": {"fi": "Väestö", "en": "Population", "sv": "Befolkning"},
        "children": [{"id": 11, "title": {"fi": "Ikärakenne"}, "children": [], "indicators": [127, 178]}],
        "indicators": [],
    },
    {
        "id": 2,
        "title": {"fi": "Hyvinvointikertomus", "en": "Welfare report"},
        "children": [
            {
                "id": 21,
                "title": {"fi": "Vähimmäistietosisältö, kunnat"},
                "children": [],
                "indicators": [{"id": 3219}],
            },
            {"id": 22, "title": {"fi": "Elintavat"}, "children": [], "indicators": [4298, 3219]},
        ],
        "indicators": [181],
    },
]


def client(httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]) -> SotkanetClient:
    return SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())


def test_the_welfare_report_group_is_resolved_to_its_indicators(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp], tmp_path: Path
) -> None:
    httpserver.expect_request(f"{PREFIX}/groups").respond_with_json(TREE)
    matches, url = fetch_minimum_groups(client(httpserver, make_http))
    (match,) = matches  # the nested "Vähimmäistietosisältö" group is inside the match, not listed again
    assert (match.id, match.title_fi) == (2, "Hyvinvointikertomus")
    assert match.indicator_ids == (181, 3219, 4298)
    rows = candidate_rows(matches, {3219: "Liikkuu vähintään tunnin päivässa"}, {"4298": "turvallinen"}, url)
    assert [(r["sotkanet_id"], r["measure_id"], r["listing"]) for r in rows] == [
        ("181", "", "sotkanet_group"),
        ("3219", "", "sotkanet_group"),
        ("4298", "turvallinen", "sotkanet_group"),  # linked only through a pinned id
    ]
    written = write_candidates(rows, tmp_path / "candidates.csv")
    with written.open(encoding="utf-8") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == COLUMNS


def test_pattern_is_configurable_and_a_miss_lists_the_titles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYTE_MINIMUM_GROUP_PATTERN", "ikärakenne")
    from hyte_assets.lib.sotkanet_groups import group_pattern

    (match,) = find_groups(TREE, group_pattern())
    assert match.indicator_ids == (127, 178)
    with pytest.raises(
        SourceError, match=r"no group title matches 'lasten'.*'Väestö', 'Hyvinvointikertomus'"
    ):
        find_groups(TREE, "lasten")


def test_other_key_names_can_be_configured() -> None:
    tree = [{"groupId": 5, "name": "Hyvinvointikertomus", "subgroups": [], "items": [1, 2]}]
    fmt = GroupFormat(id="groupId", title="name", children="subgroups", indicators="items")
    assert find_groups(tree, fmt=fmt)[0].indicator_ids == (1, 2)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "expected a non-empty list of groups"),
        ([{"id": "2", "title": {"fi": "x"}}], "group 0 needs an int 'id'"),
        (
            [{"id": 2, "title": {"fi": "x"}, "children": [{"id": 3}]}],
            "group x/0 needs an int 'id' and a 'title'",
        ),
        ([{"id": 2, "title": {"fi": "x"}, "indicators": "181"}], "group 0: 'indicators' is not a list"),
    ],
)
def test_unexpected_shapes_are_rejected_naming_the_node(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp], body: object, problem: str
) -> None:
    httpserver.expect_request(f"{PREFIX}/groups").respond_with_json(body)
    with pytest.raises(SourceError, match=problem):
        fetch_minimum_groups(client(httpserver, make_http))


def test_html_error_page_with_200_is_not_a_tree(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    httpserver.expect_request(f"{PREFIX}/groups").respond_with_data(
        "<html><h1>Huoltokatko</h1></html>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML"):
        fetch_minimum_groups(client(httpserver, make_http))


def test_live_asset_writes_the_candidate_file_and_snapshot_mode_stays_partial(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    import shutil

    import dagster as dg

    from hyte_assets.defs.reports.minimum import thl_minimum_candidates
    from hyte_assets.defs.resources import PipelineSettings, SotkanetResource

    data = tmp_path / "data"
    for part in ("catalog", "regions"):  # what the settings check needs besides a snapshot folder
        shutil.copytree(Path(__file__).resolve().parents[2] / "data" / part, data / part)
    (data / "snapshots").mkdir()
    httpserver.expect_request(f"{PREFIX}/groups").respond_with_json(TREE)
    indicators = [{"id": i, "title": {"fi": f"Indikaattori {i}"}} for i in (181, 3219, 4298)]
    httpserver.expect_request(f"{PREFIX}/indicators").respond_with_json(indicators)
    sotkanet = SotkanetResource(base_url=httpserver.url_for(PREFIX), max_retries=0)
    offline = dg.materialize(
        [thl_minimum_candidates],
        resources={"settings": PipelineSettings(data_dir=str(data)), "sotkanet": sotkanet},
    )
    (event,) = offline.asset_materializations_for_node("thl_minimum_candidates")
    assert event.metadata["status"].value.startswith("partial")
    assert not (data / "catalog" / "thl_minimum_indicators.sotkanet.csv").exists()

    live = dg.materialize(
        [thl_minimum_candidates],
        resources={
            "settings": PipelineSettings(data_dir=str(data), source_mode="live"),
            "sotkanet": sotkanet,
        },
    )
    (event,) = live.asset_materializations_for_node("thl_minimum_candidates")
    assert event.metadata["indicators"].value == 3
    with (data / "catalog" / "thl_minimum_indicators.sotkanet.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["sotkanet_id"], r["topic_fi"]) for r in rows][0] == ("181", "Indikaattori 181")

    httpserver.clear()  # /groups now answers 404: the refresh goes on, the metadata says why
    httpserver.expect_request(f"{PREFIX}/groups").respond_with_data("", status=404)
    failed = dg.materialize(
        [thl_minimum_candidates],
        resources={
            "settings": PipelineSettings(data_dir=str(data), source_mode="live"),
            "sotkanet": sotkanet,
        },
    )
    (event,) = failed.asset_materializations_for_node("thl_minimum_candidates")
    assert "lookup failed" in event.metadata["status"].value and "404" in event.metadata["status"].value
    assert (data / "catalog" / "thl_minimum_indicators.sotkanet.csv").exists(), "the last candidates stay"
