"""THL sampo cube client against a local server, and against snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp, SnapshotTransport
from hyte_assets.lib.thl_cube import ThlCubeClient
from hyte_assets_tests.lib.conftest import FIXTURES

THL = FIXTURES / "thl_cube"
BASE = "/pivot/prod/fi"
FACT = f"{BASE}/epirapo/covid19case/fact_epirapo_covid19case.json"
DIMENSIONS = f"{BASE}/epirapo/covid19case/fact_epirapo_covid19case.dimensions.json"


def fixture_json(name: str) -> Any:
    return json.loads((THL / "epirapo" / "covid19case" / name).read_text(encoding="utf-8"))


@pytest.fixture
def client(httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]) -> ThlCubeClient:
    return ThlCubeClient(httpserver.url_for(BASE), transport=make_http())


def test_cube_sends_repeated_row_column_filter(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    httpserver.expect_request(FACT).respond_with_json(fixture_json("fact_epirapo_covid19case.json"))
    data = client.cube(
        "epirapo",
        "covid19case",
        "epirapo_covid19case",
        row=["hcdmunicipality2020-445222", "dateweek20200101-509030"],
        column=["measure-444833.492118."],
        filter=["ttr10yage-444309"],
    )
    assert data["dataset"]["dimension"]["id"] == ["hcdmunicipality2020", "measure"]
    sent = httpserver.log[0][0]
    assert sent.args.getlist("row") == ["hcdmunicipality2020-445222", "dateweek20200101-509030"]
    assert sent.args.getlist("column") == ["measure-444833.492118."]
    assert sent.args.getlist("filter") == ["ttr10yage-444309"]
    assert sent.query_string.decode().count("row=") == 2


def test_a_single_string_is_one_parameter_not_characters(
    httpserver: HTTPServer, client: ThlCubeClient
) -> None:
    httpserver.expect_request(FACT).respond_with_json(fixture_json("fact_epirapo_covid19case.json"))
    client.cube("epirapo", "covid19case", "epirapo_covid19case", row="hcdmunicipality2020-445222")
    assert httpserver.log[0][0].args.getlist("row") == ["hcdmunicipality2020-445222"]


def test_dimensions(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    httpserver.expect_request(DIMENSIONS).respond_with_json(
        fixture_json("fact_epirapo_covid19case.dimensions.json")
    )
    dims = client.dimensions("epirapo", "covid19case", "epirapo_covid19case")
    assert [d["id"] for d in dims] == ["hcdmunicipality2020", "measure"]


def test_missing_dataset_fails_naming_the_cube(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    httpserver.expect_request(FACT).respond_with_json({"version": "2.0", "class": "dataset", "value": {}})
    with pytest.raises(
        SourceError, match=r"expected a top-level 'dataset' object, got \['class', 'value'"
    ) as err:
        client.cube("epirapo", "covid19case", "epirapo_covid19case")
    assert err.value.item == "cube epirapo/covid19case/epirapo_covid19case"
    assert client.stats.failed == 1


def test_html_error_page_fails_naming_the_cube(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    httpserver.expect_request(FACT).respond_with_data("<html>Huoltokatko</html>", content_type="text/html")
    with pytest.raises(SourceError, match="expected JSON, got HTML error page") as err:
        client.cube("epirapo", "covid19case", "epirapo_covid19case")
    assert err.value.item == "cube epirapo/covid19case/epirapo_covid19case"


def test_path_segments_are_checked(client: ThlCubeClient) -> None:
    with pytest.raises(ValueError, match="subject"):
        client.cube("../etc", "covid19case", "x")


def test_snapshot_mode_parses_the_same_files(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    httpserver.expect_request(FACT).respond_with_json(fixture_json("fact_epirapo_covid19case.json"))
    snapshot = ThlCubeClient(transport=SnapshotTransport(THL), source="teaviisari")
    recorded = snapshot.cube(
        "epirapo", "covid19case", "epirapo_covid19case", row=["hcdmunicipality2020-445222"]
    )
    assert recorded == client.cube("epirapo", "covid19case", "epirapo_covid19case")
    assert snapshot.dimensions("epirapo", "covid19case", "epirapo_covid19case")[1]["id"] == "measure"
    with pytest.raises(SourceError, match="source=teaviisari.*snapshot file missing"):
        snapshot.cube("kouluterveyskysely", "ktk", "ktk")
