"""THL sampo cube client against a local server, and against snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
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


# A school-survey answer with `&ci&n`, in the layout of ../shared/reference/thl-report-tea-ktk.md §3:
# the last dimension `tiku_vtype` (v, ci_lower, ci_upper, n), so a cell's value is at flat index
# position*4 and its n at position*4 + 3; values are strings and empty cells are omitted. Hand-made:
# the dimension ids of the real school-survey cubes were not found, so these are placeholders.
KTK_FACT = f"{BASE}/ktk/ktk1/fact_ktk1.json"


def ktk_answer() -> dict[str, Any]:
    def dim(label: str, codes: list[str], labels: list[str]) -> dict[str, Any]:
        return {
            "label": label,
            "category": {
                "index": {c: i for i, c in enumerate(codes)},
                "label": dict(zip(codes, labels, strict=True)),
            },
        }

    dimension = {
        "id": ["area", "year", "koulutusaste", "sukupuoli", "tiku_vtype"],
        "size": [1, 1, 2, 2, 4],
        "area": dim("Alue", ["111"], ["Heinola"]),
        "year": dim("Vuosi", ["2025"], ["2025"]),
        "koulutusaste": dim("Kouluaste", ["89", "lukio"], ["8. ja 9. lk", "Lukio"]),
        "sukupuoli": dim("Sukupuoli", ["t", "p"], ["Tytöt", "Pojat"]),
        "tiku_vtype": dim("Arvon tyyppi", ["v", "ci_lower", "ci_upper", "n"], ["arvo", "ala", "ylä", "n"]),
    }
    values = {
        # 8.-9. lk girls: 21.4 % of 152 respondents; boys: 17.0 % of 148
        "0": "21.4", "1": "15.3", "2": "28.9", "3": "152",
        "4": "17.0", "5": "11.5", "6": "24.3", "7": "148",
        # lukio girls: a value but no n (THL has defined none); lukio boys: suppressed, omitted
        "8": "12.0",
    }  # fmt: skip
    return {
        "dataset": {
            "version": "2.0",
            "class": "dataset",
            "label": "KTK",
            "dimension": dimension,
            "value": values,
        }
    }


def test_sample_sizes_are_asked_for_and_read(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    from hyte_assets.lib.jsonstat import decode_thl_cube
    from hyte_assets.lib.thl_cube import respondents

    httpserver.expect_request(KTK_FACT).respond_with_json(ktk_answer())
    data = client.cube("ktk", "ktk1", "ktk1", row=["koulutusaste-89.lukio"], n=True, ci=True)
    sent = httpserver.log[0][0]
    assert "n" in sent.args and "ci" in sent.args
    frame = decode_thl_cube(data)
    found = respondents(
        frame, {"region": "area", "year": "year", "school_level": "koulutusaste", "gender": "sukupuoli"}
    )
    assert found.to_dict("records") == [
        {
            "region": "Heinola",
            "year": "2025",
            "school_level": "8. ja 9. lk",
            "gender": "Tytöt",
            "sample_size": 152.0,
        },
        {
            "region": "Heinola",
            "year": "2025",
            "school_level": "8. ja 9. lk",
            "gender": "Pojat",
            "sample_size": 148.0,
        },
    ]  # lukio has no n: left out, never filled in


def test_without_the_n_flag_there_is_no_sample_size(httpserver: HTTPServer, client: ThlCubeClient) -> None:
    from hyte_assets.lib.jsonstat import decode_thl_cube
    from hyte_assets.lib.thl_cube import respondents

    plain = ktk_answer()
    plain["dataset"]["dimension"]["id"] = ["area", "year", "koulutusaste", "sukupuoli"]
    plain["dataset"]["dimension"]["size"] = [1, 1, 2, 2]
    del plain["dataset"]["dimension"]["tiku_vtype"]
    plain["dataset"]["value"] = {"0": "21.4", "1": "17.0"}
    httpserver.expect_request(KTK_FACT).respond_with_json(plain)
    data = client.cube("ktk", "ktk1", "ktk1")
    assert "n" not in httpserver.log[0][0].args
    with pytest.raises(SourceError, match="no sample sizes"):
        respondents(decode_thl_cube(data), {"region": "area", "year": "year", "school_level": "koulutusaste"})


# ---- configured sample-size cubes (data/catalog/thl_cube_sample_sizes.csv) ----

CONFIG_ROW = {
    "measure_id": "ktk_x",
    "school_level": "8.-9. lk",
    "subject": "ktk",
    "hydra": "ktk1",
    "cube": "ktk1",
    "row": "koulutusaste-89.lukio|sukupuoli-t.p",
    "column": "",
    "filter": "area-111",
    "region_dim": "area",
    "year_dim": "year",
    "gender_dim": "sukupuoli",
    "school_level_dim": "koulutusaste",
    "school_level_label": "8. ja 9. lk",
    "evidence": "hand-made",
}


def write_config(path: Path, *rows: dict[str, str]) -> Path:
    import csv

    from hyte_assets.lib.thl_cube import SAMPLE_SIZE_CONFIG_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, SAMPLE_SIZE_CONFIG_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read(path: Path) -> list[Any]:
    from hyte_assets.lib.catalog import SCHOOL_LEVELS
    from hyte_assets.lib.thl_cube import read_sample_size_config

    return read_sample_size_config(path, measures={"ktk_x"}, school_levels=SCHOOL_LEVELS)


def test_the_shipped_configuration_is_empty_and_a_row_is_read(tmp_path: Path) -> None:
    from hyte_assets.defs.resources import DATA_DIR

    assert read(DATA_DIR / "catalog" / "thl_cube_sample_sizes.csv") == []  # no unverified id shipped
    assert read(tmp_path / "absent.csv") == []
    [spec] = read(write_config(tmp_path / "c.csv", CONFIG_ROW))
    assert spec.row == ("koulutusaste-89.lukio", "sukupuoli-t.p") and spec.column == ()
    assert spec.path == "ktk/ktk1/ktk1"


@pytest.mark.parametrize(
    ("change", "column", "problem"),
    [
        ({"measure_id": "tyottomyysaste"}, "measure_id", "no school-survey measure"),
        ({"school_level": "yläkoulu"}, "school_level", "is not one of"),
        ({"evidence": ""}, "evidence", "where the cube id"),
        ({"cube": "../x"}, "cube", "plain path segment"),
        ({"school_level_label": ""}, "school_level_label", "both"),
    ],
)
def test_a_bad_configuration_row_names_file_row_and_column(
    tmp_path: Path, change: dict[str, str], column: str, problem: str
) -> None:
    path = write_config(tmp_path / "c.csv", CONFIG_ROW, {**CONFIG_ROW, **change})
    with pytest.raises(SourceError, match=problem) as err:
        read(path)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 3, column)


def heinola() -> dict[str, tuple[str, str]]:
    return {"heinola": ("111", "kunta")}


def test_fetch_sample_sizes_maps_region_level_and_gender(
    httpserver: HTTPServer, client: ThlCubeClient, tmp_path: Path
) -> None:
    from hyte_assets.lib.thl_cube import fetch_sample_sizes

    httpserver.expect_request(KTK_FACT).respond_with_json(ktk_answer())
    [spec] = read(write_config(tmp_path / "c.csv", CONFIG_ROW))
    found = fetch_sample_sizes(client, spec, heinola())
    columns = ["school_level", "region_code", "region_level", "year", "gender", "sample_size"]
    assert found[columns].to_dict("records") == [
        dict(zip(columns, ("8.-9. lk", "111", "kunta", 2025, "female", 152.0), strict=True)),
        dict(zip(columns, ("8.-9. lk", "111", "kunta", 2025, "male", 148.0), strict=True)),
    ]
    assert fetch_sample_sizes(client, spec, {"lahti": ("398", "kunta")}).empty  # other regions left out


def test_unknown_gender_labels_are_named(
    httpserver: HTTPServer, client: ThlCubeClient, tmp_path: Path
) -> None:
    from hyte_assets.lib.thl_cube import fetch_sample_sizes

    answer = ktk_answer()
    answer["dataset"]["dimension"]["sukupuoli"]["category"]["label"] = {"t": "T", "p": "P"}
    httpserver.expect_request(KTK_FACT).respond_with_json(answer)
    [spec] = read(write_config(tmp_path / "c.csv", CONFIG_ROW))
    with pytest.raises(SourceError, match=r"unknown gender labels \['P', 'T'\]"):
        fetch_sample_sizes(client, spec, heinola())


def test_a_silent_cube_is_a_source_error(tmp_path: Path, make_http: Callable[..., RetryingHttp]) -> None:
    from hyte_assets.lib.thl_cube import fetch_sample_sizes
    from hyte_assets_tests.stub_servers import StubServer

    (tmp_path / "ktk" / "ktk1").mkdir(parents=True)
    (tmp_path / "ktk" / "ktk1" / "fact_ktk1.json").write_text(json.dumps(ktk_answer()), "utf-8")
    [spec] = read(write_config(tmp_path / "c.csv", CONFIG_ROW))
    with StubServer("thl_cube", tmp_path, latency_s=3.0) as silent:
        slow = ThlCubeClient(silent.url, transport=make_http(timeout=(1.0, 0.2), max_retries=0))
        with pytest.raises(SourceError, match="ReadTimeout|deadline"):
            fetch_sample_sizes(slow, spec, heinola())
