"""Tests for the Great Expectations 1.x adapter: verdicts, failure details and offending rows."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from hyte_assets.lib.ge_adapter import VIOLATES_COLUMN, Expectation, validate, validate_groups

KEY = ["measure_id", "region_code", "year"]


def frame(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "measure_id": ["m1", "m1", "m2"],
        "region_code": ["111", "111", "111"],
        "year": [2023, 2024, 2024],
        "value": [12.5, 40.0, 99.0],
        "region_level": ["kunta", "kunta", "kunta"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


PERCENT = Expectation(
    "expect_column_values_to_be_between",
    {"column": "value", "min_value": 0, "max_value": 100},
    "percentages are within 0–100",
)
NOT_NULL = Expectation("expect_column_values_to_not_be_null", {"column": "value"}, "values are present")
LEVELS = Expectation(
    "expect_column_values_to_be_in_set",
    {"column": "region_level", "value_set": ["kunta", "maakunta", "hyvinvointialue", "koko_maa"]},
    "region levels are known",
)
UNIQUE_KEY = Expectation("expect_compound_columns_to_be_unique", {"column_list": KEY}, "one row per key")
HAS_ROWS = Expectation("expect_table_row_count_to_be_between", {"min_value": 1}, "the table has rows")
ALL = [
    Expectation("expect_column_to_exist", {"column": "value"}, "value column exists"),
    NOT_NULL,
    PERCENT,
    LEVELS,
    UNIQUE_KEY,
    Expectation("expect_column_values_to_be_of_type", {"column": "year", "type_": "int64"}, "year is int64"),
    Expectation(
        "expect_column_values_to_be_in_type_list",
        {"column": "value", "type_list": ["float64"]},
        "value is float",
    ),
    Expectation("expect_column_values_to_be_unique", {"column": "value"}, "values differ"),
    HAS_ROWS,
]


@pytest.mark.slow  # the first great_expectations import and context
def test_clean_frame_passes_every_expectation() -> None:
    outcome = validate(frame(), "clean", ALL)

    assert outcome.success and outcome.warnings_passed
    assert outcome.evaluated == len(ALL)
    assert outcome.failed == []
    assert outcome.offending_rows.empty
    assert [r["type"] for r in outcome.results] == [e.type for e in ALL]  # suite order, not GE's
    assert outcome.elapsed_s > 0


def test_percentage_out_of_range_is_caught_with_row() -> None:
    outcome = validate(frame(value=[12.5, 140.0, None]), "percent", [PERCENT])

    assert not outcome.success
    (failure,) = outcome.failed
    assert failure["type"] == "expect_column_values_to_be_between"
    assert failure["column"] == "value"
    assert failure["description"] == "percentages are within 0–100"
    assert failure["blocking"] is True
    assert failure["unexpected_count"] == 1
    assert failure["partial_unexpected_list"] == [140.0]
    # The null is not "outside the range"; only the 140 row is shown, with the rule it breaks.
    assert outcome.offending_rows.to_dict("records") == [
        {
            "measure_id": "m1",
            "region_code": "111",
            "year": 2024,
            "value": 140.0,
            "region_level": "kunta",
            VIOLATES_COLUMN: "percentages are within 0–100",
        }
    ]


def test_strict_bounds_exclude_the_bound() -> None:
    strictly_positive = Expectation(
        "expect_column_values_to_be_between",
        {"column": "value", "min_value": 0, "strict_min": True},
        "values are positive",
    )
    outcome = validate(frame(value=[0.0, 1.0, 2.0]), "strict", [strictly_positive])
    assert not outcome.success
    assert outcome.offending_rows["value"].tolist() == [0.0]


def test_nulls_are_caught() -> None:
    outcome = validate(frame(value=[None, 1.0, None]), "nulls", [NOT_NULL])

    assert not outcome.success
    assert outcome.failed[0]["unexpected_count"] == 2
    assert outcome.failed[0]["partial_unexpected_list"] == [None, None]  # NaN made JSON-safe
    assert outcome.offending_rows.index.tolist() == [0, 2]


def test_value_outside_set_is_caught() -> None:
    outcome = validate(frame(region_level=["kunta", "kunnat", None]), "levels", [LEVELS])

    assert not outcome.success
    assert outcome.failed[0]["partial_unexpected_list"] == ["kunnat"]
    assert outcome.offending_rows["region_level"].tolist() == ["kunnat"]


def test_duplicate_keys_are_caught_with_all_duplicated_rows() -> None:
    outcome = validate(frame(year=[2024, 2024, 2024], measure_id=["m1", "m1", "m2"]), "keys", [UNIQUE_KEY])

    assert not outcome.success
    assert outcome.failed[0]["column"] == "measure_id, region_code, year"
    assert outcome.failed[0]["unexpected_count"] == 2
    assert outcome.offending_rows.index.tolist() == [0, 1]


def test_duplicate_single_column_values_are_caught() -> None:
    unique = Expectation("expect_column_values_to_be_unique", {"column": "value"}, "values differ")
    outcome = validate(frame(value=[1.0, 2.0, 1.0]), "unique", [unique])
    assert not outcome.success
    assert outcome.offending_rows.index.tolist() == [0, 2]


def test_schema_expectations_fail_without_offending_rows() -> None:
    expectations = [
        Expectation("expect_column_to_exist", {"column": "abs_value"}, "abs_value column exists"),
        Expectation(
            "expect_column_values_to_be_of_type", {"column": "year", "type_": "int64"}, "year is int64"
        ),
        Expectation(
            "expect_column_values_to_be_in_type_list",
            {"column": "value", "type_list": ["float64"]},
            "value is float",
        ),
        Expectation("expect_column_values_to_not_be_null", {"column": "abs_value"}, "abs_value present"),
    ]
    outcome = validate(frame(year=[2023.0, 2024.0, 2024.0], value=["1", "2", "3"]), "schema", expectations)

    assert [f["type"] for f in outcome.failed] == [e.type for e in expectations]
    assert outcome.failed[1]["observed_value"] == "float64"  # typed column: checked by dtype
    assert outcome.failed[2]["unexpected_count"] == 3  # object column: checked value by value
    assert 'column "abs_value"' in outcome.failed[3]["error"]
    assert outcome.offending_rows.empty


def test_failed_warning_keeps_success_but_is_listed() -> None:
    coverage = Expectation(
        "expect_column_values_to_not_be_null",
        {"column": "value", "mostly": 0.9},
        "at least 90 % of values are present",
        blocking=False,
    )
    outcome = validate(frame(value=[1.0, None, 3.0]), "warn", [PERCENT, coverage])

    assert outcome.success
    assert not outcome.warnings_passed
    assert [(f["description"], f["blocking"]) for f in outcome.failed] == [
        ("at least 90 % of values are present", False)
    ]
    assert outcome.offending_rows.index.tolist() == [1]


def test_mostly_tolerates_a_few_bad_values() -> None:
    lenient = Expectation(
        "expect_column_values_to_be_between",
        {"column": "value", "min_value": 0, "max_value": 100, "mostly": 0.5},
        "most percentages are within 0–100",
    )
    outcome = validate(frame(value=[1.0, 140.0, 3.0]), "mostly", [lenient])
    assert outcome.success and outcome.failed == [] and outcome.offending_rows.empty


@pytest.mark.parametrize(
    "empty",
    [frame().iloc[0:0], pd.DataFrame()],
    ids=["no rows", "no columns"],
)
def test_empty_frame_fails_clearly_on_row_count(empty: pd.DataFrame) -> None:
    outcome = validate(empty, "empty", [HAS_ROWS, PERCENT])

    assert not outcome.success
    row_count = next(f for f in outcome.failed if f["type"] == "expect_table_row_count_to_be_between")
    assert row_count["observed_value"] == 0
    assert (
        "❌ FAIL | expect_table_row_count_to_be_between |  | the table has rows | observed 0"
        in outcome.to_markdown()
    )


def test_offending_rows_are_capped() -> None:
    many = pd.DataFrame({"value": [200.0] * 25})
    outcome = validate(many, "many", [PERCENT])
    assert outcome.failed[0]["unexpected_count"] == 25
    assert len(outcome.offending_rows) == 10


def test_markdown_lists_every_expectation() -> None:
    warning = Expectation(
        "expect_column_values_to_not_be_null", {"column": "value"}, "values present", blocking=False
    )
    outcome = validate(frame(value=[140.0, None, 1.0]), "report", [PERCENT, warning, HAS_ROWS])
    markdown = outcome.to_markdown()

    assert markdown.startswith("**report**: 1/3 expectations passed; failed: 1 blocking, 1 warning-only")
    assert (
        "| ❌ FAIL | expect_column_values_to_be_between | value | percentages are within 0–100 |" in markdown
    )
    assert "| ⚠️ warn | expect_column_values_to_not_be_null | value | values present |" in markdown
    assert (
        "| ✅ pass | expect_table_row_count_to_be_between |  | the table has rows | observed 3 |" in markdown
    )


def test_groups_in_one_run_report_as_separate_validations_would() -> None:
    """Separate `validate` calls are the oracle: each group's verdict, failures, examples and
    offending rows are the same when the groups share one GE run."""
    bad = frame(value=[12.5, 140.0, None], region_level=["kunta", "kunta", "planet"])
    groups = {
        "ranges": [PERCENT, NOT_NULL],
        "levels": [LEVELS, Expectation(**{**LEVELS.__dict__, "blocking": False})],
        "keys": [UNIQUE_KEY, HAS_ROWS],
    }
    together = validate_groups(bad, groups)
    assert list(together) == list(groups)
    for name, expectations in groups.items():
        alone = validate(bad, name, expectations)
        shared = together[name]
        assert (shared.suite, shared.success, shared.warnings_passed, shared.evaluated) == (
            alone.suite,
            alone.success,
            alone.warnings_passed,
            alone.evaluated,
        )
        assert shared.results == alone.results
        pd.testing.assert_frame_equal(shared.offending_rows, alone.offending_rows)
    assert not together["ranges"].success and together["keys"].success
    assert [r["success"] for r in together["levels"].results] == [False, False]
    assert validate_groups(bad, {}) == {}


def test_repeated_calls_with_the_same_suite_name_do_not_clash() -> None:
    outcomes = [validate(frame(), "same", [PERCENT]) for _ in range(3)]
    assert all(o.success for o in outcomes)


def test_suite_mistakes_raise_value_error() -> None:
    with pytest.raises(ValueError, match="unknown expectation type 'expect_value_to_be_nice'"):
        validate(frame(), "bad", [Expectation("expect_value_to_be_nice", {}, "nice")])
    with pytest.raises(ValueError, match="suite bad: invalid expect_column_values_to_be_between"):
        validate(
            frame(), "bad", [Expectation("expect_column_values_to_be_between", {"colum": "value"}, "typo")]
        )


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, hyte_assets.lib.ge_adapter; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
