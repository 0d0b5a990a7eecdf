"""The Sotkanet client and title rules against a stand-in that answers with today's wording.

The stand-in (hyte_assets_tests/standins.py) serves every pinned id with its title as Sotkanet
writes it now ("vastaavan ikäisestä", trailing space), a gender classification and
male/female/total rows; one variant changes 3219's age band, which must be rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp
from hyte_assets.lib.sotkanet import (
    IndicatorMeta,
    SotkanetClient,
    available_level,
    check_title,
    indicator_warnings,
    match_titles,
    normalise_title,
    resolve_regions,
)
from hyte_assets_tests.standins import CHANGED_AGE_BAND, pinned_titles, write_sotkanet_standin
from hyte_assets_tests.stub_servers import StubServer

YEARS = range(2015, 2025)


@pytest.fixture(scope="module")
def pins() -> dict[int, str]:
    return pinned_titles()


def serve(root: Path, **options: object) -> Iterator[StubServer]:
    write_sotkanet_standin(root, years=YEARS, **options)  # type: ignore[arg-type]
    with StubServer("sotkanet", root) as server:
        yield server


@pytest.fixture
def today(tmp_path: Path) -> Iterator[StubServer]:
    yield from serve(tmp_path / "today")


@pytest.fixture
def changed(tmp_path: Path) -> Iterator[StubServer]:
    yield from serve(tmp_path / "changed", title_overrides=CHANGED_AGE_BAND)


def client_for(server: StubServer, make_http: Callable[..., RetryingHttp]) -> SotkanetClient:
    return SotkanetClient(server.url, transport=make_http())


def test_every_pinned_id_passes_the_title_check_in_todays_wording(
    today: StubServer, make_http: Callable[..., RetryingHttp], pins: dict[int, str]
) -> None:
    client = client_for(today, make_http)
    assert {3219, 286, 3906, 234, 306, 3959} <= set(pins)  # hyte-kerroin outcomes are pinned
    for indicator_id, expected in pins.items():
        meta = client.indicator(indicator_id)
        assert meta.title_fi != expected  # the wording really differs from 2015
        check_title(indicator_id, expected, meta)
    served = client.indicator(3219).title_fi
    assert "vastaavan ikäisestä" in served and served.endswith(" ")


def test_changed_age_band_is_rejected_for_that_indicator_only(
    changed: StubServer, make_http: Callable[..., RetryingHttp], pins: dict[int, str]
) -> None:
    client = client_for(changed, make_http)
    rejected = []
    for indicator_id, expected in pins.items():
        try:
            check_title(indicator_id, expected, client.indicator(indicator_id))
        except SourceError as exc:
            assert exc.problem.startswith("title mismatch")
            assert "18 - 24-vuotiaat" in exc.problem and "17 - 24-vuotiaat" in exc.problem
            rejected.append(indicator_id)
    assert rejected == [3219]


def test_genders_from_metadata_and_rows_for_every_comparison_region(
    today: StubServer, make_http: Callable[..., RetryingHttp], pins: dict[int, str]
) -> None:
    client = client_for(today, make_http)
    metas = {i: client.indicator(i) for i in pins}
    assert all(m.has_gender_classification for m in metas.values())
    regions = resolve_regions(client.regions(), "111")
    wanted = {r.id for r in regions.values()}
    assert wanted == {44, 493, 975, 658}
    results = client.data_many(list(pins), YEARS, genders_by_id={i: m.genders for i, m in metas.items()})
    for indicator_id, rows in results.items():
        assert not isinstance(rows, SourceError), rows
        seen = {(r["region"], r["gender"]) for r in rows if r["year"] == 2024}
        regions_ = wanted - ({44} if not metas[indicator_id].has_municipal_data else set())
        assert seen >= {(region, g) for region in regions_ for g in ("male", "female", "total")}
    # the stand-in filters by the genders asked, as the real /json does
    totals = client.data(3219, [2024], ("total",))
    assert {r["gender"] for r in totals} == {"total"}
    asked = [q for q in today.state.requests if q.path.endswith("/json")][-1].query
    assert asked["genders"] == ["total"] and asked["years"] == ["2024"]


def test_metadata_warnings_say_what_is_missing(
    today: StubServer, make_http: Callable[..., RetryingHttp]
) -> None:
    client = client_for(today, make_http)
    no_kunta = client.indicator(3558)  # no municipality level, as in the 2015 listing
    warnings = indicator_warnings(no_kunta, current_year=2026)
    assert any("no municipality level" in w and "Maakunta" in w for w in warnings)
    assert available_level(no_kunta, "kunta", ("maakunta",)) == "maakunta"
    assert available_level(no_kunta, "kunta") is None
    assert indicator_warnings(client.indicator(3219), current_year=2026) == []
    ended = IndicatorMeta(id=3216, title_fi="x", region_levels=("Kunta",), range_end=2015)
    assert indicator_warnings(ended, current_year=dt.date(2026, 1, 1).year) == [
        "indicator 3216: data ended in 2015 (range.end)"
    ]
    total_only = IndicatorMeta(id=1, title_fi="x", region_levels=("Kunta",), sex_values=("Yhteensä",))
    assert total_only.genders == ("total",)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("% vastaavanikäisestä väestöstä", "% vastaavan ikäisestä väestöstä"),
        ("/ 10 000 vastaavanikäistä", "/ 10 000 vastaavan  ikäistä "),
        ("Ylipaino, % 8. ja 9. luokan oppilaista ", "ylipaino, % 8. ja 9. luokan oppilaista"),
    ],
)
def test_known_drift_is_normalised(a: str, b: str) -> None:
    assert normalise_title(a) == normalise_title(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Korkea-asteen koulutuksen saaneet, % 15 vuotta täyttäneistä", "… % 20 vuotta täyttäneistä"),
        ("% vastaavanikäisestä väestöstä", "% väestöstä"),
        ("Lonkkamurtumat 65 vuotta täyttäneillä", "Lonkkamurtumat 75 vuotta täyttäneillä"),
    ],
)
def test_other_differences_still_fail(a: str, b: str) -> None:
    assert normalise_title(a) != normalise_title(b)


def test_resolution_reports_matched_ambiguous_unmatched_with_titles(
    today: StubServer, make_http: Callable[..., RetryingHttp]
) -> None:
    listing = client_for(today, make_http).indicators()
    duplicate = IndicatorMeta(id=99999, title_fi="Ylipaino, % 8. ja 9. luokan oppilaista", region_levels=())
    matches = {
        m.measure_id: m
        for m in match_titles(
            {
                "drifted": "Lonkkamurtumat 65 vuotta täyttäneillä, % vastaavanikäisestä väestöstä",
                "twice": "Ylipaino, % 8. ja 9. luokan oppilaista",
                "none": "Kaatumisiin liittyvät hoitojaksot 65 vuotta täyttäneillä",
            },
            [*listing, duplicate],
        )
    }
    assert matches["drifted"].status == "matched" and matches["drifted"].candidates == (699,)
    assert "vastaavan ikäisestä" in matches["drifted"].candidate_titles[0]
    assert matches["twice"].status == "ambiguous" and matches["twice"].candidates == (3906, 99999)
    assert len(matches["twice"].candidate_titles) == 2
    assert matches["none"].status == "unmatched" and matches["none"].candidates == ()
    assert matches["none"].near and matches["none"].near[0][0] == 3959  # a hint, not a pin
