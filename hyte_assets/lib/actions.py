"""Action follow-up: canonical keys, responsible bodies, milestones and the status history per year.

The plan repeats some actions under several goals ("Liikuntaedut 70 vuotta täyttäneille" three
times); they share one canonical key (data/catalog/action_keys.csv), so a status entered once shows
under every goal. The plan spells the same body two or three ways ("Setlementti"/"Settlementti",
"opiskeluhoolto"/"opiskeluhuolto"), so the verbatim `lead` is kept beside a normalised key. The
milestone comes from the plan's own words ("1.8.2026 alkaen", "vähintään 4 x vuodessa",
"syksy 2026", "2027 alkaen"). Statuses are kept per action and year, so the 2027 report shows
2027 beside 2026 instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hyte_assets.lib.errors import SourceError

# Spelling variants in the plan's "responsible" cells, folded before the key is built.
LEAD_SPELLINGS = {
    "setlementti": "settlementti",
    "opiskeluhoolto": "opiskeluhuolto",
}
# Statuses meaning the action has not started (late once its milestone has passed).
NOT_STARTED = {"suunniteltu", "ei aloitettu"}
DONE = {"toteutettu"}
# Seasons end on the last day of their last month (syksy: September to November).
SEASON_END = {"kevät": (5, 31), "kevään": (5, 31), "kesä": (8, 31), "syksy": (11, 30), "syksyn": (11, 30)}
SEASON_END |= {"talvi": (2, 28), "loppuvuosi": (12, 31), "loppuvuodesta": (12, 31)}
PER_YEAR_WORDS = {"viikoittain": 52, "kuukausittain": 12, "vuosittain": 1, "kerran vuodessa": 1}

_DATE_FROM = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\s+alkaen\b")
_YEAR_FROM = re.compile(r"\(?\b(20\d\d)\s+alkaen\b")
_TIMES = re.compile(r"\b(?:vähintään\s+)?(\d+)\s*x\s*(vuodessa|kuukaudessa|lukuvuodessa)\b")
_SEASON = re.compile(r"\b(" + "|".join(SEASON_END) + r")\s+(20\d\d)\b")
_BY_YEAR = re.compile(r"\b(?:vuoden\s+)?(20\d\d)\s+(?:mennessä|loppuun mennessä)\b")


@dataclass(frozen=True)
class Due:
    """A milestone read from the plan: `start` (from which date the action runs), `deadline` (by
    which it is done), `per_year` (how often it recurs); `phrase` is the plan's own wording."""

    phrase: str
    start: dt.date | None = None
    deadline: dt.date | None = None
    per_year: int | None = None

    @property
    def kind(self) -> str:
        if self.deadline:
            return "by"
        if self.start:
            return "from"
        return "recurring" if self.per_year else "none"


def parse_due(text: str) -> Due:
    """The first milestone phrase in an action's text; Due("") when the plan names none."""
    folded = " ".join(str(text).split())
    lower = folded.lower()
    if m := _DATE_FROM.search(lower):
        day, month, year = (int(g) for g in m.groups())
        return Due(folded[m.start() : m.end()], start=dt.date(year, month, day), per_year=_per_year(lower))
    if m := _YEAR_FROM.search(lower):
        phrase = folded[m.start() : m.end()].lstrip("(")
        return Due(phrase, start=dt.date(int(m.group(1)), 1, 1), per_year=_per_year(lower))
    if m := _SEASON.search(lower):
        month, day = SEASON_END[m.group(1)]
        return Due(folded[m.start() : m.end()], deadline=dt.date(int(m.group(2)), month, day))
    if m := _BY_YEAR.search(lower):
        return Due(folded[m.start() : m.end()], deadline=dt.date(int(m.group(1)), 12, 31))
    if m := _TIMES.search(lower):
        return Due(folded[m.start() : m.end()], per_year=_per_year(lower))
    for word, count in PER_YEAR_WORDS.items():
        if word in lower:
            return Due(word, per_year=count)
    return Due("")


def _per_year(lower: str) -> int | None:
    if m := _TIMES.search(lower):
        times = int(m.group(1))
        return times * 12 if m.group(2) == "kuukaudessa" else times
    return next((n for word, n in PER_YEAR_WORDS.items() if word in lower), None)


def lead_key(verbatim: str) -> str:
    """The responsible bodies as a stable key: folded case and spelling, '|'-separated, order kept."""
    parts = []
    for part in str(verbatim).split("|"):
        word = unicodedata.normalize("NFC", " ".join(part.split())).casefold()
        for wrong, right in LEAD_SPELLINGS.items():
            word = word.replace(wrong, right)
        if word and word not in parts:
            parts.append(word)
    return "|".join(parts)


def canonical_text(action_fi: str) -> str:
    """An action's text folded for comparison: the plan repeats actions with the same words."""
    return " ".join(str(action_fi).casefold().split()).rstrip(".")


