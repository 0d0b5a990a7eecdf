"""Issue 18, fault 1 and the settings part of fault 10 (settings errors surfaced as many step
errors): `lib/preflight.py` normalises and checks the settings once, with one message naming the
variable, and `make run` stops before anything runs. What reaches `meta.settings` is tested in
test_settings_in_warehouse.py."""

from pathlib import Path

import pytest

from hyte_assets import refresh
from hyte_assets.lib import preflight


def values(data_dir: Path, **changes: str) -> dict[str, str]:
    base = {
        **refresh.DEFAULTS,
        "HYTE_DATA_DIR": str(data_dir),
        "HYTE_DUCKDB_PATH": str(data_dir / "w.duckdb"),
    }
    return {**base, **changes}


@pytest.mark.parametrize(("raw", "code", "name"), [("98", "098", "Hollola"), (" 111 ", "111", "Heinola")])
def test_municipality_code_is_zero_padded_and_named(
    project_copy: Path, raw: str, code: str, name: str
) -> None:
    checked = preflight.check(values(project_copy, HYTE_MUNICIPALITY_CODE=raw))
    assert (checked.municipality_code, checked.municipality_name) == (code, name)


@pytest.mark.parametrize(
    ("variable", "raw", "says"),
    [
        ("HYTE_MUNICIPALITY_CODE", "abc", "not 1–3 digits"),
        ("HYTE_MUNICIPALITY_CODE", "999", "no municipality with code '999'"),
        ("HYTE_PAYMENT_YEAR", "abc", "not a whole number"),
        ("HYTE_PAYMENT_YEAR", "1999", "outside 2023"),
        ("HYTE_SOURCE_MODE", "lvie", "expected one of snapshot, live"),
        ("HYTE_ASSUMPTION_SET", "nosuch", "no such set"),
        ("HYTE_DATA_DIR", "/nonexistent/data", "not a folder"),
    ],
)
def test_a_bad_setting_is_one_message_naming_the_variable(
    project_copy: Path, variable: str, raw: str, says: str
) -> None:
    with pytest.raises(preflight.PreflightError) as caught:
        preflight.check(values(project_copy, **{variable: raw}))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{variable}={raw!r}: ")
    assert says in caught.value.problems[0]


def test_duckdb_path_that_is_a_folder_is_named(project_copy: Path) -> None:
    with pytest.raises(preflight.PreflightError, match=r"HYTE_DUCKDB_PATH=.*is a folder"):
        preflight.check(values(project_copy, HYTE_DUCKDB_PATH=str(project_copy)))


def test_make_run_stops_on_bad_settings_with_exit_2(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`HYTE_PAYMENT_YEAR=abc` used to break the code location; now `make run` says so and stops."""
    monkeypatch.setenv("HYTE_PAYMENT_YEAR", "abc")
    monkeypatch.setenv("HYTE_MUNICIPALITY_CODE", "12x")
    assert refresh.main() == refresh.EXIT_SETTINGS
    err = capsys.readouterr().err
    assert "HYTE_PAYMENT_YEAR='abc': not a whole number" in err
    assert "HYTE_MUNICIPALITY_CODE='12x'" in err
    assert not (project_copy / "warehouse" / "hyte.duckdb").exists()
