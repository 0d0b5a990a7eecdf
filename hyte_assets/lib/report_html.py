"""The annual welfare report (vuosiraportti): one self-contained HTML file for the council.

Per theme and goal of the plan it shows the scorecard with status markers, a chart per measure
(the municipality against its maakunta and the whole country), the actions with their status,
the hyte-kerroin with its what-if table, and how old the data is. Everything is inline (CSS and
base64 PNGs, no scripts), so the file can be mailed or archived as it is. Whenever any figure
shown is demo data, a banner says so in plain words: a generated number must never pass for an
official statistic.
"""

import base64
import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from hyte_assets.lib.charts import ChartRenderer, Line
from hyte_assets.lib.warehouse import table_exists

LANGUAGES = ("fi", "en")
HYTE_TABLES = ("reports.hyte_kerroin", "reports.hyte_what_if", "reports.hyte_published")
# A chart needs the municipality's own series or a comparison area's; these levels are drawn.
CHART_LEVELS = ("kunta", "maakunta", "hyvinvointialue", "koko_maa")


@dataclass
class ReportData:
    """Everything the report shows, read once from the warehouse."""

    municipality_code: str
    municipality_name: str
    comparison_name: str
    as_of: dt.date
    themes: pd.DataFrame
    goals: pd.DataFrame
    indicators: pd.DataFrame
    series: pd.DataFrame
    actions: pd.DataFrame
    sources: pd.DataFrame
    hyte: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.as_of.year

    def demo_counts(self) -> tuple[int, int]:
        """(demo figures, all figures) among the values the report shows."""
        parts = [
            (self.indicators["is_demo"] | self.indicators["comparison_is_demo"])[
                self.indicators["latest_value"].notna()
            ],
            self.series["is_demo"],
            self.actions["is_demo"].dropna(),
            *(frame["is_demo"] for frame in self.hyte.values()),
        ]
        flags = pd.concat([p.astype(bool) for p in parts], ignore_index=True)
        return int(flags.sum()), len(flags)


def load_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read the scorecards, chart series, actions, sources and (when built) the hyte-kerroin tables."""
    settings = con.execute(
        """
        select s.municipality_code, cast(s.as_of_date as date), coalesce(k.region_name, s.municipality_code),
            coalesce(m.region_name, h.region_name)
        from meta.settings as s
        left join staging.stg_regions as k on k.region_level = 'kunta' and k.region_code = s.municipality_code
        left join staging.stg_regions as m on m.region_level = 'maakunta' and m.region_code = k.maakunta_code
        left join staging.stg_regions as h
            on h.region_level = 'hyvinvointialue' and h.region_code = k.hyvinvointialue_code
        limit 1
        """
    ).fetchone()
    if settings is None:
        raise ValueError("meta.settings is empty: materialise pipeline_settings first")
    code, as_of, name, comparison = settings
    themes = con.execute("select * from reports.scorecard_theme order by theme_no").df()
    goals = con.execute("select * from reports.scorecard_goal order by goal_no").df()
    indicators = con.execute(
        """
        select trim(mg.goal_id) as goal_id, si.*
        from reports.scorecard_indicator as si
        inner join catalog.measure_goals as mg on trim(mg.measure_id) = si.measure_id
        inner join catalog.measures as m on m.measure_id = si.measure_id
        order by goal_id, m.rowid, si.group_type = 'total' desc, si.group_value
        """
    ).df()
    actions = _actions(con)
    sources = con.execute(
        """
        select source, max(period) as latest_period, max(fetched_at) as fetched_at,
            count(*) as rows, bool_or(is_demo) as is_demo
        from marts.indicator_values
        where value is not null
        group by source
        order by source
        """
    ).df()
    hyte = {name: _hyte_table(con, name, code) for name in HYTE_TABLES if table_exists(con, name)}
    return ReportData(
        municipality_code=code,
        municipality_name=name,
        comparison_name=comparison or "",
        as_of=as_of,
        themes=themes,
        goals=goals,
        indicators=indicators,
        series=_chart_series(con, code),
        actions=actions,
        sources=sources,
        hyte=hyte,
    )


def _actions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The plan's actions with the delivered status (raw.action_status), NULL where none was delivered."""
    if table_exists(con, "raw.action_status"):
        status = "select action_id, status, cast(updated_at as date) as updated_at, comment, is_demo "
        status += "from raw.action_status"
    else:
        status = (
            "select null::varchar as action_id, null::varchar as status, null::date as updated_at, "
            "null::varchar as comment, null::boolean as is_demo where false"
        )
    return con.execute(
        f"""
        select a.action_id, a.goal_id, a.focus_area_fi, a.action_fi, s.status, s.updated_at, s.comment,
            s.is_demo
        from catalog.actions as a
        left join ({status}) as s on s.action_id = a.action_id
        order by a.action_id
        """
    ).df()


