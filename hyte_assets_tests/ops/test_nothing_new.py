"""`make run` with nothing new launches no run (issue 19), and anything that could change the
output makes it run: a data file, the code, a setting, the date, a touched output, a run history
that lacks the last refresh's runs, live mode or HYTE_FORCE_REFRESH."""

import dataclasses
import datetime as dt
import os
from pathlib import Path

import dagster as dg
import pytest

from hyte_assets import refresh
from hyte_assets.lib import preflight, refresh_state
from hyte_assets.lib.warehouse import file_stamp

TODAY = dt.date(2026, 12, 2)


@dg.asset
def one() -> int:
    return 1


@pytest.fixture
def project(tmp_path: Path) -> tuple[preflight.Settings, dg.DagsterInstance]:
    """A data folder with inputs and outputs, settings for it, and an instance with one good run."""
    data = tmp_path / "data"
    for name, text in (
        ("catalog/measures.csv", "measure_id\nL1\n"),
        ("snapshots/sotkanet/3219.json", "[]"),
        ("warehouse/hyte.duckdb", "db"),
        ("warehouse/hyte_reports.duckdb", "served"),
        ("exports/hyte/scorecard.csv", "a,b\n"),
        ("reports/vuosiraportti_2026.html", "<html></html>"),
        ("cache/sotkanet/x.json", "{}"),
    ):
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(text, encoding="utf-8")
    settings = preflight.Settings(
        source_mode="snapshot",
        municipality_code="111",
        municipality_name="Heinola",
        region_scope="plan",
        data_dir=data,
        duckdb_path=data / "warehouse" / "hyte.duckdb",
        payment_year=2026,
        assumption_set="default",
    )
    return settings, dg.DagsterInstance.ephemeral()


def record_success(
    settings: preflight.Settings, instance: dg.DagsterInstance, environ: dict[str, str]
) -> None:
    run = dg.materialize([one], instance=instance)
    refresh_state.record(
        refresh_state.state_path(settings.duckdb_path),
        inputs(settings, environ),
        refresh_state.outputs_stamp(refresh.outputs(settings)),
        [run.dagster_run.run_id],
    )


def inputs(settings: preflight.Settings, environ: dict[str, str], today: dt.date = TODAY) -> dict[str, str]:
    return refresh_state.inputs_fingerprint(settings.data_dir, settings.duckdb_path, environ, today)


def verdict(
    settings: preflight.Settings,
    instance: dg.DagsterInstance,
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    today: dt.date = TODAY,
) -> str | None:
    monkeypatch.delenv(refresh_state.FORCE_VARIABLE, raising=False)
    return refresh.nothing_new(settings, instance, inputs(settings, environ, today))


def later(path: Path) -> None:
    """Rewrite a file with the same content and a later modification time."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_second_refresh_with_nothing_new_launches_no_run(project, monkeypatch, capsys) -> None:
    settings, instance = project
    environ = {"HYTE_SOURCE_MODE": "snapshot", "PATH": "/bin"}
    assert verdict(settings, instance, environ, monkeypatch) is None
    assert "no successful refresh recorded yet" in capsys.readouterr().err

    record_success(settings, instance, environ)
    message = verdict(
        settings, instance, {**environ, "PATH": "/usr/bin"}, monkeypatch
    )  # not a HYTE_ variable
    assert message is not None and "nothing new (exit 0)" in message and "no run launched" in message
    assert str(settings.duckdb_path.with_name("hyte_reports.duckdb").resolve()) in message
    later(settings.data_dir / "cache" / "sotkanet" / "x.json")  # the live HTTP cache is not an input
    assert verdict(settings, instance, environ, monkeypatch) is not None


def test_compiled_bytecode_is_not_code(tmp_path: Path) -> None:
    """Python writes __pycache__ during a run: a stamp that counted it would never match twice."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n")
    before = file_stamp([tmp_path / "pkg"])
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    assert file_stamp([tmp_path / "pkg"]) == before
    later(tmp_path / "pkg" / "m.py")
    assert file_stamp([tmp_path / "pkg"]) != before


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s, env: later(s.data_dir / "catalog" / "measures.csv"),
            "changed since the last refresh: data",
        ),
        (lambda s, env: (s.data_dir / "snapshots" / "new.csv").write_text("x"), "data"),
        (
            lambda s, env: env.update(HYTE_REGION_SCOPE="all_municipalities"),
            "changed since the last refresh: settings",
        ),
        (lambda s, env: later(s.duckdb_path), "the warehouse, serving file, exports or report changed"),
        (lambda s, env: (s.data_dir / "exports" / "hyte" / "scorecard.csv").unlink(), "exports or report"),
        (lambda s, env: later(s.data_dir / "reports" / "vuosiraportti_2026.html"), "exports or report"),
        (lambda s, env: s.duckdb_path.with_name("hyte.duckdb.wal").write_text("w"), "serving file"),
    ],
)
def test_anything_that_could_change_the_output_makes_it_run(
    project, monkeypatch, capsys, change, reason
) -> None:
    settings, instance = project
    environ = {"HYTE_SOURCE_MODE": "snapshot"}
    record_success(settings, instance, environ)
    change(settings, environ)
    assert verdict(settings, instance, environ, monkeypatch) is None
    assert reason in capsys.readouterr().err


def test_the_next_day_the_code_and_a_torn_state_file_make_it_run(project, monkeypatch, capsys) -> None:
    settings, instance = project
    environ: dict[str, str] = {}
    record_success(settings, instance, environ)
    assert verdict(settings, instance, environ, monkeypatch, today=TODAY + dt.timedelta(days=1)) is None
    assert "changed since the last refresh: today" in capsys.readouterr().err

    code = inputs(settings, environ)
    monkeypatch.setattr(refresh_state, "CODE_FOLDERS", ("hyte_assets", "dbt_like_sql", "docs"))
    assert inputs(settings, environ)["code"] != code["code"]
    monkeypatch.undo()

    refresh_state.state_path(settings.duckdb_path).write_text('{"inputs": ', encoding="utf-8")
    assert verdict(settings, instance, environ, monkeypatch) is None
    assert "is unreadable" in capsys.readouterr().err


def test_a_run_history_without_the_last_runs_live_mode_and_force_make_it_run(
    project, monkeypatch, capsys
) -> None:
    settings, instance = project
    environ: dict[str, str] = {}
    record_success(settings, instance, environ)
    assert verdict(settings, instance, environ, monkeypatch) is not None

    assert refresh.nothing_new(settings, dg.DagsterInstance.ephemeral(), inputs(settings, environ)) is None
    assert "is not a success in this DAGSTER_HOME" in capsys.readouterr().err

    live = dataclasses.replace(settings, source_mode="live")
    assert refresh.nothing_new(live, instance, inputs(live, environ)) is None

    monkeypatch.setenv(refresh_state.FORCE_VARIABLE, "1")
    assert refresh.nothing_new(settings, instance, inputs(settings, environ)) is None
    assert "HYTE_FORCE_REFRESH is set" in capsys.readouterr().err
