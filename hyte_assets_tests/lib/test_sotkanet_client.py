"""Sotkanet client against a local server speaking the real wire format, and against snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WzRequest
from werkzeug import Response as WzResponse

from hyte_assets.lib import sotkanet_rows
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp, SnapshotTransport
from hyte_assets.lib.sotkanet import (
    IndicatorMeta,
    Region,
    SotkanetClient,
    all_municipalities,
    check_title,
    match_titles,
    municipalities_in,
    normalise_title,
    resolve_regions,
)
from hyte_assets.lib.sotkanet_rows import check_row
from hyte_assets_tests.lib.conftest import FIXTURES, ConcurrencyProbe

SOTKANET = FIXTURES / "sotkanet"
# Indicator 3219 as recorded: 11 250 rows, every region at real scale (what `make bench` serves).
RECORDED_3219 = Path(__file__).resolve().parents[2] / "data" / "snapshots" / "sotkanet" / "json" / "3219.json"
PREFIX = "/rest/1.1"
# Real published Heinola (region 44) values for 2019: (indicator, value, absValue).
HEINOLA_2019 = [
    (5, 10.8, 931.0),
    (181, 12.9, 1037.0),
    (3562, 4.0, 320.0),
    (3099, 15.3, 2794.0),
    (3126, 24.7, None),
]


def fixture_json(relative: str) -> Any:
    return json.loads((SOTKANET / relative).read_text(encoding="utf-8"))


def json_response(payload: Any, **kwargs: Any) -> WzResponse:
    return WzResponse(json.dumps(payload), content_type="application/json", **kwargs)


def data_endpoint(request: WzRequest) -> WzResponse:
    """Like the real `/json`: one indicator, repeated years/genders, all regions come back."""
    indicator = request.args["indicator"]
    years = {int(y) for y in request.args.getlist("years")}
    genders = set(request.args.getlist("genders"))
    path = SOTKANET / "json" / f"{indicator}.json"
    if not path.exists():
        return WzResponse("Not found", status=404)
    rows = json.loads(path.read_text(encoding="utf-8"))
    return json_response([r for r in rows if r["year"] in years and r["gender"] in genders])


@pytest.fixture
def sotkanet_server(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request(f"{PREFIX}/regions").respond_with_json(fixture_json("regions.json"))
    httpserver.expect_request(f"{PREFIX}/indicators").respond_with_json(fixture_json("indicators.json"))
    for path in sorted((SOTKANET / "indicators").glob("*.json")):
        httpserver.expect_request(f"{PREFIX}/indicators/{path.stem}").respond_with_json(
            fixture_json(f"indicators/{path.name}")
        )
    httpserver.expect_request(f"{PREFIX}/json").respond_with_handler(data_endpoint)
    return httpserver


@pytest.fixture
def client(sotkanet_server: HTTPServer, make_http: Callable[..., RetryingHttp]) -> SotkanetClient:
    return SotkanetClient(sotkanet_server.url_for(PREFIX), transport=make_http())


@pytest.fixture
def snapshot_client() -> SotkanetClient:
    return SotkanetClient(transport=SnapshotTransport(SOTKANET))


def region(id_: int, code: str, category: str, member_of: tuple[int, ...] = ()) -> Region:
    return Region(id=id_, code=code, category=category, title_fi=f"r{id_}", member_of=member_of, uri=None)


# --- regions -----------------------------------------------------------------------------


def test_regions_parse_and_resolve_heinola_by_code(client: SotkanetClient) -> None:
    regions = client.regions()
    heinola = next(r for r in regions if r.id == 44)
    assert (heinola.code, heinola.category, heinola.title_fi) == ("111", "KUNTA", "Heinola")
    assert heinola.uri == "http://www.yso.fi/onto/kunnat/k111"
    resolved = resolve_regions(regions, "111")
    assert {level: r.id for level, r in resolved.items()} == {
        "kunta": 44,
        "maakunta": 493,
        "hyvinvointialue": 975,
        "koko_maa": 658,
    }
    assert resolved["maakunta"].code == "07" and resolved["hyvinvointialue"].code == "09"


def test_resolve_uses_category_not_code_alone() -> None:
    regions = [
        region(900, "111", "SEUTUKUNTA"),
        region(44, "111", "KUNTA", (658, 493, 975)),
        region(493, "07", "MAAKUNTA"),
        region(975, "09", "HYVINVOINTIALUE"),
        region(658, "000", "MAA"),
    ]
    assert resolve_regions(regions, "111")["kunta"].id == 44
    with pytest.raises(SourceError, match=r"unknown municipality code '111'"):
        resolve_regions([r for r in regions if r.id != 44], "111")


def test_resolve_unknown_code_and_missing_parent_fail_clearly(client: SotkanetClient) -> None:
    regions = client.regions()
    with pytest.raises(SourceError, match=r"unknown municipality code '999' \(category KUNTA\)"):
        resolve_regions(regions, "999")
    # Helsinki's wellbeing services county (960) is not in the fixture list.
    with pytest.raises(SourceError, match=r"091 Helsinki should belong to exactly one HYVINVOINTIALUE"):
        resolve_regions(regions, "091")


def test_municipality_lists(client: SotkanetClient) -> None:
    regions = client.regions()
    assert sorted(r.title_fi for r in municipalities_in(regions, 488)) == ["Espoo", "Helsinki"]
    assert [r.code for r in municipalities_in(regions, 493)] == ["111"]
    assert sorted(r.code for r in all_municipalities(regions)) == ["049", "091", "111"]


def test_empty_regions_list_is_an_error(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    httpserver.expect_request(f"{PREFIX}/regions").respond_with_json([])
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())
    with pytest.raises(SourceError, match="empty regions list"):
        client.regions()
    assert client.stats.failed == 1


def test_region_missing_key_names_it(httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]) -> None:
    httpserver.expect_request(f"{PREFIX}/regions").respond_with_json([{"id": 44, "category": "KUNTA"}])
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())
    with pytest.raises(SourceError, match="missing key 'code' in region") as err:
        client.regions()
    assert err.value.row == 0 and err.value.url is not None and err.value.url.endswith("/regions")


# --- data --------------------------------------------------------------------------------


def test_data_sends_repeated_years_never_a_comma_list(
    client: SotkanetClient, sotkanet_server: HTTPServer
) -> None:
    client.data(181, [2019, 2011], genders=("total", "female"))
    sent = sotkanet_server.log[-1][0]
    assert sent.query_string == b"indicator=181&years=2019&years=2011&genders=total&genders=female"
    assert sent.args.getlist("years") == ["2019", "2011"]


@pytest.mark.parametrize(("indicator", "value", "abs_value"), HEINOLA_2019)
def test_published_heinola_2019_values(
    client: SotkanetClient, indicator: int, value: float, abs_value: float | None
) -> None:
    rows = [r for r in client.data(indicator, [2019]) if r["region"] == 44]
    assert rows == [
        {
            "indicator": indicator,
            "region": 44,
            "year": 2019,
            "gender": "total",
            "value": value,
            "abs_value": abs_value,
        }
    ]


def test_missing_abs_value_is_none(client: SotkanetClient) -> None:
    rows = client.data(3126, [2009, 2010, 2011])
    assert [(r["year"], r["value"], r["abs_value"]) for r in rows] == [
        (2009, 24.8, None),
        (2010, 25.1, None),
        (2011, 25.7, None),
    ]


def test_empty_data_is_allowed_but_reported(client: SotkanetClient) -> None:
    assert client.data(181, [1990]) == []
    assert client.stats.empty == ["indicator 181"]
    assert client.stats.as_dict()["failed"] == 0


def bad_data_client(
    httpserver: HTTPServer,
    make_http: Callable[..., RetryingHttp],
    body: str,
    content_type: str = "application/json",
) -> SotkanetClient:
    httpserver.expect_request(f"{PREFIX}/json").respond_with_data(body, 200, content_type=content_type)
    return SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("<html><h1>502 Bad Gateway</h1></html>", "text/html", "expected JSON, got HTML error page"),
        (
            '[{"indicator": 181, "region": 44, "year": 2019, "gen',
            "application/json",
            "truncated JSON at char",
        ),
        (
            '[{"indicator": 182, "region": 44, "year": 2019, "gender": "total", "value": 184.7}]',
            "application/json",
            "wrong indicator in rows: asked for 181, row has 182",
        ),
        (
            '[{"indicator": 181, "region": 44, "gender": "total", "value": 12.9}]',
            "application/json",
            "missing key 'year' in data row",
        ),
        (
            '[{"indicator": 181, "region": 44, "year": 2019, "gender": "total", "value": "12,9"}]',
            "application/json",
            "value must be a number",
        ),
        ('{"error": "bad"}', "application/json", "expected a list of rows, got dict"),
    ],
)
def test_bad_data_fails_naming_the_indicator(
    httpserver: HTTPServer,
    make_http: Callable[..., RetryingHttp],
    body: str,
    content_type: str,
    problem: str,
) -> None:
    client = bad_data_client(httpserver, make_http, body, content_type)
    with pytest.raises(SourceError, match=problem) as err:
        client.data(181, [2019])
    assert err.value.item == "indicator 181" and "indicator=181" in str(err.value)
    assert client.stats.failed == 1


def recorded_rows() -> list[dict[str, Any]]:
    return json.loads(RECORDED_3219.read_text(encoding="utf-8"))


def mixed_rows() -> list[dict[str, Any]]:
    """The recorded rows with what the recording lacks: int values, absValue, nulls."""
    rows = recorded_rows()
    for index, row in enumerate(rows):
        if index % 7 == 0 and row["value"] is not None:
            row["value"] = round(row["value"])
        if index % 5 == 0:
            row["absValue"] = index if index % 2 else index + 0.5
        if index % 11 == 0:
            row["value"] = None
        if index % 13 == 0:
            row["absValue"] = None
    return rows


def pandas_reference(rows: list[dict[str, Any]], years: list[int], genders: list[str]) -> Any:
    """An independent oracle: pandas reads the wire rows and keeps the asked years and genders."""
    import pandas as pd

    frame = pd.json_normalize(rows)
    if "absValue" not in frame:
        frame["absValue"] = None
    kept = frame[frame["year"].isin(years) & frame["gender"].isin(genders)].reset_index(drop=True)
    kept = kept.rename(columns={"absValue": "abs_value"})
    columns = ["indicator", "region", "year", "gender", "value", "abs_value"]
    return kept[columns].astype({"value": float, "abs_value": float})


@pytest.mark.parametrize(
    ("rows", "years", "genders"),
    [
        (recorded_rows, list(range(1990, 2026)), ["total"]),
        (mixed_rows, [2000, 2019], ["total", "female"]),
        (mixed_rows, list(range(1990, 2026)), ["male", "female", "total"]),
    ],
)
def test_real_scale_answer_parses_like_pandas_and_the_per_row_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: Callable[[], list[dict[str, Any]]],
    years: list[int],
    genders: list[str],
) -> None:
    import pandas as pd

    wire = rows()
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "3219.json").write_text(json.dumps(wire), encoding="utf-8")
    # a good answer is checked column by column: the per-row path is not needed for it
    monkeypatch.setattr(sotkanet_rows, "check_row", lambda *args: pytest.fail("per-row path used"))
    got = SotkanetClient(transport=SnapshotTransport(tmp_path)).data(3219, years, genders)
    assert len(got) > 500
    pd.testing.assert_frame_equal(
        pd.DataFrame(got).astype({"value": float, "abs_value": float}), pandas_reference(wire, years, genders)
    )

    def fail(problem: str, **where: Any) -> SourceError:
        return SourceError("sotkanet", problem, **where)

    per_row = [check_row(raw, 3219, index, fail) for index, raw in enumerate(wire)]
    assert got == [r for r in per_row if r["year"] in years and r["gender"] in genders]
    assert {type(r[key]) for r in got for key in ("value", "abs_value")} <= {float, type(None)}


BAD_ROW = 7000  # deep in the answer, and in a year (1995) the request below does not ask for


@pytest.mark.parametrize(
    ("key", "bad", "problem", "column"),
    [
        ("year", "2019", "year must be an integer, got '2019'", "year"),
        ("region", True, "region must be an integer, got True", "region"),
        ("gender", "muu", "unknown gender 'muu'", "gender"),
        ("gender", ["total"], r"unknown gender \['total'\]", "gender"),
        ("value", "12,9", "value must be a number, got '12,9'", "value"),
        ("absValue", [1], r"absValue must be a number, got \[1\]", "absValue"),
        ("indicator", 181, "wrong indicator in rows: asked for 3219, row has 181", "indicator"),
        ("gender", None, "missing key 'gender' in data row", "gender"),
        (None, None, "data row is not an object", None),
    ],
)
def test_one_bad_row_in_a_real_scale_answer_is_named(
    httpserver: HTTPServer,
    make_http: Callable[..., RetryingHttp],
    key: str | None,
    bad: Any,
    problem: str,
    column: str | None,
) -> None:
    rows: list[Any] = recorded_rows()
    assert rows[BAD_ROW]["year"] != 2019
    if key is None:
        rows[BAD_ROW] = list(rows[BAD_ROW].values())
    elif bad is None:
        del rows[BAD_ROW][key]
    else:
        rows[BAD_ROW][key] = bad
    client = bad_data_client(httpserver, make_http, json.dumps(rows))
    with pytest.raises(SourceError, match=problem) as err:
        client.data(3219, [2019])
    assert (err.value.row, err.value.column, err.value.item) == (BAD_ROW, column, "indicator 3219")
    assert "indicator=3219" in str(err.value)


def test_unchanged_data_is_fetched_conditionally(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp], tmp_path: Path
) -> None:
    rows = fixture_json("json/181.json")

    def handler(request: WzRequest) -> WzResponse:
        if request.headers.get("If-None-Match") == '"181-v1"':
            return WzResponse(status=304)
        return json_response(rows, headers={"ETag": '"181-v1"'})

    httpserver.expect_request(f"{PREFIX}/json").respond_with_handler(handler)
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=make_http(cache_dir=tmp_path))
    first = client.data(181, [2019])
    second = client.data(181, [2019])
    assert second == first and second[0]["value"] == 12.9
    assert httpserver.log[1][0].headers["If-None-Match"] == '"181-v1"'
    assert client.stats.as_dict() == {"fetched": 1, "not_modified": 1, "failed": 0, "empty": []}


def test_data_many_is_concurrent_and_bounded(httpserver: HTTPServer) -> None:
    def respond(request: WzRequest) -> WzResponse:
        indicator = int(request.args["indicator"])
        return json_response(
            [{"indicator": indicator, "region": 44, "year": 2019, "gender": "total", "value": 1.0}]
        )

    probe = ConcurrencyProbe(0.05, respond)
    httpserver.expect_request(f"{PREFIX}/json").respond_with_handler(probe)
    transport = RetryingHttp(max_concurrency=4)
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=transport, max_concurrency=4)
    ids = list(range(1001, 1013))
    results = client.data_many(ids, [2019])
    assert list(results) == ids
    assert all(isinstance(rows, list) and rows[0]["indicator"] == i for i, rows in results.items())
    assert transport.stats.max_in_flight <= 4 and probe.max_active <= 4
    assert probe.max_active >= 2  # it really ran in parallel (the speed-up is measured by `make bench`)


def test_data_many_keeps_going_when_one_indicator_fails(client: SotkanetClient) -> None:
    results = client.data_many([181, 424242, 3562], [2019])
    assert isinstance(results[424242], SourceError) and "HTTP 404" in str(results[424242])
    assert results[181][0]["value"] == 12.9 and results[3562][0]["abs_value"] == 320.0
    assert client.stats.failed == 1 and client.stats.fetched == 2


def test_invalid_arguments_are_caught_before_any_call(client: SotkanetClient) -> None:
    with pytest.raises(ValueError, match="at least one year"):
        client.data(181, [])
    with pytest.raises(ValueError, match="genders"):
        client.data(181, [2019], genders=("all",))


# --- metadata and titles -------------------------------------------------------------------


def test_indicator_metadata(client: SotkanetClient) -> None:
    meta = client.indicator(181)
    assert meta.title_fi == "Työttömät, % työvoimasta"
    assert meta.has_municipal_data and meta.primary_value_type == "PROS"
    assert (meta.range_start, meta.range_end, meta.data_updated) == (1990, 2024, "2025-04-29")


def test_indicator_metadata_for_another_id_is_rejected(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    httpserver.expect_request(f"{PREFIX}/indicators/180").respond_with_json(
        fixture_json("indicators/181.json")
    )
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())
    with pytest.raises(SourceError, match="metadata is for indicator 181, asked for 180"):
        client.indicator(180)


def test_indicator_metadata_without_region_classification_is_rejected(
    httpserver: HTTPServer, make_http: Callable[..., RetryingHttp]
) -> None:
    doc = fixture_json("indicators/181.json")
    del doc["classifications"]
    httpserver.expect_request(f"{PREFIX}/indicators/181").respond_with_json(doc)
    client = SotkanetClient(httpserver.url_for(PREFIX), transport=make_http())
    with pytest.raises(SourceError, match=r"missing key 'classifications\.region\.values'") as err:
        client.indicator(181)
    assert err.value.item == "indicator 181"


def test_indicator_listing(client: SotkanetClient) -> None:
    listing = {m.id: m for m in client.indicators()}
    assert listing[5].title_fi.startswith("Toimeentulotukea saaneet 25 - 64-vuotiaat")
    assert not listing[4559].has_municipal_data


def test_title_check_passes_and_fails_naming_both_titles(client: SotkanetClient) -> None:
    meta = client.indicator(181)
    check_title(181, "työttömät,  % työvoimasta.", meta)
    with pytest.raises(SourceError) as err:
        check_title(181, "Pitkäaikaistyöttömät, % työvoimasta", meta)
    message = str(err.value)
    assert "indicator 181" in message
    assert "'Pitkäaikaistyöttömät, % työvoimasta'" in message and "'Työttömät, % työvoimasta'" in message


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Toimeentulotukea saaneet 25 - 64-vuotiaat", "toimeentulotukea saaneet 25–64-vuotiaat"),
        ("Väestö 31.12.", "väestö 31.12"),
        ("Gini-kerroin,\u00a0käytettävissä   olevat tulot", "GINI - kerroin, käytettävissä olevat tulot"),
    ],
)
def test_normalise_title(left: str, right: str) -> None:
    assert normalise_title(left) == normalise_title(right)


def test_normalise_title_keeps_real_differences() -> None:
    assert normalise_title("Työttömät, % työvoimasta") != normalise_title(
        "Pitkäaikaistyöttömät, % työvoimasta"
    )


def test_match_titles(client: SotkanetClient) -> None:
    listing = [*client.indicators(), IndicatorMeta(id=9999, title_fi="Väestö 31.12", region_levels=())]
    toimeentulotuki = "Toimeentulotukea saaneet 25–64-vuotiaat, % vastaavan ikäisestä väestöstä"
    matches = match_titles(
        {
            "tyottomyys": "Työttömät, % työvoimasta",
            "toimeentulotuki_25_64": toimeentulotuki,
            "vaesto": "Väestö 31.12.",
            "kiusatut": "Koulukiusattu vähintään kerran viikossa, %",
        },
        listing,
    )
    assert [(m.measure_id, m.status, m.candidates) for m in matches] == [
        ("tyottomyys", "matched", (181,)),
        ("toimeentulotuki_25_64", "matched", (5,)),
        ("vaesto", "ambiguous", (127, 9999)),
        ("kiusatut", "unmatched", ()),
    ]


# --- snapshot mode -------------------------------------------------------------------------


def test_snapshot_mode_parses_the_same_files(snapshot_client: SotkanetClient, client: SotkanetClient) -> None:
    assert resolve_regions(snapshot_client.regions(), "111")["kunta"].id == 44
    assert snapshot_client.indicator(3562).title_fi == "Pitkäaikaistyöttömät, % työvoimasta"
    for indicator, *_ in HEINOLA_2019:
        assert snapshot_client.data(indicator, [2019, 2011]) == client.data(indicator, [2019, 2011])


def test_snapshot_mode_filters_years_and_genders(snapshot_client: SotkanetClient) -> None:
    assert [r["year"] for r in snapshot_client.data(181, [2010, 2009])] == [2009, 2010]
    assert snapshot_client.data(181, [2019], genders=("female",)) == []


def test_snapshot_mode_missing_file_names_it(snapshot_client: SotkanetClient) -> None:
    with pytest.raises(SourceError, match="snapshot file missing") as err:
        snapshot_client.data(424242, [2019])
    assert err.value.file == str(SOTKANET.resolve() / "json" / "424242.json")
    assert err.value.item == "indicator 424242"