def _hyte_table(con: duckdb.DuckDBPyConnection, name: str, code: str) -> pd.DataFrame:
    order = " order by gain_eur_per_resident desc" if name.endswith("what_if") else ""
    return con.execute(f"select * from {name} where municipality_code = ?{order}", [code]).df()


def _chart_series(con: duckdb.DuckDBPyConnection, code: str) -> pd.DataFrame:
    """Each measure's headline group (the total, else the group with most home points) as one series per
    level: the municipality, its maakunta (its wellbeing county where the maakunta has none) and Finland."""
    frame = con.execute(
        """
        with home as (
            select s.municipality_code, r.maakunta_code, r.hyvinvointialue_code
            from meta.settings as s
            left join staging.stg_regions as r
                on r.region_level = 'kunta' and r.region_code = s.municipality_code
            limit 1
        ),
        points as (
            select v.measure_id, v.region_level, v.group_type, v.group_value, v.year, v.period, v.value,
                v.is_demo
            from marts.indicator_values as v
            cross join home
            where v.value is not null and (
                (v.region_level = 'kunta' and v.region_code = home.municipality_code)
                or (v.region_level = 'maakunta' and v.region_code = home.maakunta_code)
                or (v.region_level = 'hyvinvointialue' and v.region_code = home.hyvinvointialue_code)
                or v.region_level = 'koko_maa'
            )
        ),
        groups as (
            select measure_id, group_type, group_value,
                row_number() over (
                    partition by measure_id
                    order by group_type = 'total' desc, count(*) filter (where region_level = 'kunta') desc,
                        count(*) desc, group_type, group_value
                ) as pick
            from points
            group by measure_id, group_type, group_value
        ),
        picked as (
            select points.* from points inner join groups using (measure_id, group_type, group_value)
            where pick = 1
        )
        -- a wellbeing county only stands in when the maakunta has no series of the measure
        select * from picked
        where region_level <> 'hyvinvointialue' or not exists (
            select 1 from picked as p
            where p.measure_id = picked.measure_id and p.region_level = 'maakunta'
        )
        order by measure_id, region_level, period
        """
    ).df()
    month = pd.to_numeric(frame["period"].str[5:7], errors="coerce").fillna(1)
    return frame.assign(x=frame["year"] + (month - 1) / 12)


def render_charts(data: ReportData, renderer: ChartRenderer) -> dict[str, bytes]:
    """One PNG per measure with any chartable value, keyed by measure_id."""
    targets = data.indicators.drop_duplicates("measure_id").set_index("measure_id")["target"]
    charts = {}
    for measure_id, rows in data.series.groupby("measure_id", sort=False):
        lines = [
            Line(level, tuple(part["x"]), tuple(part["value"]))
            for level in CHART_LEVELS
            if len(part := rows[rows["region_level"] == level])
        ]
        target = targets.get(measure_id)
        charts[str(measure_id)] = renderer.line_chart(
            lines,
            target=None if target is None or pd.isna(target) else float(target),
            demo=bool(rows["is_demo"].any()),
        )
    return charts


