"""The PxWeb client against a StatFin stand-in that answers like the real service.

12r5 starts later than asked and ends two months before the current month, lists no maakunta,
and splits the unemployed by sex; 11re has the real variable structure, where the age and sex
variables also offer `SSS`. The stand-in answers HTTP 400 for any value its metadata does not
list, as PxWeb does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.http import RetryingHttp
from hyte_assets.lib.jsonstat import decode_jsonstat2
from hyte_assets.lib.pxweb import (
    EMPLOYMENT_CODES,
    EMPLOYMENT_SEX_CODES,
    PxWebClient,
    find_area_variable,
    find_variable,
    plan_query,
    sex_content_codes,
)
from hyte_assets_tests.standins import months, write_statfin_standin
from hyte_assets_tests.stub_servers import StubServer

CURRENT = "2026M08"


@pytest.fixture
def statfin(tmp_path: Path) -> Iterator[tuple[StubServer, dict[str, list[str]]]]:
    listed = write_statfin_standin(tmp_path, current_month=CURRENT, first_month="2025M03")
    with StubServer("statfin", tmp_path, strict=True) as server:
        yield server, listed


@pytest.fixture
def client(
    statfin: tuple[StubServer, dict[str, list[str]]], make_http: Callable[..., RetryingHttp]
) -> PxWebClient:
    return PxWebClient(statfin[0].url, transport=make_http(), fallback_min_interval=0.0)


def test_area_variable_by_role_not_by_sss(client: PxWebClient) -> None:
    meta = client.table_metadata("vaerak/11re")
    with pytest.raises(SourceError, match="exactly one variable"):
        find_variable(meta, contains_value="SSS", table="vaerak/11re")  # today's lookup fails here
    assert find_area_variable(meta, "vaerak/11re")["code"] == "alue_23_20260101"
    assert find_area_variable(client.table_metadata("tyonv/12r5"))["code"] == "Alue"
    by_values = {
        "variables": [
            {"code": "x", "text": "Kunta", "values": ["SSS", "KU111"]},
            {"code": "s", "text": "Sukupuoli", "values": ["SSS", "1"]},
        ]
    }
    assert find_area_variable(by_values)["code"] == "x"


def test_backfill_plan_lands_listed_months_and_reports_the_rest(client: PxWebClient) -> None:
    meta = client.table_metadata("tyonv/12r5")
    wanted = months("2024M01", "2026M08")  # partitions: from before the table up to this month
    plan = plan_query(
        meta, "tyonv/12r5", areas=["KU111", "MK07", "SSS"], periods=wanted, codes=EMPLOYMENT_CODES
    )
    assert plan.periods[0] == "2025M03" and plan.periods[-1] == "2026M06"
    assert plan.not_published == ("2026M07", "2026M08")
    assert plan.not_in_table == tuple(months("2024M01", "2025M02"))
    assert plan.missing_areas == ("MK07",)
    notes = " ".join(plan.notes())
    assert "not yet published 2026M07–2026M08" in notes and "MK07" in notes
    assert plan.selections is not None
    data = client.query("tyonv/12r5", plan.selections)
    frame = decode_jsonstat2(data, source="statfin")
    heinola = frame[(frame["Alue"] == "KU111") & (frame["timeperiod_m"] == "2026M06")]
    assert dict(zip(heinola["contentscode"], heinola["value"], strict=True))["TYOTOSUUS"] == 15.4
    assert set(frame["timeperiod_m"]) == set(plan.periods)


def test_nothing_published_yet_means_no_call(client: PxWebClient) -> None:
    meta = client.table_metadata("tyonv/12r5")
    plan = plan_query(meta, "tyonv/12r5", areas=["KU111"], periods=["2026M08"], codes=["TYOTOSUUS"])
    assert plan.selections is None and plan.not_published == ("2026M08",)


def test_a_400_names_the_variable_and_values(client: PxWebClient) -> None:
    with pytest.raises(SourceError) as raised:
        client.query(
            "tyonv/12r5",
            {
                "Alue": ("item", ["KU111"]),
                "timeperiod_m": ("item", ["2026M08"]),
                "contentscode": ("item", ["TYOTOSUUS"]),
            },
        )
    problem = raised.value.problem
    assert (
        problem.startswith("HTTP 400")
        and "timeperiod_m=['2026M08']" in problem
        and "Alue=['KU111']" in problem
    )


def test_men_and_women_from_12r5_metadata(client: PxWebClient) -> None:
    meta = client.table_metadata("tyonv/12r5")
    assert sex_content_codes(meta, EMPLOYMENT_SEX_CODES) == EMPLOYMENT_SEX_CODES
    assert sex_content_codes(client.table_metadata("vaerak/11re"), EMPLOYMENT_SEX_CODES) == {}


def test_population_from_11re_with_age_and_sex_totals(client: PxWebClient) -> None:
    meta = client.table_metadata("vaerak/11re")
    plan = plan_query(
        meta,
        "vaerak/11re",
        areas=["KU111", "SSS"],
        periods=["2025", "2026"],
        codes=["vaerak-vaesto"],
        extra={"ikaryhma_10_20180101": ("item", ["SSS"]), "sukupuoli_9_20180101": ("item", ["SSS"])},
    )
    assert plan.not_published == ("2026",)
    assert plan.selections is not None
    frame = decode_jsonstat2(client.query("vaerak/11re", plan.selections), source="statfin")
    values = dict(zip(frame["alue_23_20260101"], frame["value"], strict=True))
    assert values == {"KU111": 17694.0, "SSS": 5652881.0}
    with pytest.raises(SourceError, match="does not list"):
        plan_query(
            meta,
            "vaerak/11re",
            areas=["KU111"],
            periods=["2025"],
            extra={"sukupuoli_9_20180101": ("item", ["3"])},
        )
