"""Checks on the hand-curated catalog files (data/catalog/*.csv, data/plan/measure_lines.csv).

Plain `csv` only, no project imports: these files are edited by people in Excel/LibreOffice, and this
module is what tells them (in CI) that an edit broke a rule. The rules are documented in
data/catalog/README.md and data/plan/README.md.

Checks that compare against the plan itself read the seed Markdown file from
`../shared/seed/` (relative to the repository root); when it is absent only those checks skip.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = REPO_ROOT / "data" / "catalog"
PLAN_DIR = REPO_ROOT / "data" / "plan"
SEED_PATH = (REPO_ROOT / ".." / "shared" / "seed" / "hyvinvointisuunnitelma-2026-2029.md").resolve()

HEADERS = {
    CATALOG_DIR / "themes.csv": ["theme_id", "theme_no", "title_fi", "title_en"],
    CATALOG_DIR / "goals.csv": ["goal_id", "goal_no", "theme_id", "title_fi", "title_en"],
    CATALOG_DIR / "measures.csv": [
        "measure_id",
        "title_fi",
        "title_en",
        "theme_id",
        "goal_ids",
        "source",
        "source_ref",
        "source_title",
        "population_group",
        "school_levels",
        "fallback_region_level",
        "unit",
        "polarity",
        "target",
        "target_year",
        "responsible",
        "plan_line_ids",
        "notes",
    ],
    CATALOG_DIR / "actions.csv": ["action_id", "goal_id", "focus_area_fi", "action_fi", "responsible"],
    CATALOG_DIR / "plan_figures.csv": [
        "figure_id",
        "measure_id",
        "value",
        "unit",
        "period",
        "region_code",
        "region_level",
        "group_value",
        "source_section",
        "source_sentence",
    ],
    PLAN_DIR / "measure_lines.csv": ["line_id", "theme_id", "plan_line_no", "text"],
}

THEME_IDS = ["turvallinen_arki", "osallisuus", "mielen_hyvinvointi", "elintavat"]
GOAL_THEMES = {
    "g1": "turvallinen_arki",
    "g2": "turvallinen_arki",
    "g3": "osallisuus",
    "g4": "osallisuus",
    "g5": "mielen_hyvinvointi",
    "g6": "mielen_hyvinvointi",
    "g7": "elintavat",
}
SOURCES = {
    "sotkanet",
    "kouluterveyskysely",
    "statfin",
    "employment",
    "teaviisari",
    "hyte",
    "regional_survey",
    "older_people_survey",
    "resident_survey",
    "local",
}
UNITS = {
    "percent",
    "count",
    "per_10000",
    "per_100000",
    "eur_per_m2",
    "gini",
    "eur_per_resident",
    "yes_no",
    "score_0_100",
}
POLARITIES = {"higher_better", "lower_better", "target", "context"}
SCHOOL_LEVELS = ["4.-5. lk", "8.-9. lk", "lukio", "ammatillinen"]
REGION_LEVELS = {"kunta", "maakunta", "hyvinvointialue", "koko_maa"}
FIGURE_SECTIONS = {
    "Hyvinvointitietoa heinolalaisista 1/2",
    "Hyvinvointitietoa heinolalaisista 2/2",
    "Rakenteet hyte-työn taustalla",
}

# Source ids that the reference notes verify (statfin-and-thl-apis.md §6; for Sotkanet the ids graded
# `exact` / `exact_title_series_caveat` in sotkanet-indicators-verified.csv, whose evidence is the 2015
# /indicators listing in oskariorg/oskari-server@b4ff559) and that measure exactly what the plan line
# says. Anything else in source_ref is an invented id and fails.
# Adding one is a deliberate change: cite the evidence in the measure's notes.
VERIFIED_TABLE_REFS = {
    ("employment", "tyonv/12r5:TYOTOSUUS"),
    ("employment", "tyonv/12r5:PITKAAIKAISTYOTTOMAT"),
    ("statfin", "tjt/14ww:rpt_l_aste"),  # medium confidence: confirmed at run time
}
# Sotkanet id -> (measure, school level or population group, the 2015 title.fi).
VERIFIED_SOTKANET_IDS = {
    3959: (
        "kaatumiset_hoitojaksot_65",
        "65+",
        "Kaatumisiin ja putoamisiin liittyvät hoitojaksot 65 vuotta täyttäneillä / 10 000 vastaavanikäistä",
    ),
    699: (
        "lonkkamurtumat_65",
        "65+",
        "Lonkkamurtumat 65 vuotta täyttäneillä, % vastaavanikäisestä väestöstä",
    ),
    3558: (
        "toimeentulotuki_pitkaaikainen_65",
        "65+",
        "Toimeentulotukea pitkäaikaisesti saaneet 65 vuotta täyttäneet, % vastaavanikäisestä väestöstä",
    ),
    234: (
        "toimeentulotuki_pitkaaikainen_25_64",
        "25-64",
        "Toimeentulotukea pitkäaikaisesti saaneet 25 - 64-vuotiaat, % vastaavanikäisestä väestöstä",
    ),
    1514: (
        "ktk_koulukiusattu_viikoittain",
        "8.-9. lk",
        "Koulukiusattuna vähintään kerran viikossa, % 8. ja 9. luokan oppilaista",
    ),
    3913: (
        "ktk_koulukiusattu_viikoittain",
        "lukio",
        "Koulukiusattuna vähintään kerran viikossa, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    3928: (
        "ktk_koulukiusattu_viikoittain",
        "ammatillinen",
        "Koulukiusattuna vähintään kerran viikossa, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    3907: (
        "ktk_fyysinen_uhka",
        "8.-9. lk",
        "Kokenut fyysistä uhkaa vuoden aikana, % 8. ja 9. luokan oppilaista",
    ),
    3926: (
        "ktk_fyysinen_uhka",
        "lukio",
        "Kokenut fyysistä uhkaa vuoden aikana, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    3941: (
        "ktk_fyysinen_uhka",
        "ammatillinen",
        "Kokenut fyysistä uhkaa vuoden aikana, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",
    ),
    355: (
        "ktk_opettajat_eivat_kiinnostuneita",
        "8.-9. lk",
        "Opettajat eivät ole kiinnostuneita oppilaan kuulumisista, % 8. ja 9. luokan oppilaista",
    ),
    359: (
        "ktk_opettajat_eivat_kiinnostuneita",
        "lukio",
        "Opettajat eivät ole kiinnostuneita oppilaan kuulumisista, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    363: (
        "ktk_opettajat_eivat_kiinnostuneita",
        "ammatillinen",
        "Opettajat eivät ole kiinnostuneita opiskelijan kuulumisista, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    3219: (
        "koulutuksen_ulkopuolella_17_24",
        "17-24",
        "Koulutuksen ulkopuolelle jääneet 17 - 24-vuotiaat, % vastaavanikäisestä väestöstä",
    ),
    189: ("nuorisotyottomat_18_24", "18-24", "Nuorisotyöttömät, % 18 - 24-vuotiaasta työvoimasta"),
    292: ("ktk_ei_laheista_ystavaa", "8.-9. lk", "Ei yhtään läheistä ystävää, % 8. ja 9. luokan oppilaista"),
    3917: (
        "ktk_ei_laheista_ystavaa",
        "lukio",
        "Ei yhtään läheistä ystävää, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    3932: (
        "ktk_ei_laheista_ystavaa",
        "ammatillinen",
        "Ei yhtään läheistä ystävää, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",
    ),
    4284: ("yksinaisyys_alueellinen_kysely", "aikuisväestö", "Itsensä yksinäiseksi tuntevien osuus (%)"),
    286: (
        "ktk_terveydentila_keskinkertainen_huono",
        "8.-9. lk",
        "Kokee terveydentilansa keskinkertaiseksi tai huonoksi, % 8. ja 9. luokan oppilaista",
    ),
    3916: (
        "ktk_terveydentila_keskinkertainen_huono",
        "lukio",
        "Kokee terveydentilansa keskinkertaiseksi tai huonoksi, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    3931: (
        "ktk_terveydentila_keskinkertainen_huono",
        "ammatillinen",
        "Kokee terveydentilansa keskinkertaiseksi tai huonoksi, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    3905: (
        "ktk_liikunta_enintaan_1h",
        "8.-9. lk",
        "Harrastaa hengästyttävää liikuntaa vapaa-ajalla korkeintaan 1 h viikossa, % 8. ja 9. luokan oppilaista",  # noqa: E501
    ),
    3924: (
        "ktk_liikunta_enintaan_1h",
        "lukio",
        "Harrastaa hengästyttävää liikuntaa vapaa-ajalla korkeintaan 1 h viikossa, % lukion 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    3939: (
        "ktk_liikunta_enintaan_1h",
        "ammatillinen",
        "Harrastaa hengästyttävää liikuntaa vapaa-ajalla korkeintaan 1 h viikossa, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    319: ("ktk_ei_aamupalaa", "8.-9. lk", "Ei syö aamupalaa joka arkiaamu, % 8. ja 9. luokan oppilaista"),
    323: (
        "ktk_ei_aamupalaa",
        "lukio",
        "Ei syö aamupalaa joka arkiaamu, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    325: (
        "ktk_ei_aamupalaa",
        "ammatillinen",
        "Ei syö aamupalaa joka arkiaamu, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",
    ),
    290: (
        "ktk_kokeillut_huumeita",
        "8.-9. lk",
        "Kokeillut laittomia huumeita ainakin kerran, % 8. ja 9. luokan oppilaista",
    ),
    3922: (
        "ktk_kokeillut_huumeita",
        "lukio",
        "Kokeillut laittomia huumeita ainakin kerran, % lukion 1. ja 2. vuoden opiskelijoista",
    ),
    3937: (
        "ktk_kokeillut_huumeita",
        "ammatillinen",
        "Kokeillut laittomia huumeita ainakin kerran, % ammatillisen oppilaitoksen 1. ja 2. vuoden opiskelijoista",  # noqa: E501
    ),
    3138: ("pyll_0_80", "0-80", "Menetetyt elinvuodet (PYLL) ikävälillä 0 - 80 vuotta / 100 000 asukasta"),
}
# Graded closest_only (a different or narrower definition): context in notes, never pinned.
CLOSEST_ONLY_IDS = {4412, 4411, 4286, 4287, 4272, 4298, 327, 336, 345, 288, 3921, 3936}
# Municipal hyte-kerroin outcome indicators (VNA 1393/2022 Liite B) that the plan also lists.
HYTE_OUTCOME_MEASURES = {
    "ktk_terveydentila_keskinkertainen_huono",
    "koulutuksen_ulkopuolella_17_24",
    "toimeentulotuki_pitkaaikainen_25_64",
    "kaatumiset_hoitojaksot_65",
}

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
TABLE_REF_SHAPE = re.compile(r"^[a-z]+/[0-9a-z]{4}:[A-Za-z0-9_\-]+$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
YEAR = re.compile(r"^\d{4}$")
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
WORD = re.compile(r"[^\W\d_]{3,}")
TAG = re.compile(r"<[^>]+>")


# --------------------------------------------------------------------------- helpers


@cache
def read(path: Path) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = []
        for row in reader:
            assert None not in row, f"{path.name} line {reader.line_num}: more cells than columns"
            assert None not in row.values(), f"{path.name} line {reader.line_num}: fewer cells than columns"
            rows.append(row)
    return tuple(rows)


def themes() -> tuple[dict[str, str], ...]:
    return read(CATALOG_DIR / "themes.csv")


def goals() -> tuple[dict[str, str], ...]:
    return read(CATALOG_DIR / "goals.csv")


def measures() -> tuple[dict[str, str], ...]:
    return read(CATALOG_DIR / "measures.csv")


def actions() -> tuple[dict[str, str], ...]:
    return read(CATALOG_DIR / "actions.csv")


def figures() -> tuple[dict[str, str], ...]:
    return read(CATALOG_DIR / "plan_figures.csv")


def measure_lines() -> tuple[dict[str, str], ...]:
    return read(PLAN_DIR / "measure_lines.csv")


def multi(cell: str) -> list[str]:
    """A `|`-separated cell: no empty parts, no padding, no duplicates."""
    parts = cell.split("|")
    assert all(p and p == p.strip() for p in parts), f"bad multi-valued cell {cell!r}"
    assert len(parts) == len(set(parts)), f"duplicate value in {cell!r}"
    return parts


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", TAG.sub(" ", text)).strip()


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED_PATH.exists():
        pytest.skip(f"plan seed file not found at {SEED_PATH}; verbatim checks need it")
    return SEED_PATH.read_text(encoding="utf-8").split("\n")


# --------------------------------------------------------------------------- file format


@pytest.mark.parametrize("path", sorted(HEADERS), ids=lambda p: p.name)
def test_file_is_utf8_without_bom_with_expected_header(path: Path) -> None:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} starts with a UTF-8 BOM"
    raw.decode("utf-8")
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == HEADERS[path]
    assert read(path), f"{path.name} has no rows"
    for row in read(path):
        for column, value in row.items():
            assert value == value.strip(), f"{path.name}: {column} {value!r} has surrounding whitespace"


# --------------------------------------------------------------------------- themes and goals


def test_four_themes_and_seven_goals() -> None:
    assert [t["theme_id"] for t in themes()] == THEME_IDS
    assert [t["theme_no"] for t in themes()] == ["1", "2", "3", "4"]
    assert [g["goal_id"] for g in goals()] == list(GOAL_THEMES)
    assert [g["goal_no"] for g in goals()] == [str(n) for n in range(1, 8)]
    assert {g["goal_id"]: g["theme_id"] for g in goals()} == GOAL_THEMES
    for row in (*themes(), *goals()):
        assert row["title_fi"] and row["title_en"]


def test_theme_and_goal_titles_are_plan_wording(seed_lines: list[str]) -> None:
    seed = "\n".join(seed_lines)
    for row in (*themes(), *goals()):
        assert row["title_fi"] in seed, f"{row['title_fi']!r} is not the plan's wording"
    numbered = [line for line in seed_lines if re.match(r"^[1-7]\. ", line)]
    assert [line[3:] for line in numbered] == [g["title_fi"] for g in goals()]


# --------------------------------------------------------------------------- measure lines


def test_measure_line_ids_and_themes() -> None:
    rows = measure_lines()
    assert [r["line_id"] for r in rows] == [f"L{i:02d}" for i in range(1, len(rows) + 1)]
    numbers = [int(r["plan_line_no"]) for r in rows]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    order = [r["theme_id"] for r in rows]
    assert all(t in THEME_IDS for t in order)
    # the blocks come in theme order and each theme has one contiguous block
    assert order == sorted(order, key=THEME_IDS.index)
    assert set(order) == set(THEME_IDS)
    assert all(r["text"] for r in rows)


def test_measure_lines_are_verbatim_and_complete(seed_lines: list[str]) -> None:
    """Every line of the four MITTARIT blocks is listed, at its line number, with its exact text."""
    expected: list[tuple[int, str, str]] = []
    starts = [i for i, line in enumerate(seed_lines) if "MITTARIT JA TIETOLÄHTEET" in line]
    assert len(starts) == 4
    for theme_id, start in zip(THEME_IDS, starts, strict=True):
        i = start + 1
        while "VASTUUTAHOT" not in seed_lines[i]:
            if seed_lines[i].strip():
                expected.append((i + 1, theme_id, seed_lines[i]))
            i += 1
    actual = [(int(r["plan_line_no"]), r["theme_id"], r["text"]) for r in measure_lines()]
    for number, _, text in actual:
        assert seed_lines[number - 1] == text, f"line {number} of the plan is not {text!r}"
    assert actual == expected


def test_every_measure_line_is_covered_by_a_measure() -> None:
    covered = Counter(lid for m in measures() for lid in multi(m["plan_line_ids"]))
    missing = [r["line_id"] for r in measure_lines() if r["line_id"] not in covered]
    assert not missing, f"plan lines without a catalog measure: {missing}"


# --------------------------------------------------------------------------- measures


def test_measure_ids_are_unique_slugs() -> None:
    ids = [m["measure_id"] for m in measures()]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate measure_id: {duplicates}"
    bad = [i for i in ids if not SLUG.match(i) or len(i) > 60]
    assert not bad, f"measure_id not a lowercase ASCII slug: {bad}"


def test_measure_themes_goals_and_lines_hold_together() -> None:
    line_theme = {r["line_id"]: r["theme_id"] for r in measure_lines()}
    line_order = list(line_theme)
    for m in measures():
        mid = m["measure_id"]
        lines = multi(m["plan_line_ids"])
        assert all(lid in line_theme for lid in lines), f"{mid}: unknown plan_line_ids {lines}"
        assert lines == sorted(lines, key=line_order.index), f"{mid}: plan_line_ids not in plan order"
        assert m["theme_id"] in THEME_IDS, f"{mid}: unknown theme_id"
        assert m["theme_id"] == line_theme[lines[0]], f"{mid}: theme_id is not the theme of its first line"
        goal_ids = multi(m["goal_ids"])
        assert goal_ids, f"{mid}: no goal"
        assert all(g in GOAL_THEMES for g in goal_ids), f"{mid}: unknown goal in {goal_ids}"
        assert goal_ids == sorted(goal_ids), f"{mid}: goal_ids not in order"
        appears_in = {line_theme[lid] for lid in lines}
        wrong = [g for g in goal_ids if GOAL_THEMES[g] not in appears_in]
        assert not wrong, f"{mid}: goals {wrong} belong to themes where the measure does not appear"
        assert any(GOAL_THEMES[g] == m["theme_id"] for g in goal_ids), f"{mid}: no goal of its own theme"


def test_every_goal_has_a_measure() -> None:
    used = {g for m in measures() for g in multi(m["goal_ids"])}
    assert set(GOAL_THEMES) <= used, f"goals without measures: {sorted(set(GOAL_THEMES) - used)}"


def test_measure_enumerations() -> None:
    for m in measures():
        mid = m["measure_id"]
        assert m["source"] in SOURCES, f"{mid}: source {m['source']!r}"
        assert m["unit"] in UNITS, f"{mid}: unit {m['unit']!r}"
        assert m["polarity"] in POLARITIES, f"{mid}: polarity {m['polarity']!r}"
        assert m["title_fi"] and m["title_en"], f"{mid}: missing title"
        if m["source"] == "kouluterveyskysely":
            levels = multi(m["school_levels"])
            assert set(levels) <= set(SCHOOL_LEVELS), f"{mid}: school_levels {levels}"
            assert levels == sorted(levels, key=SCHOOL_LEVELS.index), f"{mid}: school_levels not in order"
            assert m["unit"] == "percent", f"{mid}: KTK measures are shares"
        else:
            assert m["school_levels"] == "", f"{mid}: school_levels only for kouluterveyskysely"


def test_targets_are_numeric_where_polarity_is_target() -> None:
    with_target = 0
    for m in measures():
        mid = m["measure_id"]
        if m["polarity"] == "target":
            with_target += 1
            assert NUMBER.match(m["target"]), f"{mid}: target {m['target']!r} is not a number"
            assert YEAR.match(m["target_year"]), f"{mid}: target_year {m['target_year']!r}"
        else:
            assert m["target"] == "" and m["target_year"] == "", f"{mid}: target without polarity 'target'"
    assert with_target >= 2  # the plan states two numeric targets (hobby model survey 80 %, 200 vouchers)


def school_level_ids() -> list[dict[str, str]]:
    with (CATALOG_DIR / "sotkanet_school_level_ids.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_source_refs_are_only_verified_ids() -> None:
    pinned: dict[int, tuple[str, str, str]] = {}
    by_id = {m["measure_id"]: m for m in measures()}
    for m in measures():
        mid, ref, title = m["measure_id"], m["source_ref"], m["source_title"]
        if not ref:
            assert not title, f"{mid}: source_title without source_ref"
            continue
        if TABLE_REF_SHAPE.match(ref):
            assert (m["source"], ref) in VERIFIED_TABLE_REFS, f"{mid}: {ref!r} is not a verified table ref"
            assert not title, f"{mid}: StatFin titles are not quoted by the notes"
            if ref == "tjt/14ww:rpt_l_aste":
                assert "medium confidence" in m["notes"]
            continue
        assert ref.isdigit() and not m["school_levels"], f"{mid}: one Sotkanet id per measure in measures.csv"
        pinned[int(ref)] = (mid, m["population_group"], title)
        assert "pinned, grade exact" in m["notes"], f"{mid}: notes must cite the pin's grade"
        assert "oskariorg/oskari-server@b4ff559" in m["notes"], f"{mid}: notes must cite the source"
        if "exact_title_series_caveat" in m["notes"]:
            assert "Caveat" in m["notes"]
    for r in school_level_ids():
        mid, indicator_id = r["measure_id"], int(r["indicator_id"])
        assert indicator_id not in pinned, f"Sotkanet {indicator_id} pinned twice"
        assert r["school_level"] in multi(by_id[mid]["school_levels"]), f"{mid}: {r['school_level']!r}"
        assert r["grade"] == "exact" and "oskariorg/oskari-server@b4ff559" in r["evidence"], r
        assert "sotkanet_school_level_ids.csv" in by_id[mid]["notes"], f"{mid}: notes must point to the pins"
        pinned[indicator_id] = (mid, r["school_level"], r["source_title"])
    # Every verified exact id is pinned, for the measure, group and 2015 title the reference gives.
    assert pinned == VERIFIED_SOTKANET_IDS
    assert not CLOSEST_ONLY_IDS & set(pinned)


def test_closest_only_ids_are_context_in_notes() -> None:
    notes = " ".join(m["notes"] for m in measures())
    for indicator_id in CLOSEST_ONLY_IDS:
        assert re.search(rf"\b{indicator_id}\b", notes), f"closest_only {indicator_id} not listed as context"
    assert notes.count("Context only, not pinned") >= 6


def test_hyte_kerroin_outcome_ids_are_pinned() -> None:
    """Municipal hyte-kerroin outcomes (VNA 1393/2022 B1–B5): 286 and 3219, 234, 3959 in the catalog;
    3906 (ylipaino) and 306 (työkyvyttömyyseläke) have no plan measure line and live in data/hyte."""
    refs = {int(m["source_ref"]) for m in measures() if m["source_ref"].isdigit()}
    refs |= {int(r["indicator_id"]) for r in school_level_ids()}
    assert {286, 3219, 234, 3959} <= refs
    with (REPO_ROOT / "data" / "hyte" / "indicators.csv").open(encoding="utf-8", newline="") as f:
        hyte = {r["indicator_id"]: r["sotkanet_id"] for r in csv.DictReader(f) if r["kind"] == "outcome"}
    assert {int(v) for v in hyte.values() if v} == {286, 3906, 3219, 234, 306, 3959}


def test_hyte_kerroin_outcome_indicators_are_flagged() -> None:
    by_id = {m["measure_id"]: m for m in measures()}
    for mid in HYTE_OUTCOME_MEASURES:
        assert "hyte-kerroin outcome indicator" in by_id[mid]["notes"], mid


def test_title_fi_uses_the_plan_lines_words() -> None:
    """title_fi is the plan's own wording: each of its words occurs in the measure's plan line(s)."""
    text = {r["line_id"]: normalise(r["text"]).lower() for r in measure_lines()}
    for m in measures():
        words = set(WORD.findall(" ".join(text[lid] for lid in multi(m["plan_line_ids"]))))
        foreign = [w for w in WORD.findall(m["title_fi"].lower()) if w not in words]
        assert not foreign, f"{m['measure_id']}: title_fi words not in its plan line: {foreign}"


def test_responsible_is_one_list_per_theme() -> None:
    per_theme: dict[str, set[str]] = {}
    for m in measures():
        multi(m["responsible"])
        per_theme.setdefault(m["theme_id"], set()).add(m["responsible"])
    assert all(len(v) == 1 for v in per_theme.values()), per_theme
    for a in actions():
        assert {a["responsible"]} == per_theme[GOAL_THEMES[a["goal_id"]]], a["action_id"]


def test_responsible_bodies_come_from_the_plan(seed_lines: list[str]) -> None:
    lists = [line for line in seed_lines if "VASTUUTAHOT JA TOIMIJAT" in line]
    assert len(lists) == 4
    by_theme = dict(zip(THEME_IDS, lists, strict=True))
    for m in measures():
        for body in multi(m["responsible"]):
            assert body in by_theme[m["theme_id"]], f"{m['measure_id']}: {body!r} not in the plan's list"


# --------------------------------------------------------------------------- actions


def test_actions_structure() -> None:
    rows = actions()
    assert [a["action_id"] for a in rows] == [f"a{i:03d}" for i in range(1, len(rows) + 1)]
    goal_order = [a["goal_id"] for a in rows]
    assert all(g in GOAL_THEMES for g in goal_order)
    assert goal_order == sorted(goal_order), "actions not in goal order"
    assert set(goal_order) == set(GOAL_THEMES), "every goal has actions in the plan"
    for a in rows:
        assert a["focus_area_fi"] and a["action_fi"], a["action_id"]
        for column in ("focus_area_fi", "action_fi"):
            assert not TAG.search(a[column]), f"{a['action_id']}: HTML left in {column}"


def test_actions_are_verbatim_slices_of_the_plan(seed_lines: list[str]) -> None:
    seed = normalise("\n".join(seed_lines))
    for a in actions():
        assert a["action_fi"] in seed, f"{a['action_id']}: {a['action_fi']!r} is not in the plan"
        heading = a["focus_area_fi"].split(": ")[0]
        assert heading in seed, f"{a['action_id']}: focus area {heading!r} is not in the plan"


# --------------------------------------------------------------------------- plan figures


def test_plan_figures() -> None:
    units = {m["measure_id"]: m["unit"] for m in measures()}
    rows = figures()
    assert [f["figure_id"] for f in rows] == [f"f{i:02d}" for i in range(1, len(rows) + 1)]
    for f in rows:
        fid = f["figure_id"]
        if f["measure_id"]:
            assert f["measure_id"] in units, f"{fid}: unknown measure_id {f['measure_id']!r}"
            assert f["unit"] == units[f["measure_id"]], f"{fid}: unit differs from its measure's"
        assert NUMBER.match(f["value"]), f"{fid}: value {f['value']!r}"
        assert f["unit"] in UNITS, f"{fid}: unit {f['unit']!r}"
        assert f["period"] == "" or PERIOD.match(f["period"]), f"{fid}: period {f['period']!r}"
        assert f["region_level"] in REGION_LEVELS, f"{fid}: region_level"
        code, level = f["region_code"], f["region_level"]
        assert (
            (level == "kunta" and re.fullmatch(r"\d{3}", code))
            or (level in ("maakunta", "hyvinvointialue") and re.fullmatch(r"\d{2}", code))
            or (level == "koko_maa" and code == "SSS")
        ), f"{fid}: region {code!r}/{level!r}"
        assert f["group_value"], f"{fid}: group_value (use 'total')"
        assert f["source_section"] in FIGURE_SECTIONS, f"{fid}: source_section"
        value = f["value"]
        assert value in f["source_sentence"] or value.replace(".", ",") in f["source_sentence"], (
            f"{fid}: {value} is not stated in its sentence"
        )


def test_plan_figure_sentences_are_in_their_section(seed_lines: list[str]) -> None:
    headings = [(i, line[2:].strip()) for i, line in enumerate(seed_lines) if line.startswith("# ")]
    for f in figures():
        start = next(i for i, title in headings if title == f["source_section"])
        end = next((i for i, _ in headings if i > start), len(seed_lines))
        section = "\n".join(seed_lines[start:end])
        assert f["source_sentence"] in section, f"{f['figure_id']}: sentence not in {f['source_section']!r}"


def test_the_catalog_is_read_once_per_version_of_its_files(tmp_path: Path) -> None:
    import shutil

    from hyte_assets.lib.catalog import load_catalog
    from hyte_assets.lib.errors import SourceError

    catalog = shutil.copytree(CATALOG_DIR, tmp_path / "catalog")
    first = load_catalog(catalog)
    assert load_catalog(catalog) is first  # unchanged files: the same object, not read again

    themes = catalog / "themes.csv"
    text = themes.read_text(encoding="utf-8")
    broken = text.replace(",1,", ",x,", 1)  # same size, a theme number that is no number
    assert broken != text and len(broken) == len(text)
    themes.write_text(broken, encoding="utf-8")
    with pytest.raises(SourceError):
        load_catalog(catalog)
    themes.write_text(text, encoding="utf-8")
    assert load_catalog(catalog).themes.equals(first.themes)