def highlights(data: ReportData, charts: Mapping[str, bytes], n: int = 3) -> list[str]:
    """The measures that moved most (in noise-band units) among those with a chart: for the UI."""
    moved = data.indicators.dropna(subset=["standardized_change"])
    moved = moved[moved["measure_id"].isin(charts)]
    order = moved.assign(size=moved["standardized_change"].abs()).sort_values("size", ascending=False)
    return list(dict.fromkeys(order["measure_id"]))[:n]


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- rendering -----------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Hyvinvointisuunnitelman 2026–2029 seuranta: vuosiraportti {year}",
        "subtitle": "{name}: tavoitteiden mittarit, toimenpiteet ja hyte-kerroin",
        "generated": "Laadittu {generated}. Tiedot tilanteesta {as_of}.",
        "banner_title": "Huom! Raportissa on demoaineistoa.",
        "banner": "{demo} / {total} raportin luvusta on ohjelmallisesti tuotettuja demoarvoja. Ne eivät ole "
        "virallisia tilastoja eivätkä kuvaa todellista tilannetta. Demoarvot on merkitty "
        "raportissa merkinnällä DEMO.",
        "summary": "Yhteenveto teemoittain",
        "theme": "Teema",
        "measures": "Mittareita",
        "with_data": "Tietoa",
        "improving": "Paranee",
        "stable": "Ennallaan",
        "worsening": "Heikkenee",
        "target_met": "Tavoite saavutettu",
        "no_data": "Ei tietoa",
        "not_judged": "Ei arvioitu",
        "rule_context": "taustamittari",
        "rule_no_baseline": "ei vertailukohtaa",
        "theme_heading": "Teema {no}: {title}",
        "goal_heading": "Tavoite {no}: {title}",
        "worst": "Selvimmin heikentyneet: {items}",
        "measure": "Mittari",
        "group": "Ryhmä",
        "latest": "Viimeisin",
        "baseline": "Lähtötaso",
        "change": "Muutos",
        "country": "Koko maa",
        "status": "Tila",
        "age": "Tiedon ikä",
        "source": "Lähde",
        "years": "{n} v",
        "charts": "Mittarit kuvaajina",
        "target": "Tavoite",
        "no_charts": "Tavoitteen mittareista ei ole vielä aikasarjoja.",
        "actions": "Toimenpiteet ({n})",
        "focus": "Painopiste",
        "action": "Toimenpide",
        "updated": "Päivitetty",
        "comment": "Kommentti",
        "no_status": "ei tilatietoa",
        "hyte": "Hyte-kerroin",
        "hyte_missing": "Hyte-kerroimen taulut eivät ole vielä valmiina; osio täydentyy, kun ne on laskettu.",
        "hyte_text": "{name}: mallin mukainen hyte-kerroin maksuvuodelle {year} on {coef} eli {eur} €/asukas "
        "({total} € yhteensä). Sijoitus maakunnassa {rank_mk}., koko maassa {rank}. Luku on mallin "
        "toisinto, ei virallinen laskelma (oletusjoukko {set}; perushinta {price} €/asukas: {price_source}).",
        "hyte_published": "Suunnitelmassa ilmoitettu lisäosa: {eur} €/asukas ({source}).",
        "hyte_demo_inputs": "Laskelman demoaineistoa olevat syöttötiedot: {inputs}. Toisinnettu luku ei "
        "siksi kerro todellista kerrointa.",
        "input_process_answers": "prosessi-indikaattorien vastaukset (TEAviisari)",
        "input_outcome_values": "tulosindikaattorien arvot",
        "input_population": "väestö",
        "what_if": "Mitä jos: yhden indikaattorin parantaminen",
        "indicator": "Indikaattori",
        "kind": "Laji",
        "points": "Pisteet ennen → jälkeen",
        "coef_after": "Kerroin jälkeen",
        "gain_per_resident": "Lisäys €/asukas",
        "gain_total": "Lisäys € yhteensä",
        "kind_process": "prosessi",
        "kind_outcome": "tulos",
        "assumptions": "Tulkintavaihtoehtojen vertailu",
        "assumption_set": "Oletusjoukko",
        "coefficient": "Kerroin",
        "eur_per_resident": "€/asukas",
        "delta_published": "Ero ilmoitettuun, €/asukas",
        "freshness": "Tietojen ajantasaisuus",
        "latest_period": "Uusin ajanjakso",
        "fetched": "Haettu",
        "rows": "Rivejä",
        "demo": "Demo",
        "yes": "kyllä",
        "no": "ei",
        "method": "Tila kertoo viimeisimmän arvon suunnan lähtötasoon (vuosi 2025 tai aiempi) verrattuna. "
        "Muutos lasketaan merkittäväksi vasta, kun se ylittää mittarin satunnaisvaihtelun rajan "
        "(kyselyissä luottamusväli, lukumäärissä Poisson-väli, muuten yksikön vähimmäismuutos). "
        "Tiedon ikä on raportointivuoden ja viimeisimmän tilastovuoden erotus.",
    },
    "en": {
        "title": "Welfare plan 2026–2029 monitoring: annual report {year}",
        "subtitle": "{name}: goal measures, actions and the hyte coefficient",
        "generated": "Generated {generated}. Data as of {as_of}.",
        "banner_title": "Note: this report contains demo data.",
        "banner": "{demo} of the {total} figures in this report are generated demo values. They are not "
        "official statistics and do not describe the real situation. Demo values are "
        "marked DEMO.",
        "summary": "Summary by theme",
        "theme": "Theme",
        "measures": "Measures",
        "with_data": "With data",
        "improving": "Improving",
        "stable": "Stable",
        "worsening": "Worsening",
        "target_met": "Target met",
        "no_data": "No data",
        "not_judged": "Not judged",
        "rule_context": "context measure",
        "rule_no_baseline": "nothing to compare with",
        "theme_heading": "Theme {no}: {title}",
        "goal_heading": "Goal {no}: {title}",
        "worst": "Most clearly worsening: {items}",
        "measure": "Measure",
        "group": "Group",
        "latest": "Latest",
        "baseline": "Baseline",
        "change": "Change",
        "country": "Finland",
        "status": "Status",
        "age": "Data age",
        "source": "Source",
        "years": "{n} y",
        "charts": "Measures as charts",
        "target": "Target",
        "no_charts": "None of the goal's measures has a time series yet.",
        "actions": "Actions ({n})",
        "focus": "Focus area",
        "action": "Action (in Finnish, as in the plan)",
        "updated": "Updated",
        "comment": "Comment",
        "no_status": "no status delivered",
        "hyte": "Hyte coefficient",
        "hyte_missing": "The hyte-kerroin tables have not been built yet; this section fills in once "
        "they are.",
        "hyte_text": "{name}: by the model, the hyte coefficient for payment year {year} is {coef}, i.e. "
        "{eur} € per resident ({total} € in all). Rank in the maakunta {rank_mk}, in Finland {rank}. "
        "The figure is a reproduction, not the official calculation (assumption set {set}; "
        "base price {price} € per resident: {price_source}).",
        "hyte_published": "Bonus stated in the plan: {eur} € per resident ({source}).",
        "hyte_demo_inputs": "Inputs of this calculation that are demo data: {inputs}. The reproduced figure "
        "therefore does not tell the real coefficient.",
        "input_process_answers": "process indicator answers (TEAviisari)",
        "input_outcome_values": "outcome indicator values",
        "input_population": "population",
        "what_if": "What if: improving one indicator at a time",
        "indicator": "Indicator",
        "kind": "Kind",
        "points": "Points before → after",
        "coef_after": "Coefficient after",
        "gain_per_resident": "Gain € per resident",
        "gain_total": "Gain € in all",
        "kind_process": "process",
        "kind_outcome": "outcome",
        "assumptions": "Comparison of readings of the law",
        "assumption_set": "Assumption set",
        "coefficient": "Coefficient",
        "eur_per_resident": "€ per resident",
        "delta_published": "Difference to the stated figure, € per resident",
        "freshness": "How current the data is",
        "latest_period": "Latest period",
        "fetched": "Fetched",
        "rows": "Rows",
        "demo": "Demo",
        "yes": "yes",
        "no": "no",
        "method": "The status is the direction of the latest value against the baseline (2025 or earlier). "
        "A change counts only beyond the measure's noise band (a confidence interval for surveys, a "
        "Poisson interval for counts, otherwise the unit's minimum meaningful change). Data age is the "
        "report year minus the latest statistics year.",
    },
}

