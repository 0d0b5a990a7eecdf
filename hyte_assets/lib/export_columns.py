"""How the CSV/XLSX exports present a report table to Excel users: Finnish column headers, row
order (theme, goal, measure) and each number's decimals and percent format.

Parquet and the docs keep the English column names; `FI_HEADERS` is the one mapping between the two
(documented in docs/report-tables.md, "Exports"). A measure's decimals follow its catalog unit
(`UNIT_DECIMALS`): the catalog has no per-measure decimals, and the sources publish each unit with
these (Sotkanet's percentages and rates with one decimal, counts as integers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FI_HEADERS: dict[str, str] = {
    "action_fi": "toimenpide",
    "action_id": "toimenpiteen tunnus",
    "any_demo": "sisältää demoaineistoa",
    "any_moved": "jokin ryhmä muuttui",
    "assumption_set": "oletusjoukko",
    "base_price_eur": "perushinta €/asukas",
    "base_price_source": "perushinnan lähde",
    "baseline_is_demo": "lähtötaso demoaineistoa",
    "baseline_origin": "lähtötason alkuperä",
    "baseline_period": "lähtötason ajanjakso",
    "baseline_value": "lähtötaso",
    "change": "muutos",
    "change_high": "muutoksen luottamusväli yläraja",
    "change_low": "muutoksen luottamusväli alaraja",
    "change_rule": "muutoksen arviointisääntö",
    "change_since_baseline": "muutos lähtötasosta",
    "coefficient": "hyte-kerroin",
    "coefficient_after": "kerroin skenaariossa",
    "coefficient_before": "kerroin nyt",
    "combined_score": "painotettu pistemäärä",
    "comparison_is_demo": "vertailuarvot demoaineistoa",
    "comparison_kind": "vertailukohdan laji",
    "comparison_period": "vertailukohdan ajanjakso",
    "comparison_point_is_demo": "vertailukohta demoaineistoa",
    "comparison_sample_size": "vertailukohdan vastaajamäärä",
    "comparison_value": "vertailukohta",
    "contribution_to_coefficient": "osuus kertoimesta",
    "contribution_to_score": "osuus pisteistä",
    "coverage": "tietokattavuus",
    "data_age_years": "tiedon ikä (v)",
    "delta_vs_default_eur": "ero oletusjoukkoon €/asukas",
    "delta_vs_published_coefficient": "ero ilmoitettuun kertoimeen",
    "delta_vs_published_eur": "ero ilmoitettuun €/asukas",
    "demo_groups": "demoon perustuvat ryhmät",
    "demo_inputs": "demoaineistoa olevat syötteet",
    "description": "kuvaus",
    "difference": "erotus",
    "eur_per_resident": "euroa/asukas",
    "eur_total": "euroa yhteensä",
    "fallback_region_level": "varaluvun aluetaso",
    "figure_id": "luvun tunnus",
    "figure_label_en": "luvun selite (englanniksi)",
    "figure_label_fi": "luvun selite",
    "figure_level": "luvun aluetaso",
    "figure_region_level": "kenen luku (aluetaso)",
    "figure_region_name": "luvun alue",
    "first_period": "ensimmäinen ajanjakso",
    "focus_area_fi": "painopiste",
    "gain_coefficient": "kertoimen muutos",
    "gain_eur_per_resident": "lisäys €/asukas",
    "gain_eur_total": "lisäys € yhteensä",
    "gap": "ero",
    "gap_high": "eron luottamusväli yläraja",
    "gap_low": "eron luottamusväli alaraja",
    "gap_rule": "eron arviointisääntö",
    "gap_status": "eron tila",
    "gap_to_peer_median": "ero vertailukuntien mediaaniin",
    "gap_type": "eron laji",
    "gender": "sukupuoli",
    "goal_id": "tavoitteen tunnus",
    "goal_ids": "tavoitteet",
    "goal_no": "tavoitteen nro",
    "group_type": "ryhmän laji",
    "group_types": "ryhmien lajit",
    "group_value": "ryhmä",
    "groups": "ryhmiä",
    "groups_improving": "parantuneita ryhmiä",
    "groups_other": "muita ryhmiä (ei arvioitu, tavoite)",
    "groups_stable": "ennallaan pysyneitä ryhmiä",
    "groups_with_data": "ryhmiä, joilla arvo",
    "groups_worsening": "heikentyneitä ryhmiä",
    "has_data": "on tietoa",
    "has_municipality_level": "kuntataso julkaistaan",
    "hyvinvointialue_gap": "ero hyvinvointialueeseen",
    "hyvinvointialue_value": "hyvinvointialue",
    "improving_groups": "parantuneet ryhmät",
    "index_value": "indeksi (koko maa = 100)",
    "indicator_id": "indikaattorin tunnus",
    "is_complete": "kaikki mittarit mukana",
    "is_demo": "demoaineistoa",
    "is_home": "tarkasteltava kunta",
    "is_judged": "arvioitu",
    "is_low_response": "vastausosuus alle 50 %",
    "is_reported_gap": "ero satunnaisvaihtelua suurempi",
    "is_stale": "tieto vanhentunut",
    "kind": "laji",
    "koko_maa_gap": "ero koko maahan",
    "koko_maa_value": "koko maa",
    "last_period": "viimeisin ajanjakso",
    "latest_is_demo": "viimeisin arvo demoaineistoa",
    "latest_period": "viimeisin ajanjakso",
    "latest_sample_size": "viimeisimmän vastaajamäärä",
    "latest_source": "viimeisimmän arvon lähde",
    "latest_value": "viimeisin arvo",
    "latest_year": "viimeisin tilastovuosi",
    "level": "taso",
    "maakunta_code": "maakunnan koodi",
    "maakunta_gap": "ero maakuntaan",
    "maakunta_value": "maakunta",
    "measure_id": "mittarin tunnus",
    "measure_title_fi": "mittari",
    "measures_in_index": "mittareita indeksissä",
    "measures_total": "mittareita",
    "measures_with_data": "mittareita, joilla arvo",
    "min_change": "vähimmäismuutos",
    "municipalities_in_group": "kuntia ryhmässä",
    "municipalities_in_maakunta": "maakunnan kuntia",
    "municipality_code": "kuntanumero",
    "municipality_name": "kunta",
    "n_improving": "kehittyy myönteisesti",
    "n_judged": "arvioituja",
    "n_no_data": "ei tietoa",
    "n_not_judged": "ei arviota",
    "n_stable": "ennallaan",
    "n_supporting": "tukevia mittareita",
    "n_target_met": "tavoite saavutettu",
    "n_worsening": "heikentynyt",
    "national_weighted_avg": "koko maan painotettu keskiarvo",
    "noise_band_high": "vaihtelun yläraja",
    "noise_band_low": "vaihtelun alaraja",
    "not_judged_reason": "arvioimatta jäämisen syy",
    "notes": "huomiot",
    "other_groups": "muut ryhmät ja niiden tila",
    "outcome_score": "tulosindikaattorien pisteet",
    "payment_year": "maksuvuosi",
    "peer_median": "vertailukuntien mediaani",
    "peers_any_demo": "vertailukunnissa demoaineistoa",
    "peers_in_group": "vertailukuntia",
    "peers_with_value": "vertailukuntia, joilla arvo",
    "period": "ajanjakso",
    "pipeline_is_demo": "tietoputken arvo demoaineistoa",
    "pipeline_source": "tietoputken arvon lähde",
    "pipeline_value": "tietoputken arvo",
    "plan_line_ids": "suunnitelman rivit",
    "plan_value": "suunnitelman arvo",
    "points": "pisteet",
    "points_after": "pisteet skenaariossa",
    "points_before": "pisteet nyt",
    "polarity": "suunta",
    "population_group": "väestöryhmä",
    "pre_plan_trend": "suunta ennen suunnitelmaa",
    "previous_period": "edellinen ajanjakso",
    "previous_value": "edellinen arvo",
    "process_score": "prosessi-indikaattorien pisteet",
    "published_at": "julkaistu",
    "published_coefficient": "ilmoitettu kerroin",
    "published_eur_per_resident": "ilmoitettu €/asukas",
    "published_source": "ilmoitetun luvun lähde",
    "rank_among_peers": "sija vertailukunnissa",
    "rank_in_maakunta": "sija maakunnassa",
    "rank_maakunta": "sija maakunnassa",
    "rank_national": "sija koko maassa",
    "rationale": "perustelu",
    "reference_period": "vertailuarvon ajanjakso",
    "reference_value": "vertailuarvo",
    "region_code": "aluekoodi",
    "region_level": "aluetaso",
    "region_name": "alue",
    "response_rate": "vastausosuus %",
    "responsible": "vastuutahot",
    "rollup_id": "tunnus",
    "rollup_no": "numero",
    "row_count": "rivejä",
    "scenario": "skenaario",
    "school_levels": "kouluasteet",
    "score": "pisteet",
    "sector_id": "toimiala",
    "share_improving": "myönteisesti kehittyvien osuus",
    "side_0": "verrattava ryhmä",
    "side_1": "ryhmä",
    "size_0": "verrattavan ryhmän koko",
    "size_1": "ryhmän koko",
    "source": "tietolähde",
    "source_ref": "lähteen tunnus",
    "source_section": "suunnitelman luku",
    "source_sentence": "suunnitelman virke",
    "source_status": "tietolähteen tila",
    "source_title": "lähteen otsikko",
    "stable_groups": "ennallaan pysyneet ryhmät",
    "stale_after_years": "vanhenee vuosissa",
    "standardized_change": "vakioitu muutos",
    "status": "tila",
    "status_basis": "tilan peruste",
    "status_rests_on_demo": "tila perustuu demoaineistoon",
    "status_rule": "tilan sääntö",
    "summary_en": "yhteenveto englanniksi",
    "summary_fi": "yhteenveto",
    "supporting_measures": "tukevat mittarit",
    "table_name": "taulu",
    "target": "tavoitearvo",
    "target_year": "tavoitevuosi",
    "theme_id": "teeman tunnus",
    "theme_no": "teeman nro",
    "title_en": "nimi englanniksi",
    "title_fi": "nimi",
    "trend_points": "trendin pisteitä",
    "trend_slope": "trendi vuodessa",
    "unit": "yksikkö",
    "value": "arvo",
    "value_0": "verrattavan ryhmän arvo",
    "value_1": "ryhmän arvo",
    "value_latest": "uusin arvo",
    "value_prev": "aiempi arvo",
    "value_source": "arvon lähde",
    "version": "versio",
    "weight": "painokerroin",
    "worse_side": "heikommassa asemassa",
    "worsening_groups": "heikentyneet ryhmät",
    "worst_moving": "selvimmin heikentyneet",
    "year": "vuosi",
}
# Decimals per catalog unit (data/catalog/README.md, "unit").
UNIT_DECIMALS = {
    "percent": 1,
    "count": 0,
    "per_10000": 1,
    "per_100000": 1,
    "eur_per_m2": 0,
    "gini": 1,
    "eur_per_resident": 2,
    "yes_no": 0,
    "score_0_100": 0,
}
# Columns holding a level in the measure's unit (a percent measure's are shown as percentages in XLSX).
LEVEL_COLUMNS = frozenset(
    {"value", "latest_value", "previous_value", "baseline_value", "reference_value", "target"}
    | {"noise_band_low", "noise_band_high", "maakunta_value", "koko_maa_value", "plan_value"}
    | {"pipeline_value"}
)
# Columns holding a difference in the measure's unit (percentage points for a percent measure).
DELTA_COLUMNS = frozenset(
    {"change_since_baseline", "maakunta_gap", "koko_maa_gap", "difference", "min_change", "trend_slope"}
)
# The order Excel readers expect: theme, then goal, then measure (the plan's order for each).
SORT_COLUMNS = ("theme", "goal", "measure")


def fi_header(column: str) -> str:
    """The Finnish header of an English column name (the English name when the mapping lacks it)."""
    return FI_HEADERS.get(column, column)


@dataclass
class PlanOrder:
    """Positions of themes, goals and measures in the plan (from the serving file's catalog) and
    each measure's unit."""

    themes: dict[str, int] = field(default_factory=dict)
    goals: dict[str, int] = field(default_factory=dict)
    goal_themes: dict[str, str] = field(default_factory=dict)
    measures: dict[str, int] = field(default_factory=dict)
    measure_themes: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def sort_key(self, row: Mapping[str, Any]) -> tuple[int, int, int]:
        """(theme, goal, measure) positions of a row; rows lacking a part sort after those having it."""
        last = 1_000_000
        measure = str(row.get("measure_id") or "")
        goal = str(row.get("goal_id") or str(row.get("goal_ids") or "").split("|")[0])
        if row.get("level") == "goal":
            goal = str(row.get("rollup_id") or "")
        theme = str(
            row.get("theme_id") or self.goal_themes.get(goal) or self.measure_themes.get(measure) or ""
        )
        if row.get("level") == "theme":  # a theme's rollup row heads its goals
            return (self.themes.get(str(row.get("rollup_id") or ""), last), -1, -1)
        return (
            self.themes.get(theme, last),
            self.goals.get(goal, last),
            self.measures.get(measure, last),
        )

    def number_format(self, column: str, row: Mapping[str, Any]) -> tuple[int | None, bool]:
        """(decimals, is_percent) for a number cell; (None, False) when the column is not in a unit."""
        unit = str(row.get("unit") or self.units.get(str(row.get("measure_id") or ""), ""))
        if unit not in UNIT_DECIMALS or column not in LEVEL_COLUMNS | DELTA_COLUMNS:
            return None, False
        return UNIT_DECIMALS[unit], unit == "percent" and column in LEVEL_COLUMNS


def plan_order(con: Any) -> PlanOrder:
    """Read the plan's order from catalog.themes/goals/measures; parts the catalog lacks stay empty."""
    order = PlanOrder()
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'catalog'"
    ).fetchall():
        found.setdefault(table, set()).add(column)
    if {"theme_id", "theme_no"} <= found.get("themes", set()):
        order.themes = dict(con.execute("select theme_id, theme_no from catalog.themes").fetchall())
    if {"goal_id", "goal_no", "theme_id"} <= found.get("goals", set()):
        rows = con.execute("select goal_id, goal_no, theme_id from catalog.goals").fetchall()
        order.goals = {g: n for g, n, _ in rows}
        order.goal_themes = {g: t for g, _, t in rows}
    if {"measure_id", "unit", "theme_id"} <= found.get("measures", set()):
        rows = con.execute(
            "select measure_id, unit, theme_id, row_number() over () from catalog.measures"
        ).fetchall()
        order.units = {m: u for m, u, _, _ in rows}
        order.measure_themes = {m: t for m, _, t, _ in rows}
        order.measures = {m: n for m, _, _, n in rows}
    return order


def sorted_rows(
    columns: Sequence[str], rows: list[tuple[Any, ...]], order: PlanOrder
) -> list[tuple[Any, ...]]:
    """Rows by theme, goal and measure in the plan's order; the table's own order within a tie."""
    if not {"theme_id", "goal_id", "goal_ids", "measure_id", "rollup_id"} & set(columns):
        return rows
    return sorted(rows, key=lambda r: order.sort_key(dict(zip(columns, r, strict=True))))


def rounded(value: Any, decimals: int | None) -> Any:
    """A float rounded to `decimals` (other values unchanged)."""
    if decimals is None or not isinstance(value, float) or value != value:  # NaN stays NaN
        return value
    return round(value, decimals)