def schedule_state(due: Due, status: str | None, as_of: dt.date) -> str:
    """done / late / on_schedule / not_due / unknown for the status delivered for `as_of`'s year.

    Late: the milestone (start or deadline) has passed and the action has not started, or the
    deadline has passed and it is not done. An action without a delivered status past its
    milestone is late too: silence is not progress.
    """
    state = (status or "").strip().casefold()
    if not state:
        passed = (due.deadline and as_of > due.deadline) or (due.start and as_of >= due.start)
        return "late" if passed else "not_due" if due.kind == "none" else "unknown"
    if state in DONE:
        return "done"
    if state == "viivästynyt":
        return "late"
    if due.deadline and as_of > due.deadline:
        return "late"
    if due.start and as_of >= due.start and (not state or state in NOT_STARTED):
        return "late"
    if due.kind == "none":
        return "not_due"
    return "on_schedule"


def read_action_keys(path: Path) -> dict[str, str]:
    """action_id → canonical action_key from data/catalog/action_keys.csv (one clear error per bad row)."""
    import csv

    keys: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            action_id, key = (row.get("action_id") or "").strip(), (row.get("action_key") or "").strip()
            if not action_id or not key:
                raise SourceError(
                    "catalog", "action_id and action_key are required", file=str(path), row=row_no
                )
            if action_id in keys:
                raise SourceError("catalog", f"action {action_id} listed twice", file=str(path), row=row_no)
            keys[action_id] = key
    return keys


def status_history(status: Any, keys: dict[str, str]) -> dict[tuple[str, int], dict[str, Any]]:
    """(action_key, year) → the latest delivered status row of that year.

    `status` is raw.action_status as a DataFrame: action_id, status, updated_at, comment, is_demo,
    and `year` when the delivery states it (else the year of updated_at). A status delivered under
    any action id of a canonical key counts for all of them.
    """
    import pandas as pd

    if status is None or len(status) == 0:
        return {}
    frame = status.copy()
    updated = pd.to_datetime(frame["updated_at"], errors="coerce")
    year = frame["year"].fillna(updated.dt.year) if "year" in frame else updated.dt.year
    key = frame["action_id"].map(lambda a: keys.get(str(a), str(a)))
    if "action_key" in frame:  # loaded by local_deliveries: the key the catalog gave at load time
        key = frame["action_key"].fillna(key)
    frame = frame.assign(key=key, year=year, updated=updated)
    frame = frame.dropna(subset=["year"]).sort_values(["key", "year", "updated"])
    latest = frame.groupby(["key", "year"], sort=False).tail(1)
    return {(str(r["key"]), int(r["year"])): r.to_dict() for _, r in latest.iterrows()}


# Columns `action_links` adds to raw.action_status (recomputed on every load, so a row kept from an
# earlier load is brought up to date with the catalog).
LINK_COLUMNS = (
    "action_key",
    "goal_ids",
    "lead",
    "lead_key",
    "due",
    "due_start",
    "due_deadline",
    "due_per_year",
    "measure_ids",
)


def action_links(actions: Any, keys: dict[str, str], measure_goals: Any) -> Any:
    """Per catalog action: its canonical key, the goals that list it (any action id of the key), the
    responsible bodies verbatim and as a key, the milestone, and the measures that show whether it
    works: the measures of those goals (catalog measure → goal), in catalog order, `|`-separated.

    `actions`: catalog.actions (action_id, goal_id, action_fi, responsible); `measure_goals`:
    measure_id, goal_id (catalog.measure_goals).
    """
    import pandas as pd

    frame = actions[["action_id", "goal_id", "action_fi", "responsible"]].copy()
    frame["action_key"] = frame["action_id"].map(lambda a: keys.get(str(a), str(a)))
    goals_of_key = frame.groupby("action_key", sort=False)["goal_id"].agg(lambda g: list(dict.fromkeys(g)))
    measures_of_goal = measure_goals.groupby("goal_id", sort=False)["measure_id"].agg(list)
    rows = []
    for row in frame.to_dict("records"):
        goals = goals_of_key[row["action_key"]]
        measures = [m for g in goals for m in measures_of_goal.get(g, [])]
        due = parse_due(row["action_fi"])
        rows.append(
            {
                "action_id": row["action_id"],
                "action_key": row["action_key"],
                "goal_ids": "|".join(goals),
                "lead": str(row["responsible"] or ""),
                "lead_key": lead_key(row["responsible"] or ""),
                "due": due.phrase,
                "due_start": due.start,
                "due_deadline": due.deadline,
                "due_per_year": due.per_year,
                "measure_ids": "|".join(dict.fromkeys(measures)),
            }
        )
    links = pd.DataFrame(rows, columns=["action_id", *LINK_COLUMNS])
    for column in ("due_start", "due_deadline"):
        links[column] = pd.to_datetime(links[column])
    links["due_per_year"] = links["due_per_year"].astype("Int64")
    return links


def with_links(status: Any, links: Any) -> Any:
    """raw.action_status with the catalog links of each row's action (see `action_links`)."""
    base = status.drop(columns=[c for c in LINK_COLUMNS if c in status.columns])
    return base.merge(links, on="action_id", how="left", validate="many_to_one")