SOURCES: dict[str, tuple[str, str]] = {
    "sotkanet": ("THL Sotkanet", "THL Sotkanet"),
    "kouluterveyskysely": ("Kouluterveyskysely (THL)", "School health survey (THL)"),
    "statfin": ("Tilastokeskus", "Statistics Finland"),
    "employment": ("Työllisyyskatsaus", "Employment review"),
    "teaviisari": ("TEAviisari (THL)", "TEAviisari (THL)"),
    "hyte": ("Hyte-kerroin", "Hyte coefficient"),
    "regional_survey": ("Alueellinen hyvinvointikysely", "Regional welfare survey"),
    "older_people_survey": ("Ikäihmisten hyvinvointikysely", "Older people's welfare survey"),
    "resident_survey": ("Kaupungin kyselyt", "City surveys"),
    "local": ("Kaupungin omat tilastot", "City's own counts"),
    "plan": ("Hyvinvointisuunnitelma", "Welfare plan"),
}
UNITS: dict[str, tuple[str, str]] = {
    "percent": ("\u00a0%", "\u00a0%"),
    "per_10000": (" / 10\u00a0000", " / 10,000"),
    "per_100000": (" / 100\u00a0000", " / 100,000"),
    "eur_per_m2": ("\u00a0€/m²", "\u00a0€/m²"),
    "eur_per_resident": ("\u00a0€/as.", "\u00a0€/res."),
    "score_0_100": (" / 100", " / 100"),
}
STATUS_MARKS = {
    "improving": "▲",
    "worsening": "▼",
    "stable": "●",
    "target_met": "★",
    "no_data": "○",
    "not_judged": "◌",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:1180px;
padding:1.5rem;color:#1d1d1d;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.4rem;border-bottom:2px solid #1f4e79;color:#1f4e79}
h3{margin-top:1.8rem}.muted{color:#555;font-size:.9rem}td .muted{font-size:.72rem}
.banner{background:#fdecea;border:2px solid #b00020;padding:.8rem 1rem;margin:1rem 0;border-radius:4px}
.banner strong{color:#b00020}
table{border-collapse:collapse;width:100%;font-size:.8rem;margin:.6rem 0}
.scroll{overflow-x:auto}
th,td{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;white-space:nowrap}
.st{font-weight:600}.st-improving{color:#2e7d32}.st-worsening{color:#b00020}
.st-target_met{color:#2e7d32}.st-stable,.st-not_judged{color:#555}.st-no_data{color:#999}
.demo{display:inline-block;font-size:.65rem;font-weight:700;color:#fff;background:#b00020;
border-radius:3px;padding:0 .25rem;margin-left:.25rem;vertical-align:middle}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:.8rem}
figure{margin:0;border:1px solid #e3e3e3;padding:.3rem;border-radius:4px}
figure img{width:100%;height:auto;display:block}figcaption{font-size:.78rem;color:#333}
.legend span{display:inline-block;margin-right:1rem;font-size:.8rem}
.key{display:inline-block;width:1.4rem;height:0;border-top:3px solid;vertical-align:middle;margin-right:.3rem}
details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
"""


def render_report(
    data: ReportData,
    charts: Mapping[str, bytes],
    *,
    lang: str = "fi",
    generated_at: dt.datetime | None = None,
) -> str:
    """The whole report as one HTML document in `lang` ("fi" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {LANGUAGES}")
    r = _Renderer(data, charts, lang)
    generated = (generated_at or dt.datetime.now()).strftime(
        "%d.%m.%Y %H:%M" if lang == "fi" else "%Y-%m-%d %H:%M"
    )
    as_of = data.as_of.strftime("%d.%m.%Y") if lang == "fi" else data.as_of.isoformat()
    demo, total = data.demo_counts()
    body = [
        f"<h1>{r.t('title', year=data.year)}</h1>",
        f"<p>{r.t('subtitle', name=data.municipality_name)}</p>",
        f"<p class='muted'>{r.t('generated', generated=generated, as_of=as_of)}</p>",
    ]
    if demo:
        body.append(
            "<div class='banner' role='alert' id='demo-banner'>"
            f"<strong>{r.t('banner_title')}</strong> "
            f"{r.t('banner', demo=demo, total=total)}</div>"
        )
    body += [r.summary(), *(r.theme(theme) for theme in data.themes.itertuples()), r.hyte(), r.sources()]
    body.append(f"<p class='muted'>{r.t('method')}</p>")
    title = r.t("title", year=data.year)
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


class _Renderer:
    """HTML fragments in one language; every text from the data goes through html.escape."""

    def __init__(self, data: ReportData, charts: Mapping[str, bytes], lang: str) -> None:
        self.data = data
        self.charts = charts
        self.fi = lang == "fi"
        self.text = TEXT[lang]

    def t(self, key: str, **values: object) -> str:
        return self.text[key].format(**{k: _esc(v) for k, v in values.items()})

    def raw_title(self, row: Any) -> str:
        """The row's title in the report language, the Finnish one where no translation exists."""
        return str(getattr(row, "title_fi" if self.fi else "title_en") or row.title_fi)

    def title(self, row: Any) -> str:
        return _esc(self.raw_title(row))

    def number(self, value: Any, decimals: int | None = None) -> str:
        """Finnish number format (1\u00a0234,5) in Finnish, 1,234.5 in English; a dash for NULL."""
        if pd.isna(value):
            return "–"
        number = float(value)
        if decimals is None:
            decimals = 0 if abs(number) >= 100 or number.is_integer() else 1 if abs(number) >= 1 else 2
        text = f"{number:,.{decimals}f}"
        if self.fi:
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text.replace("-", "−")

    def value(self, value: Any, unit: str) -> str:
        if pd.isna(value):
            return "–"
        if unit == "yes_no":
            return self.text["yes"] if float(value) >= 0.5 else self.text["no"]
        return self.number(value) + UNITS.get(unit, ("", ""))[0 if self.fi else 1]

    def source(self, key: object) -> str:
        names = SOURCES.get(str(key))
        return _esc(names[0 if self.fi else 1] if names else key)

    def status(self, row: Any) -> str:
        status = str(row.status)
        judged = bool(row.is_judged)
        key = status if judged or status in ("no_data", "target_met") else "not_judged"
        label = self.text[key]
        rule = row.status_rule
        if key == "not_judged" and f"rule_{rule}" in self.text:
            label += f" ({self.text[f'rule_{rule}']})"
        return f"<span class='st st-{key}' data-status='{key}'>{STATUS_MARKS[key]} {label}</span>"

    def demo(self, flag: object) -> str:
        return "<span class='demo'>DEMO</span>" if _true(flag) else ""

    def summary(self) -> str:
        t = self.text
        head = [
            "theme",
            "measures",
            "with_data",
            "improving",
            "stable",
            "worsening",
            "target_met",
            "not_judged",
        ]
        rows = [
            [
                self.title(th) + self.demo(th.any_demo),
                *(
                    self.number(v)
                    for v in (
                        th.measures_total,
                        th.measures_with_data,
                        th.n_improving,
                        th.n_stable,
                        th.n_worsening,
                        th.n_target_met,
                        th.n_not_judged,
                    )
                ),
            ]
            for th in self.data.themes.itertuples()
        ]
        return f"<h2>{t['summary']}</h2>" + _table([t[h] for h in head], rows, numeric_from=1)

    def theme(self, theme: Any) -> str:
        goals = self.data.goals[self.data.goals["theme_id"] == theme.theme_id]
        summary = getattr(theme, "summary_fi" if self.fi else "summary_en")
        parts = [
            f"<section class='theme' id='{_esc(theme.theme_id)}'>",
            f"<h2>{self.t('theme_heading', no=theme.theme_no, title=self.raw_title(theme))}</h2>",
            f"<p>{_esc(summary)}</p>",
            *(self.goal(goal) for goal in goals.itertuples()),
            "</section>",
        ]
        return "".join(parts)

    def goal(self, goal: Any) -> str:
        goal_id = str(goal.goal_id)
        rows = self.data.indicators[self.data.indicators["goal_id"] == goal_id]
        summary = getattr(goal, "summary_fi" if self.fi else "summary_en")
        parts = [
            f"<section class='goal' id='{_esc(goal_id)}'>",
            f"<h3>{self.t('goal_heading', no=goal.goal_no, title=self.raw_title(goal))}</h3>",
            f"<p>{_esc(summary)}</p>",
        ]
        worst = goal.worst_moving
        if isinstance(worst, str) and worst:
            parts.append(f"<p>{self.t('worst', items=worst)}</p>")
        parts += [self.scorecard(rows), self.goal_charts(rows), self.actions(goal_id), "</section>"]
        return "".join(parts)

    def scorecard(self, rows: pd.DataFrame) -> str:
        t = self.text
        head = [t["measure"], t["group"], t["latest"], t["baseline"], t["change"]]
        head += [_esc(self.data.comparison_name), t["country"], t["status"], t["age"], t["source"]]
        body = []
        previous = None
        for row in rows.itertuples():
            unit = str(row.unit)
            first = row.measure_id != previous
            previous = row.measure_id
            group = "" if row.group_type == "total" else _esc(row.group_value)
            latest = self.value(row.latest_value, unit)
            if pd.notna(row.latest_period):
                latest += f"<br><span class='muted'>{_esc(row.latest_period)}</span>"
            baseline = self.value(row.baseline_value, unit)
            if pd.notna(row.baseline_period):
                baseline += f"<br><span class='muted'>{_esc(row.baseline_period)}</span>"
            age = "–" if pd.isna(row.data_age_years) else self.t("years", n=int(row.data_age_years))
            body.append(
                [
                    self.title(row) if first else "",
                    group,
                    latest + self.demo(row.is_demo and pd.notna(row.latest_value)),
                    baseline,
                    "–" if pd.isna(row.change_since_baseline) else self.number(row.change_since_baseline),
                    self.value(row.maakunta_value, unit)
                    + self.demo(row.comparison_is_demo and pd.notna(row.maakunta_value)),
                    self.value(row.koko_maa_value, unit)
                    + self.demo(row.comparison_is_demo and pd.notna(row.koko_maa_value)),
                    self.status(row),
                    age,
                    self.source(row.source),
                ]
            )
        table = _table(head, body, numeric_from=2, numeric_to=6, css_class="scorecard")
        return f"<div class='scroll'>{table}</div>"

    def goal_charts(self, rows: pd.DataFrame) -> str:
        t = self.text
        figures = []
        for row in rows.drop_duplicates("measure_id").itertuples():
            png = self.charts.get(str(row.measure_id))
            if png is None:
                continue
            unit = UNITS.get(str(row.unit), ("", ""))[0 if self.fi else 1].strip()
            group = self.data.series.loc[self.data.series["measure_id"] == row.measure_id, "group_value"]
            label = self.title(row)
            if len(group) and group.iloc[0] != "total":
                label += f" ({_esc(group.iloc[0])})"
            caption = label + (f", {_esc(unit)}" if unit and not label.endswith(_esc(unit)) else "")
            figures.append(
                f"<figure data-measure='{_esc(row.measure_id)}'><img src='{png_data_uri(png)}' "
                f"alt='{caption}' width='272' height='152'><figcaption>{caption}</figcaption></figure>"
            )
        if not figures:
            return f"<p class='muted'>{t['no_charts']}</p>"
        keys = (
            ("#1f4e79", "solid", _esc(self.data.municipality_name)),
            ("#d9822b", "solid", _esc(self.data.comparison_name)),
            ("#7f7f7f", "dashed", t["country"]),
            ("#2e7d32", "dotted", t["target"]),
        )
        legend = (
            "<p class='legend'>"
            + "".join(
                f"<span><i class='key' style='border-color:{color};border-top-style:{style}'></i>"
                f"{label}</span>"
                for color, style, label in keys
            )
            + "</p>"
        )
        return f"<h4>{t['charts']}</h4>{legend}<div class='charts'>{''.join(figures)}</div>"

    def actions(self, goal_id: str) -> str:
        t = self.text
        rows = self.data.actions[self.data.actions["goal_id"] == goal_id]
        if rows.empty:
            return ""
        body = [
            [
                _esc(row.focus_area_fi),
                _esc(row.action_fi),
                (_esc(row.status) + self.demo(row.is_demo)) if pd.notna(row.status) else t["no_status"],
                "–" if pd.isna(row.updated_at) else self.date(row.updated_at),
                "" if pd.isna(row.comment) else _esc(row.comment),
            ]
            for row in rows.itertuples()
        ]
        table = _table([t["focus"], t["action"], t["status"], t["updated"], t["comment"]], body)
        return (
            f"<details class='actions'><summary>{self.t('actions', n=len(rows))}</summary>{table}</details>"
        )

    def date(self, value: Any) -> str:
        stamp = pd.Timestamp(value)
        return stamp.strftime("%d.%m.%Y" if self.fi else "%Y-%m-%d")

    def hyte(self) -> str:
        t = self.text
        kerroin = self.data.hyte.get("reports.hyte_kerroin")
        if kerroin is None or kerroin.empty:
            return (
                f"<section id='hyte'><h2>{t['hyte']}</h2><p class='muted'>{t['hyte_missing']}</p></section>"
            )
        k = kerroin.iloc[0]
        parts = [
            f"<section id='hyte'><h2>{t['hyte']}{self.demo(k['is_demo'])}</h2>",
            "<p>"
            + self.t(
                "hyte_text",
                name=self.data.municipality_name,
                year=k["payment_year"],
                coef=self.number(k["coefficient"], 3),
                eur=self.number(k["eur_per_resident"], 2),
                total=self.number(k["eur_total"], 0),
                rank_mk=k.get("rank_maakunta", "–"),
                rank=k["rank_national"],
                set=k["assumption_set"],
                price=self.number(k["base_price_eur"], 2),
                price_source=k["base_price_source"],
            )
            + "</p>",
        ]
        published = self.data.hyte.get("reports.hyte_published")
        if (
            published is not None
            and len(published)
            and pd.notna(published["published_eur_per_resident"].iloc[0])
        ):
            first = published.iloc[0]
            parts.append(
                "<p>"
                + self.t(
                    "hyte_published",
                    eur=self.number(first["published_eur_per_resident"], 2),
                    source=first["published_source"],
                )
                + "</p>"
            )
            if "demo_inputs" in published and isinstance(first["demo_inputs"], str) and first["demo_inputs"]:
                inputs = ", ".join(t[f"input_{key.strip()}"] for key in first["demo_inputs"].split(","))
                parts.append(f"<p class='demo-note'>{self.t('hyte_demo_inputs', inputs=inputs)}</p>")
        what_if = self.data.hyte.get("reports.hyte_what_if")
        if what_if is not None and len(what_if):
            body = [
                [
                    _esc(w.title_fi or w.indicator_id),
                    t.get(f"kind_{w.kind}", _esc(w.kind)),
                    f"{self.number(w.points_before, 0)} → {self.number(w.points_after, 0)}",
                    self.number(w.coefficient_after, 3),
                    self.number(w.gain_eur_per_resident, 2),
                    self.number(w.gain_eur_total, 0),
                ]
                for w in what_if.itertuples()
            ]
            head = [t["indicator"], t["kind"], t["points"], t["coef_after"], t["gain_per_resident"]]
            parts += [f"<h3>{t['what_if']}</h3>", _table([*head, t["gain_total"]], body, numeric_from=2)]
        if published is not None and len(published):
            body = [
                [
                    _esc(p.assumption_set),
                    self.number(p.coefficient, 3),
                    self.number(p.eur_per_resident, 2),
                    self.number(p.delta_vs_published_eur, 2),
                ]
                for p in published.itertuples()
            ]
            head = [t["assumption_set"], t["coefficient"], t["eur_per_resident"], t["delta_published"]]
            parts += [f"<h3>{t['assumptions']}</h3>", _table(head, body, numeric_from=1)]
        return "".join(parts) + "</section>"

    def sources(self) -> str:
        t = self.text
        body = [
            [
                self.source(s.source),
                _esc(s.latest_period),
                "–" if pd.isna(s.fetched_at) else self.date(s.fetched_at),
                self.number(s.rows),
                t["yes"] if _true(s.is_demo) else t["no"],
            ]
            for s in self.data.sources.itertuples()
        ]
        head = [t["source"], t["latest_period"], t["fetched"], t["rows"], t["demo"]]
        return f"<section id='freshness'><h2>{t['freshness']}</h2>{_table(head, body)}</section>"


def _table(
    head: Iterable[str],
    rows: Iterable[Iterable[str]],
    *,
    numeric_from: int | None = None,
    numeric_to: int | None = None,
    css_class: str = "",
) -> str:
    """An HTML table of already-escaped cells; columns numeric_from..numeric_to are right-aligned."""

    def cell(i: int, value: str) -> str:
        numeric = numeric_from is not None and i >= numeric_from and (numeric_to is None or i <= numeric_to)
        return f"<td class='num'>{value}</td>" if numeric else f"<td>{value}</td>"

    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table class='{css_class}'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _true(flag: Any) -> bool:
    """A nullable boolean cell: NULL (no delivered status, say) is not true."""
    return bool(pd.notna(flag) and flag)
