"""Tests for the JSON-stat 2.0 and THL cube decoders."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.jsonstat import decode_jsonstat2, decode_thl_cube

URL = "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin/tyonv/12r5.px"
CONTENTS = ["TYOTOSUUS", "TYOTTOMAT25", "PITKAAIKAISTYOTTOMAT", "TYOTTOMATLOPUSSA"]


def statfin_12r5() -> dict:
    """A trimmed 12r5 json-stat2 response: Alue × timeperiod_m × contentscode (2 × 2 × 4 cells).

    Real values (reference notes §6, OskarWestmeijer/maps 2026M06 export): KU111 2026M06 TYOTOSUUS
    15.4, TYOTTOMAT25 128, PITKAAIKAISTYOTTOMAT 534, TYOTTOMATLOPUSSA 1125; SSS 2026M06 TYOTOSUUS 12.8.
    Every other number is an invented placeholder for shape only. SSS 2026M06 TYOTTOMAT25 is
    suppressed (status "..", value null) to test that it stays missing.
    """
    ku111_2026m05 = [15.1, 131, 529, 1110]  # placeholders
    ku111_2026m06 = [15.4, 128, 534, 1125]  # real
    sss_2026m05 = [12.6, 20000, 70000, 300000]  # placeholders
    sss_2026m06 = [12.8, None, 70500, 301000]  # 12.8 real; TYOTTOMAT25 suppressed; rest placeholders
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Työnhakijat ja työttömät työnhakijat kuukauden lopussa",
        "source": "Tilastokeskus, työnvälitystilasto",
        "updated": "2026-07-22T05:00:00Z",
        "id": ["Alue", "timeperiod_m", "contentscode"],
        "size": [2, 2, 4],
        "role": {"time": ["timeperiod_m"], "metric": ["contentscode"], "geo": ["Alue"]},
        "dimension": {
            "Alue": {
                "label": "Alue",
                "category": {
                    "index": {"KU111": 0, "SSS": 1},
                    "label": {"KU111": "Heinola", "SSS": "KOKO MAA"},
                },
            },
            "timeperiod_m": {
                "label": "Kuukausi",
                "category": {
                    "index": {"2026M05": 0, "2026M06": 1},
                    "label": {"2026M05": "2026M05", "2026M06": "2026M06"},
                },
            },
            "contentscode": {
                "label": "Tiedot",
                "category": {
                    "index": {code: position for position, code in enumerate(CONTENTS)},
                    "label": {
                        "TYOTOSUUS": "Työttömien osuus työvoimasta, %",
                        "TYOTTOMAT25": "Alle 25-vuotiaat työttömät",
                        "PITKAAIKAISTYOTTOMAT": "Pitkäaikaistyöttömät",
                        "TYOTTOMATLOPUSSA": "Työttömät työnhakijat laskentapäivänä",
                    },
                    "unit": {"TYOTOSUUS": {"base": "%", "decimals": 1}},
                },
            },
        },
        # row-major, contentscode fastest: flat index = Alue * 8 + timeperiod_m * 4 + contentscode
        "value": ku111_2026m05 + ku111_2026m06 + sss_2026m05 + sss_2026m06,
        "status": {"13": ".."},
        "extension": {"px": {"tableid": "12r5", "decimals": 1}},
    }


def cell(frame: pd.DataFrame, **keys: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, code in keys.items():
        mask &= frame[column] == code
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


def test_decodes_real_12r5_values_and_keeps_suppressed_cell_missing() -> None:
    frame = decode_jsonstat2(statfin_12r5(), source="statfin", url=URL, item="12r5")

    assert len(frame) == 16
    assert list(frame.columns) == [
        "Alue",
        "Alue__label",
        "timeperiod_m",
        "timeperiod_m__label",
        "contentscode",
        "contentscode__label",
        "value",
        "status",
    ]
    heinola = {"Alue": "KU111", "timeperiod_m": "2026M06"}
    assert cell(frame, **heinola, contentscode="TYOTOSUUS")["value"] == 15.4
    assert cell(frame, **heinola, contentscode="TYOTTOMAT25")["value"] == 128
    assert cell(frame, **heinola, contentscode="PITKAAIKAISTYOTTOMAT")["value"] == 534
    assert cell(frame, **heinola, contentscode="TYOTTOMATLOPUSSA")["value"] == 1125
    assert cell(frame, Alue="SSS", timeperiod_m="2026M06", contentscode="TYOTOSUUS")["value"] == 12.8
    assert cell(frame, **heinola, contentscode="TYOTOSUUS")["Alue__label"] == "Heinola"

    suppressed = cell(frame, Alue="SSS", timeperiod_m="2026M06", contentscode="TYOTTOMAT25")
    assert math.isnan(suppressed["value"])
    assert suppressed["status"] == ".."
    assert frame["value"].isna().sum() == 1
    assert (frame["value"] == 0).sum() == 0
    assert frame["status"].notna().sum() == 1
    assert frame["value"].dtype == "float64"


def test_keeps_roles_updated_and_units_in_attrs() -> None:
    frame = decode_jsonstat2(statfin_12r5(), source="statfin")

    assert frame.attrs["roles"] == {"time": ["timeperiod_m"], "geo": ["Alue"], "metric": ["contentscode"]}
    assert frame.attrs["updated"] == "2026-07-22T05:00:00Z"
    assert frame.attrs["dimensions"] == ["Alue", "timeperiod_m", "contentscode"]
    assert frame.attrs["units"]["TYOTOSUUS"] == {"base": "%", "decimals": 1}


def test_index_as_list_decodes_like_index_as_dict() -> None:
    as_list = statfin_12r5()
    for dimension in as_list["dimension"].values():
        index = dimension["category"]["index"]
        dimension["category"]["index"] = sorted(index, key=index.get)

    expected = decode_jsonstat2(statfin_12r5(), source="statfin")
    pd.testing.assert_frame_equal(decode_jsonstat2(as_list, source="statfin"), expected)


def test_dict_index_is_ordered_by_position_not_by_key_order() -> None:
    payload = statfin_12r5()
    payload["dimension"]["Alue"]["category"]["index"] = {"SSS": 1, "KU111": 0}

    frame = decode_jsonstat2(payload, source="statfin")
    assert cell(frame, Alue="KU111", timeperiod_m="2026M06", contentscode="TYOTOSUUS")["value"] == 15.4


def test_sparse_value_dict_leaves_absent_cells_missing() -> None:
    payload = statfin_12r5()
    payload["value"] = {"4": 15.4, "7": 1125, "12": 12.8, "0": 0}
    payload["status"] = {"5": ".."}

    frame = decode_jsonstat2(payload, source="statfin")

    assert len(frame) == 16
    assert frame["value"].notna().sum() == 4
    assert cell(frame, Alue="KU111", timeperiod_m="2026M05", contentscode="TYOTOSUUS")["value"] == 0
    tyottomat25 = cell(frame, Alue="KU111", timeperiod_m="2026M06", contentscode="TYOTTOMAT25")
    assert math.isnan(tyottomat25["value"])
    assert tyottomat25["status"] == ".."


def test_single_status_string_applies_to_every_cell() -> None:
    payload = statfin_12r5()
    payload["status"] = "p"

    assert set(decode_jsonstat2(payload, source="statfin")["status"]) == {"p"}


def test_wrong_dimension_size_names_dimension_and_both_sizes() -> None:
    payload = statfin_12r5()
    payload["size"] = [2, 3, 4]

    with pytest.raises(SourceError) as error:
        decode_jsonstat2(payload, source="statfin", url=URL, item="12r5")

    message = str(error.value)
    assert "dimension 'timeperiod_m' has 2 categories but 'size' gives 3" in message
    assert "source=statfin" in message and f"url={URL}" in message and "item=12r5" in message


def test_value_length_mismatch_gives_both_numbers() -> None:
    payload = statfin_12r5()
    payload["value"] = payload["value"][:-1]

    with pytest.raises(
        SourceError, match=r"'value' has 15 entries but the dimension sizes \[2, 2, 4\] give 16"
    ):
        decode_jsonstat2(payload, source="statfin")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p.update({"class": "collection"}), "'class' is 'collection', expected 'dataset'"),
        (lambda p: p.update({"size": [2, 2]}), "'id' lists 3 dimensions"),
        (
            lambda p: p["dimension"].pop("Alue"),
            "dimension 'Alue' is listed in 'id' but missing from 'dimension'",
        ),
        (lambda p: p.update({"value": {"16": 1.0}}), "sparse 'value' index 16 is out of range"),
        (lambda p: p.update({"value": {"x": 1.0}}), "sparse 'value' key 'x' is not an integer"),
        (lambda p: p.update({"status": {"-1": ".."}}), "sparse 'status' index -1 is out of range"),
        (lambda p: p["value"].__setitem__(3, "1 110"), "value at cell index 3 is '1 110'"),
        (
            lambda p: p["dimension"]["Alue"]["category"].update({"index": {"KU111": 0, "SSS": 2}}),
            "dimension 'Alue': category index positions [0, 2] are not 0..1",
        ),
    ],
)
def test_malformed_payloads_raise_precise_errors(change, expected: str) -> None:
    payload = copy.deepcopy(statfin_12r5())
    change(payload)

    with pytest.raises(SourceError) as error:
        decode_jsonstat2(payload, source="statfin", item="12r5")
    assert expected in str(error.value)


def thl_cube(values: dict[str, object], *, with_vtype: bool = False) -> dict:
    """A THL sampo cube response: id/size inside `dimension`, sparse values (shape per notes §8)."""
    dimension: dict = {
        "id": ["hcdmunicipality2020", "measure"],
        "size": [2, 2],
        "hcdmunicipality2020": {
            "category": {
                "index": {"445222": 0, "445170": 1},
                "label": {"445222": "Heinola", "445170": "Päijät-Hämeen hyvinvointialue"},
            }
        },
        "measure": {
            "category": {
                "index": {"444833": 0, "445356": 1},
                "label": {"444833": "Koettu terveys keskitasoa huonompi, %", "445356": "Yksinäisyys, %"},
            }
        },
    }
    if with_vtype:
        dimension["id"].append("tiku_vtype")
        dimension["size"].append(4)
        dimension["tiku_vtype"] = {
            "category": {
                "index": {"v": 0, "ci_lower": 1, "ci_upper": 2, "n": 3},
                "label": {"v": "arvo", "ci_lower": "alaraja", "ci_upper": "yläraja", "n": "n"},
            }
        }
    return {
        "dataset": {
            "version": "2.0",
            "class": "dataset",
            "label": "Test cube (invented values)",
            "updated": "2026-05-04",
            "dimension": dimension,
            "value": values,
        }
    }


def test_thl_cube_sparse_values_leave_omitted_cells_missing() -> None:
    frame = decode_thl_cube(thl_cube({"0": "24.5", "3": 11}), url="https://sampo.thl.fi/x.json", item="cube")

    assert len(frame) == 4
    assert list(frame["hcdmunicipality2020"]) == ["445222", "445222", "445170", "445170"]
    assert list(frame["measure"]) == ["444833", "445356", "444833", "445356"]
    assert frame["value"].iloc[0] == 24.5
    assert math.isnan(frame["value"].iloc[1]) and math.isnan(frame["value"].iloc[2])
    assert frame["value"].iloc[3] == 11
    assert frame["value_text"].isna().all()
    assert frame.attrs["updated"] == "2026-05-04"


def test_thl_cube_keeps_non_numeric_values_as_text() -> None:
    frame = decode_thl_cube(thl_cube({"0": "..", "1": "1.5e1", "2": "  "}))

    assert math.isnan(frame["value"].iloc[0])
    assert frame["value_text"].iloc[0] == ".."
    assert frame["value"].iloc[1] == 15.0
    assert math.isnan(frame["value"].iloc[2]) and frame["value_text"].iloc[2] is None


def test_thl_cube_pivots_tiku_vtype_into_columns() -> None:
    # flat index = municipality * 8 + measure * 4 + vtype (v, ci_lower, ci_upper, n)
    values = {"0": 24.5, "1": 21.0, "2": 28.1, "3": 412, "8": "19.9", "11": 6100, "12": 9.0}

    frame = decode_thl_cube(thl_cube(values, with_vtype=True))

    assert len(frame) == 4
    assert "tiku_vtype" not in frame.columns
    assert list(frame.columns)[-6:] == ["value", "ci_lower", "ci_upper", "n", "value_text", "status"]
    first = frame.iloc[0]
    assert (first["value"], first["ci_lower"], first["ci_upper"], first["n"]) == (24.5, 21.0, 28.1, 412)
    third = frame.iloc[2]
    assert third["hcdmunicipality2020"] == "445170" and third["measure"] == "444833"
    assert third["value"] == 19.9 and third["n"] == 6100
    assert math.isnan(third["ci_lower"]) and math.isnan(third["ci_upper"])
    fourth = frame.iloc[3]
    assert fourth["value"] == 9.0 and math.isnan(fourth["n"])
    assert frame.iloc[1][["value", "ci_lower", "ci_upper", "n"]].isna().all()
    assert frame.attrs["dimensions"] == ["hcdmunicipality2020", "measure"]


def test_thl_cube_without_dataset_wrapper_is_rejected() -> None:
    with pytest.raises(SourceError, match=r"source=thl_cube, item=cube\] no 'dataset' object"):
        decode_thl_cube(statfin_12r5(), item="cube")


def test_thl_cube_with_unknown_vtype_is_rejected() -> None:
    payload = thl_cube({}, with_vtype=True)
    payload["dataset"]["dimension"]["tiku_vtype"]["category"]["index"] = {
        "v": 0,
        "ci_lower": 1,
        "ci_upper": 2,
        "x": 3,
    }

    with pytest.raises(SourceError, match=r"unknown value types \['x'\]"):
        decode_thl_cube(payload)
