"""Action status history through the pipeline: two years of deliveries land in raw.action_status
keyed by action and year, with the canonical key, lead, milestone and linked measures, and the
report's action rows show both years under every goal that repeats the action."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hyte_assets.lib.actions import status_history
from hyte_assets_tests.conftest import run_job, warehouse_path

# a006, a035 and a085 are the plan's "Liikuntaedut 70 vuotta täyttäneille" under three goals.
REPEATED = ("a006", "a035", "a085")


def deliver(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def action_status() -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.execute("select * from raw.action_status order by action_id, year").df()


@pytest.fixture
def two_years(project_copy: Path) -> pd.DataFrame:
    local = project_copy / "local"
    for old in local.glob("*.csv"):
        old.unlink()
    deliver(
        local / "toimenpiteet_2026.csv",
        [
            "toimenpide_id;tila;paivitetty;kommentti",
            "a006;käynnissä;30.11.2026;Kortit jaettu",
            "a011;suunniteltu;1.10.2026;",
        ],
    )
    assert run_job(assets=["raw/action_status"]).success
    first = action_status()
    assert first["year"].tolist() == [2026, 2026], "without vuosi the year of paivitetty"
    # The next year the coordinator adds a file for 2027, entering the action under another goal's id.
    deliver(
        local / "toimenpiteet_2027.csv",
        ["toimenpide_id;vuosi;tila;paivitetty;kommentti", "A035;2027;toteutettu;15.1.2028;Vakiintunut"],
    )
    assert run_job(assets=["raw/action_status"]).success
    return action_status()


def test_two_years_are_kept_with_key_lead_milestone_and_measures(two_years: pd.DataFrame) -> None:
    rows = two_years.set_index(["action_id", "year"])
    assert sorted(rows.index) == [("a006", 2026), ("a011", 2026), ("a035", 2027)], (
        "2027 did not overwrite 2026"
    )
    assert rows.loc[("a035", 2027), "action_key"] == rows.loc[("a006", 2026), "action_key"] == "a006"
    assert rows.loc[("a006", 2026), "goal_ids"] == "g1|g2|g5", "the goals of a006, a035 and a085"
    a011 = rows.loc[("a011", 2026)]
    assert a011["due"] == "1.8.2026 alkaen" and a011["due_start"] == pd.Timestamp("2026-08-01")
    assert "|opiskeluhoolto|" in a011["lead"], "the plan's spelling kept verbatim"
    assert "|opiskeluhuolto|" in a011["lead_key"] and "jyränkölän settlementti" in a011["lead_key"]
    catalog = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "catalog" / "measures.csv", dtype=str
    )
    goal_measures = {
        m for m, goals in zip(catalog["measure_id"], catalog["goal_ids"], strict=True)
        if set(goals.split("|")) & set(rows.loc[("a006", 2026), "goal_ids"].split("|"))
    }  # fmt: skip
    linked = set(rows.loc[("a006", 2026), "measure_ids"].split("|"))
    assert linked == goal_measures and linked, "an action is followed by the measures of its goals"


def test_history_shows_both_years_for_every_id_of_the_action(two_years: pd.DataFrame) -> None:
    history = status_history(two_years, {})  # the warehouse's action_key alone is enough
    assert history[("a006", 2026)]["status"] == "käynnissä"
    assert history[("a006", 2027)]["status"] == "toteutettu"
    assert history[("a006", 2027)]["updated_at"] == pd.Timestamp(dt.date(2028, 1, 15))
