"""Every kind of bad source input is caught, with a message naming the source and the problem.

The catalogue runs the real source assets in snapshot mode on a private copy of data/ with one
snapshot file corrupted, so the real parsers, the write guard and the GE asset checks all take
part. Rule-level details (types, calendars, outliers, the quarantine cap) are tested by calling
the validation functions directly.
"""

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from hyte_assets.defs.checks.quarantine import guard
from hyte_assets.defs.checks.suites import (
    EMPLOYMENT_CODES,
    SUITES_BY_TABLE,
    Calendar,
    annual,
    monthly,
    odd_years,
)
from hyte_assets.defs.checks.validation import Context, prepare, row_reasons, stored_form, validate_blocking
from hyte_assets.defs.resources import DATA_DIR, PipelineSettings
from hyte_assets.lib.errors import SourceError
from hyte_assets.lib.pxweb import EMPLOYMENT_CODES as QUERIED_CODES
from hyte_assets.lib.warehouse import read_table, table_exists
from hyte_assets_tests.conftest import copy_data, definitions, point_env_at, run_job, warehouse_path
from hyte_assets_tests.conftest import step_failures as failure_text

# Every source asset that does not need the monthly backfill, in dependency order.
SOURCE_ASSETS = [
    "catalog/measures",
    "meta/settings",
    "raw/sotkanet_regions",
    "raw/sotkanet_indicators",
    "raw/sotkanet_indicator_resolution",
    "raw/sotkanet_values",
    "raw/kouluterveyskysely_values",
    "raw/statfin_values",
    "raw/population",
    "raw/teaviisari_values",
    "raw/hyte_process_answers",
    "raw/hyte_outcome_values",
    "raw/local_counts",
]
HEINOLA_SOTKANET_ID = 44  # Heinola's region id in the recorded /regions snapshot
NEXT_YEAR = dt.date.today().year + 1


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """data/ with every source loaded once; each test starts from a copy of it."""
    data_dir = copy_data(tmp_path_factory.mktemp("loaded") / "data")
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_env_at(monkeypatch, data_dir)
        result = run_job(assets=SOURCE_ASSETS)
        assert result.success, failure_text(result)
        yield data_dir


