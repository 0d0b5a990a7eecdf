"""PxWeb v1 client against a local server speaking StatFin's wire format, and against snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp, SnapshotTransport
from hyte_assets.lib.pxweb import PxWebClient, api_root, check_content_codes, find_variable
from hyte_assets_tests.lib.conftest import FIXTURES

STATFIN = FIXTURES / "statfin"
ROOT = "/PXWeb/api/v1/fi"
TABLE_URL = f"{ROOT}/StatFin/tyonv/12r5.px"
CODES = ["TYOTOSUUS", "TYOTTOMATLOPUSSA", "TYOVOIMATK", "TYOTTOMAT25", "PITKAAIKAISTYOTTOMAT", "TYOTTOMATULK"]
# Real 12r5 figures for 2026M06.
HEINOLA_2026M06 = {
    "TYOTTOMATLOPUSSA": 1125,
    "TYOVOIMATK": 7307,
    "TYOTOSUUS": 15.4,
    "TYOTTOMAT25": 128,
    "TYOTTOMATULK": 94,
    "PITKAAIKAISTYOTTOMAT": 534,
}
SELECTIONS = {
    "Alue": ("item", ["KU111", "SSS"]),
    "timeperiod_m": ("top", ["1"]),
    "contentscode": ("item", CODES),
}


def fixture_json(name: str) -> Any:
    return json.loads((STATFIN / name).read_text(encoding="utf-8"))


def cell(dataset: dict[str, Any], **coords: str) -> Any:
    """Value at the given category codes (row-major, last dimension fastest); only for checking."""
    flat = 0
    for dim, size in zip(dataset["id"], dataset["size"], strict=True):
        flat = flat * size + dataset["dimension"][dim]["category"]["index"][coords[dim]]
    return dataset["value"][flat]


def serve_config(server: HTTPServer, config: dict[str, Any]) -> None:
    server.expect_request(f"{ROOT}/", query_string="config").respond_with_json(config)


@pytest.fixture
def statfin_server(httpserver: HTTPServer) -> HTTPServer:
    serve_config(httpserver, fixture_json("config.json"))
    httpserver.expect_request(TABLE_URL, method="GET").respond_with_json(
        fixture_json("tyonv__12r5.meta.json")
    )
    httpserver.expect_request(TABLE_URL, method="POST").respond_with_json(
        fixture_json("tyonv__12r5.data.json")
    )
    return httpserver


def make_client(server: HTTPServer, http: RetryingHttp, **kwargs: Any) -> PxWebClient:
    return PxWebClient(server.url_for(f"{ROOT}/StatFin"), transport=http, **kwargs)


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin", "https://pxdata.stat.fi/PXWeb/api/v1/fi"),
        ("https://pxdata.stat.fi/PxWeb/api/v1/en/StatFin/", "https://pxdata.stat.fi/PxWeb/api/v1/en"),
        ("https://statfin.stat.fi/PXWeb/api/v1/sv", "https://statfin.stat.fi/PXWeb/api/v1/sv"),
        ("http://127.0.0.1:8080/PXWeb/api/v1/fi/Kuntien_avainluvut", "http://127.0.0.1:8080/PXWeb/api/v1/fi"),
    ],
)
def test_api_root_derivation(base: str, root: str) -> None:
    assert api_root(base) == root


def test_api_root_needs_api_v1_and_language() -> None:
    with pytest.raises(ValueError, match="/api/v1/<lang>"):
        api_root("https://pxdata.stat.fi/PXWeb/api/v2/")


def test_config_sets_spacing(statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp]) -> None:
    http = make_http()
    client = make_client(statfin_server, http)
    config = client.api_config()
    assert config is not None and config["maxCalls"] == 40
    assert client.min_interval == pytest.approx(1.5) and http.min_interval == pytest.approx(1.5)
    sent = statfin_server.log[0][0]
    assert (sent.path, sent.query_string) == (f"{ROOT}/", b"config")


def test_config_failure_falls_back_to_conservative_spacing(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    httpserver.expect_request(f"{ROOT}/").respond_with_data("nope", 404)
    http = make_http()
    client = make_client(httpserver, http, fallback_min_interval=0.05)
    assert client.api_config() is None
    assert client.min_interval == 0.05 and http.min_interval == 0.05
    assert client.stats.failed == 1


def test_config_without_limits_falls_back(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    serve_config(httpserver, {"maxCalls": 0, "timeWindow": 10})
    client = make_client(httpserver, make_http(), fallback_min_interval=0.07)
    assert client.api_config() is None and client.min_interval == 0.07


def test_config_is_read_before_the_first_table_call(
    statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    client = make_client(statfin_server, make_http())
    client.table_metadata("tyonv/12r5")
    client.table_metadata("tyonv/12r5")
    assert [r.path for r, _ in statfin_server.log] == [f"{ROOT}/", TABLE_URL, TABLE_URL]


def test_rate_spacing_is_honoured(httpserver: HTTPServer) -> None:
    """maxCalls 5 per 1 s -> 0.2 s apart: three table calls span 0.4 s; at 1000/s 0.002 s.

    The transport runs on a simulated clock that only its own waits advance, so the span is
    exactly what the spacing asked for, however busy the machine is.
    """

    def three_calls(config: dict[str, Any]) -> float:
        now = [1000.0]

        def sleep(seconds: float) -> None:
            now[0] += seconds

        httpserver.clear()
        serve_config(httpserver, config)
        httpserver.expect_request(TABLE_URL).respond_with_json(fixture_json("tyonv__12r5.meta.json"))
        client = make_client(httpserver, RetryingHttp(sleep=sleep, clock=lambda: now[0]))
        client.api_config()
        started = now[0]
        for _ in range(3):
            client.table_metadata("tyonv/12r5")
        assert len(httpserver.log) == 4  # ?config and three table calls, none retried
        return now[0] - started

    assert three_calls({"maxCalls": 5, "timeWindow": 1}) == pytest.approx(0.4)
    assert three_calls({"maxCalls": 1000, "timeWindow": 1}) == pytest.approx(0.002)


def test_table_metadata_and_variable_resolution(
    statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    meta = make_client(statfin_server, make_http()).table_metadata("/tyonv/12r5.px")
    assert find_variable(meta, time=True)["code"] == "timeperiod_m"
    assert find_variable(meta, contains_value="KU111")["code"] == "Alue"
    assert find_variable(meta, code="contentscode", contains_value="TYOTOSUUS")["text"] == "Tiedot"
    with pytest.raises(
        SourceError, match=r"exactly one variable with contains_value='KU999', found 0"
    ) as err:
        find_variable(meta, contains_value="KU999", table="tyonv/12r5")
    assert err.value.item == "table tyonv/12r5" and "timeperiod_m" in str(err.value)
    with pytest.raises(ValueError):
        find_variable(meta)


def test_variable_resolution_survives_renamed_codes() -> None:
    meta = fixture_json("tyonv__12r5.meta.json")
    for variable in meta["variables"]:
        variable["code"] = {"Alue": "alue_23_20270101", "contentscode": "Tiedot"}.get(
            variable["code"], "Kuukausi"
        )
    assert find_variable(meta, contains_value="KU111")["code"] == "alue_23_20270101"
    assert find_variable(meta, time=True)["code"] == "Kuukausi"
    assert check_content_codes(meta, "tyonv/12r5", CODES) == "Tiedot"


def test_content_code_check(statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp]) -> None:
    meta = make_client(statfin_server, make_http()).table_metadata("tyonv/12r5")
    assert check_content_codes(meta, "tyonv/12r5", CODES) == "contentscode"
    with pytest.raises(
        SourceError, match=r"content code\(s\) \['AKTASTE'\] not in variable 'contentscode'"
    ) as err:
        check_content_codes(meta, "tyonv/12r5", ["TYOTOSUUS", "AKTASTE"])
    assert "tyonv/12r5" in str(err.value)
    with pytest.raises(SourceError, match=r"\['vaerak-vaesto'\] not in any variable of table tyonv/12r5"):
        check_content_codes(meta, "tyonv/12r5", ["vaerak-vaesto"])


def test_metadata_without_variables_is_rejected(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    serve_config(httpserver, fixture_json("config.json"))
    httpserver.expect_request(TABLE_URL).respond_with_json({"error": "no such table"})
    client = make_client(httpserver, make_http())
    with pytest.raises(SourceError, match="'title' and a 'variables' list") as err:
        client.table_metadata("tyonv/12r5")
    assert err.value.item == "table tyonv/12r5"


def test_query_posts_the_documented_body(
    statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    data = make_client(statfin_server, make_http()).query("tyonv/12r5", SELECTIONS)
    sent = statfin_server.log[-1][0]
    assert sent.method == "POST" and sent.path == TABLE_URL
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.get_data()) == {
        "query": [
            {"code": "Alue", "selection": {"filter": "item", "values": ["KU111", "SSS"]}},
            {"code": "timeperiod_m", "selection": {"filter": "top", "values": ["1"]}},
            {"code": "contentscode", "selection": {"filter": "item", "values": CODES}},
        ],
        "response": {"format": "json-stat2"},
    }
    for code, value in HEINOLA_2026M06.items():
        assert cell(data, Alue="KU111", timeperiod_m="2026M06", contentscode=code) == value
    assert cell(data, Alue="SSS", timeperiod_m="2026M06", contentscode="TYOTOSUUS") == 12.8


def test_query_rejects_a_response_without_dataset_keys(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    serve_config(httpserver, fixture_json("config.json"))
    body = fixture_json("tyonv__12r5.data.json")
    del body["value"]
    httpserver.expect_request(TABLE_URL, method="POST").respond_with_json(body)
    with pytest.raises(SourceError, match=r"json-stat2 response lacks top-level key\(s\) \['value'\]") as err:
        make_client(httpserver, make_http()).query("tyonv/12r5", SELECTIONS)
    assert err.value.item == "table tyonv/12r5"


def test_query_is_retried_on_429(
    statfin_server: HTTPServer, make_http: Callable[..., RetryingHttp], sleeps: list[float]
) -> None:
    statfin_server.expect_oneshot_request(TABLE_URL, method="POST").respond_with_data(
        "", 429, {"Retry-After": "2"}
    )
    data = make_client(statfin_server, make_http()).query("tyonv/12r5", SELECTIONS)
    assert data["class"] == "dataset" and 2.0 in sleeps


def test_query_400_is_not_retried(httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]) -> None:
    serve_config(httpserver, fixture_json("config.json"))
    httpserver.expect_request(TABLE_URL, method="POST").respond_with_json(
        {"error": "Parameter error"}, status=400
    )
    with pytest.raises(SourceError, match="HTTP 400") as err:
        make_client(httpserver, make_http()).query("tyonv/12r5", SELECTIONS)
    assert "Parameter error" in str(err.value)
    assert len([r for r, _ in httpserver.log if r.method == "POST"]) == 1


def test_bad_selections_and_formats_are_caught_early(make_http: Callable[..., RetryingHttp]) -> None:
    client = PxWebClient(
        "http://127.0.0.1:9/PXWeb/api/v1/fi/StatFin", transport=make_http(), auto_config=False
    )
    with pytest.raises(ValueError, match="non-empty list"):
        client.query("tyonv/12r5", {"Alue": ("item", [])})
    with pytest.raises(ValueError, match="response_format"):
        client.query("tyonv/12r5", SELECTIONS, response_format="csv")
    with pytest.raises(ValueError, match="invalid table path"):
        client.table_metadata("../12r5")


def test_snapshot_mode_parses_the_same_files() -> None:
    client = PxWebClient(transport=SnapshotTransport(STATFIN))
    meta = client.table_metadata("tyonv/12r5")
    assert client.min_interval == pytest.approx(1.5)
    assert check_content_codes(meta, "tyonv/12r5", CODES) == "contentscode"
    data = client.query("tyonv/12r5", SELECTIONS)
    assert cell(data, Alue="KU111", timeperiod_m="2026M06", contentscode="TYOTTOMATLOPUSSA") == 1125


def test_snapshot_mode_missing_table_names_the_file() -> None:
    client = PxWebClient(transport=SnapshotTransport(STATFIN))
    with pytest.raises(SourceError, match="snapshot file missing") as err:
        client.table_metadata("tjt/14ww")
    assert err.value.file == str(STATFIN.resolve() / "tjt__14ww.meta.json")