@pytest.fixture
def data(loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(loaded, copy)
    point_env_at(monkeypatch, copy)
    return copy


def table(name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return read_table(con, name) if table_exists(con, name) else pd.DataFrame()


def check(result: dg.ExecuteInProcessResult, asset: str, name: str) -> dg.AssetCheckEvaluation:
    (found,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey.from_user_string(asset) and e.check_name == name
    ]
    return found


# --- corruptions of the recorded responses -------------------------------------------------------


def edit_json(path: Path, change: Callable[[object], object]) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")


def sotkanet_rows(data: Path) -> Path:
    return data / "snapshots" / "sotkanet" / "json" / "3219.json"


def every_sotkanet_rows(data: Path) -> list[Path]:
    """All indicators' data files: one broken indicator keeps its old rows while the others load,
    so a corruption that must fail the asset has to hit every indicator."""
    return sorted((data / "snapshots" / "sotkanet" / "json").glob("*.json"))


def set_heinola_value(rows: list[dict], value: float) -> list[dict]:
    heinola = [r for r in rows if r["region"] == HEINOLA_SOTKANET_ID and r["gender"] == "total"]
    heinola[-1]["value"] = value
    return rows


def tea_scores(data: Path) -> Path:
    return data / "snapshots" / "teaviisari" / "sector_scores.csv"


def statfin_cube(data: Path) -> Path:
    return data / "snapshots" / "statfin" / "tjt__14ww.data.json"


def truncate(path: Path) -> None:
    body = path.read_bytes()
    path.write_bytes(body[: len(body) // 2])


def drop_heinola_scores(data: Path) -> None:
    scores = pd.read_csv(tea_scores(data), dtype=str)
    scores[scores["municipality_code"] != "111"].to_csv(tea_scores(data), index=False)


@dataclass(frozen=True)
class BadInput:
    """A corruption, the asset that reads it, and what the failure message must say."""

    corrupt: Callable[[Path], None]
    asset: str
    table: str
    message: tuple[str, ...]


BAD_INPUTS = {
    "html_error_page_with_status_200": BadInput(
        lambda d: [
            f.write_text("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")
            for f in every_sotkanet_rows(d)
        ],
        "raw/sotkanet_values",
        "raw.sotkanet_values",
        ("source=sotkanet", "indicator 3219", "expected JSON, got HTML error page", "502 Bad Gateway"),
    ),
    "truncated_json": BadInput(
        lambda d: truncate(statfin_cube(d)),
        "raw/statfin_values",
        "raw.statfin_values",
        ("source=statfin", "tjt__14ww.data.json", "truncated JSON"),
    ),
    "renamed_field": BadInput(
        lambda d: [
            edit_json(
                f, lambda rows: [{"arvo" if k == "value" else k: v for k, v in r.items()} for r in rows]
            )
            for f in every_sotkanet_rows(d)
        ],
        "raw/sotkanet_values",
        "raw.sotkanet_values",
        ("source=sotkanet", "indicator 3219", "missing key 'value' in data row"),
    ),
    "duplicate_rows": BadInput(
        lambda d: edit_json(
            sotkanet_rows(d),
            lambda rows: (
                rows
                + [
                    r
                    for r in rows
                    if r["region"] == HEINOLA_SOTKANET_ID and r["year"] >= 2020 and r["gender"] == "total"
                ][:5]
            ),
        ),
        "raw/sotkanet_values",
        "raw.sotkanet_values",
        (
            "source=sotkanet",
            "raw.sotkanet_values failed validation",
            "one row per key (measure_id,",
            "10 unexpected",
        ),
    ),
    "missing_region": BadInput(
        drop_heinola_scores,
        "raw/teaviisari_values",
        "raw.teaviisari_values",
        ("source=teaviisari", "every expected region has rows", "missing kunta:111"),
    ),
    "empty_body": BadInput(
        lambda d: [f.write_bytes(b"") for f in every_sotkanet_rows(d)],
        "raw/sotkanet_values",
        "raw.sotkanet_values",
        ("source=sotkanet", "indicator 3219", "expected JSON, got an empty body"),
    ),
    "csv_in_wrong_encoding": BadInput(
        lambda d: tea_scores(d).write_bytes(tea_scores(d).read_text(encoding="utf-8").encode("utf-16")),
        "raw/teaviisari_values",
        "raw.teaviisari_values",
        ("source=teaviisari", "sector_scores.csv", "not a UTF-8 CSV file"),
    ),
    "jsonstat2_with_wrong_dimension_sizes": BadInput(
        lambda d: edit_json(
            statfin_cube(d), lambda cube: {**cube, "size": [cube["size"][0] + 1, *cube["size"][1:]]}
        ),
        "raw/statfin_values",
        "raw.statfin_values",
        ("source=statfin", "table tjt/14ww", "categories but 'size' gives 13"),
    ),
}


def test_an_indicator_that_answers_nothing_keeps_its_previous_rows(data: Path) -> None:
    """Issue 18 #3: an indicator that did not load this run (here: an empty answer) keeps its previous
    rows, with the reason in the metadata, while the others load; the table is never emptied."""
    before = table("raw.sotkanet_values")
    sotkanet_rows(data).write_text("[]")

    result = run_job(assets=["raw/sotkanet_values"])

    assert result.success
    after = table("raw.sotkanet_values")
    key = ["region_code", "period", "group_value"]
    kept = after[after["indicator_id"] == 3219].sort_values(key).reset_index(drop=True)
    old = before[before["indicator_id"] == 3219].sort_values(key).reset_index(drop=True)
    assert len(old) and kept[[*key, "value"]].equals(old[[*key, "value"]])
    [event] = result.get_asset_materialization_events()
    assert "3219" in event.materialization.metadata["indicators_not_loaded"].value


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_fails_the_source_and_keeps_its_table(data: Path, case: str) -> None:
    bad = BAD_INPUTS[case]
    before = table(bad.table)
    bad.corrupt(data)

    result = run_job(assets=[bad.asset])

    assert not result.success
    message = failure_text(result)
    for fragment in bad.message:
        assert fragment in message
    pd.testing.assert_frame_equal(table(bad.table), before)
    assert not result.get_asset_materialization_events()  # nothing downstream sees a new version


def test_local_delivery_in_wrong_encoding_is_rejected_with_file_named(data: Path) -> None:
    delivery = next((data / "local" / "demo").glob("laskennat_*.csv"))
    name = f"demo/{delivery.name}"  # named relative to data/local
    delivery.write_bytes(delivery.read_text(encoding="utf-8-sig").encode("utf-16"))

    result = run_job(assets=["raw/local_counts"])

    rejected = table("raw.local_rejections")
    assert rejected["file"].tolist() == [name]
    assert "looks like UTF-16" in rejected["problem"].iloc[0]
    accepted = check(result, "raw/local_rejections", "local_deliveries_accepted")
    assert not accepted.passed and name in accepted.metadata["details"].value
    # The rows this file delivered last time stay, so the reports keep them.
    assert (table("raw.local_counts")["source_file"] == name).sum() > 0


@dataclass(frozen=True)
class BadRow:
    """A row-level fault that is quarantined while the rest of the batch loads."""

    corrupt: Callable[[Path], None]
    asset: str
    table: str
    reason: str
    replaces_good_row: bool = True  # False when the bad row is an extra one


def add_future_tea_row(data: Path) -> None:
    scores = pd.read_csv(tea_scores(data), dtype=str)
    extra = scores[scores["municipality_code"] == "111"].tail(1).assign(year=str(NEXT_YEAR))
    pd.concat([scores, extra]).to_csv(tea_scores(data), index=False)


def negative_population(data: Path) -> None:
    # KU016 (Asikkala) in 2015: areas are the first dimension, then the years, 1 content code each.
    def change(cube: dict) -> dict:
        area = cube["dimension"][cube["id"][0]]["category"]["index"]["KU016"]
        years = cube["dimension"][cube["id"][1]]["category"]["index"]
        assert years["2015"] == 0
        cube["value"][area * len(years)] = -5
        return cube

    edit_json(data / "snapshots" / "statfin" / "vaerak__11re.data.json", change)


BAD_ROWS = {
    "percentage_of_140": BadRow(
        lambda d: edit_json(sotkanet_rows(d), lambda rows: set_heinola_value(rows, 140.0)),
        "raw/sotkanet_values",
        "raw.sotkanet_values",
        "percent value 140.0 outside 0–100",
    ),
    "negative_count": BadRow(
        negative_population, "raw/population", "raw.population", "count value -5.0 is negative"
    ),
    "year_in_the_future": BadRow(
        add_future_tea_row,
        "raw/teaviisari_values",
        "raw.teaviisari_values",
        f"year is in the future (after {NEXT_YEAR - 1})",
        replaces_good_row=False,
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_bad_row_is_quarantined_and_the_rest_loads(data: Path, case: str) -> None:
    bad = BAD_ROWS[case]
    before = table(bad.table)
    bad.corrupt(data)

    result = run_job(assets=[bad.asset])

    assert result.success, failure_text(result)
    held = table("quarantine." + bad.table.partition(".")[2])
    assert held["reason"].tolist() == [bad.reason]
    assert len(table(bad.table)) == len(before) - bad.replaces_good_row
    assert check(result, bad.asset, "ge_valid").passed
    warning = check(result, bad.asset, "ge_quarantine")
    assert not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN
    assert warning.metadata["quarantined_rows"].value == 1
    assert bad.reason in warning.metadata["offending_rows"].value


def test_failing_blocking_check_stops_downstream(data: Path) -> None:
    """A stored table that breaks a blocking rule (here written around the guard) fails `ge_valid`
    with the rule and rows named, and the staging model that reads it does not run."""
    staging = dg.AssetKey(["staging", "stg_teaviisari"])
    job = dg.define_asset_job(
        "teaviisari_check_and_staging",
        selection=dg.AssetSelection.checks_for_assets("raw/teaviisari_values")
        | dg.AssetSelection.assets(staging),
    )

    def run() -> dg.ExecuteInProcessResult:
        return (
            dg.Definitions.merge(definitions(), dg.Definitions(jobs=[job]))
            .resolve_job_def(job.name)
            .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        )

    clean = run()
    assert check(clean, "raw/teaviisari_values", "ge_valid").passed
    assert [e.asset_key for e in clean.get_asset_materialization_events()] == [staging]
    with duckdb.connect(str(warehouse_path())) as con:
        scores = read_table(con, "raw.teaviisari_values")
        con.execute("insert into raw.teaviisari_values select * from scores limit 2")

    result = run()

    valid = check(result, "raw/teaviisari_values", "ge_valid")
    assert not valid.passed and valid.severity == dg.AssetCheckSeverity.ERROR
    assert "one row per key (sector, region_level, region_code, period): 4 unexpected" in (
        valid.metadata["failed_expectations"].value
    )
    assert valid.metadata["offending_rows"].value.count(str(scores["region_code"].iloc[0])) >= 2
    assert not result.get_asset_materialization_events()


# --- the rules themselves, called directly ----------------------------------------------------------


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


@pytest.fixture
def settings() -> PipelineSettings:
    return PipelineSettings(data_dir=str(DATA_DIR))


def outcome_rows(n_years: int = 8, **overrides: object) -> pd.DataFrame:
    """Population rows of Heinola with a steady trend."""
    rows = pd.DataFrame(
        {
            "municipality_code": "111",
            "year": range(2018, 2018 + n_years),
            "population": [20_000.0 - 150 * i for i in range(n_years)],
            "is_demo": False,
        }
    )
    return rows.assign(**overrides)


def test_wrong_column_type_names_the_column(
    con: duckdb.DuckDBPyConnection, settings: PipelineSettings
) -> None:
    suite = SUITES_BY_TABLE["raw.population"]
    ctx = Context.load(con, settings, today=dt.date(2026, 11, 30))
    stored, types = stored_form(con, outcome_rows().assign(year=lambda d: d["year"].astype(str)))

    verdict = validate_blocking(suite, ctx, prepare(suite, stored, ctx), types)

    assert not verdict.success
    assert any("['year', 'VARCHAR']" in p for p in verdict.problems())


def test_too_many_bad_rows_reject_the_batch(
    con: duckdb.DuckDBPyConnection, settings: PipelineSettings
) -> None:
    rows = outcome_rows(n_years=8)
    rows.loc[:1, "population"] = -1.0  # 2 of 8 rows: more than the 5 % that may be quarantined

    with pytest.raises(SourceError) as caught:
        guard(con, settings, {"raw.population": rows}, today=dt.date(2026, 11, 30))

    assert caught.value.source == "statfin"
    assert "2 of 8 rows break row-level rules" in str(caught.value)
    assert "counts and rates are not negative" in str(caught.value)


def test_outlier_is_flagged_and_ordinary_noise_is_not(
    con: duckdb.DuckDBPyConnection, settings: PipelineSettings
) -> None:
    suite = SUITES_BY_TABLE["raw.population"]
    ctx = Context.load(con, settings, today=dt.date(2026, 11, 30))
    noisy = outcome_rows(n_years=9)
    noisy["population"] += [0, 40, -30, 20, 0, -40, 30, 10, 0]
    jumped = noisy.copy()
    jumped.loc[6:, "population"] += 5_000  # from 2024 on: a jump far outside the ±~100 changes

    assert not prepare(suite, noisy, ctx)["yoy_outlier"].any()
    flagged = prepare(suite, jumped, ctx)
    assert flagged.loc[flagged["yoy_outlier"], "year"].tolist() == [2024]


def test_row_reasons_name_each_rule(con: duckdb.DuckDBPyConnection, settings: PipelineSettings) -> None:
    suite = SUITES_BY_TABLE["raw.teaviisari_values"]
    ctx = Context.load(con, settings, today=dt.date(2026, 11, 30))
    rows = pd.DataFrame(
        {
            "sector": "liikunta",
            "region_code": "111",
            "region_level": "kunta",
            "year": [2025, 2027],
            "value": [101.0, 50.0],
        }
    )

    assert row_reasons(suite, prepare(suite, rows, ctx), ctx).tolist() == [
        "score_0_100 value 101.0 outside 0–100",
        "year is in the future (after 2026)",
    ]


@pytest.mark.parametrize(
    ("calendar", "today", "expected"),
    [
        (monthly(2, "monthly"), dt.date(2026, 11, 30), 202609),
        (monthly(2, "monthly"), dt.date(2026, 1, 15), 202511),
        (annual(2, "annual"), dt.date(2026, 11, 30), 2024),
        (odd_years(10, "survey"), dt.date(2026, 11, 30), 2025),
        (odd_years(10, "survey"), dt.date(2025, 9, 30), 2023),
        (odd_years(10, "survey"), dt.date(2025, 10, 1), 2025),
    ],
)
def test_publication_calendars(calendar: Calendar, today: dt.date, expected: int) -> None:
    assert calendar.expected(today) == expected


def test_employment_units_cover_every_queried_code() -> None:
    assert set(QUERIED_CODES) == set(EMPLOYMENT_CODES)
