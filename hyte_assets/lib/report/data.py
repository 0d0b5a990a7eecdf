"""Everything the welfare report shows, read once: warehouse tables, catalog files and the
coordinator's text files.

Tables that other parts of the pipeline may not have built yet (`reports.group_gaps`,
`reports.group_movement`, `reports.teaviisari`, the hyte-kerroin tables, `raw.action_status`,
`raw.resources`) are optional: when absent the report says so or leaves the part out, it never fails on them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hyte_assets.lib.warehouse import table_exists

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

KINDS = ("annual", "council_term")
HYTE_TABLES = ("reports.hyte_kerroin", "reports.hyte_what_if", "reports.hyte_published")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "data"
# Council terms (valtuustokausi) start in June after the April elections: 2025–2029, 2029–2033, ...
FIRST_TERM_START = 2025
TEXT_SECTIONS = ("yhteistyo", "liikunta", "elintavat")


@dataclass
class ReportData:
    """The report's inputs; `texts` maps a section (a theme id, "yhteistyo", ...) to Markdown."""

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
    kind: str = "annual"
    status: pd.DataFrame | None = None
    action_keys: dict[str, str] = field(default_factory=dict)
    group_gaps: pd.DataFrame | None = None
    group_movement: pd.DataFrame | None = None
    teaviisari: pd.DataFrame | None = None
    tea_sectors: pd.DataFrame | None = None
    minimum: pd.DataFrame | None = None
    section_measures: pd.DataFrame | None = None
    resources: pd.DataFrame | None = None
    texts: dict[str, str | None] = field(default_factory=dict)
    text_dir: str = ""

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def term(self) -> tuple[int, int]:
        """The council term the report year falls in (a term starting in June owns the rest of its year)."""
        start = FIRST_TERM_START + 4 * ((self.year - FIRST_TERM_START) // 4)
        return start, start + 4

    def demo_counts(self) -> tuple[int, int]:
        """(demo figures, all figures) among the values the report shows."""
        import pandas as pd

        parts = [
            (self.indicators["is_demo"] | self.indicators["comparison_is_demo"])[
                self.indicators["latest_value"].notna()
            ],
            self.series["is_demo"],
            *(frame["is_demo"] for frame in self.hyte.values()),
            *(
                f["is_demo"].dropna()
                for f in (self.status, self.teaviisari, self.group_gaps)
                if f is not None and "is_demo" in f
            ),
        ]
        flags = pd.concat([p.astype(bool) for p in parts], ignore_index=True)
        return int(flags.sum()), len(flags)


def report_kind(kind: str | None = None) -> str:
    """annual | council_term, from the argument or HYTE_REPORT_KIND (default annual)."""
    value = (kind or os.environ.get("HYTE_REPORT_KIND") or "annual").strip()
    if value not in KINDS:
        raise ValueError(f"HYTE_REPORT_KIND={value!r}; expected one of {KINDS}")
    return value


def load_report_data(
    con: duckdb.DuckDBPyConnection, *, data_dir: Path | None = None, kind: str | None = None
) -> ReportData:
    """Read the scorecards, series, actions, sources, optional tables and the coordinator's files."""
    from hyte_assets.lib.actions import read_action_keys

    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
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
    indicators = con.execute(
        """
        select trim(mg.goal_id) as goal_id, si.*
        from reports.scorecard_indicator as si
        inner join catalog.measure_goals as mg on trim(mg.measure_id) = si.measure_id
        inner join catalog.measures as m on m.measure_id = si.measure_id
        order by goal_id, m.rowid, si.group_type = 'total' desc, si.group_value
        """
    ).df()
    sources = con.execute(
        """
        select source, max(period) as latest_period, max(fetched_at) as fetched_at,
            count(*) as rows, bool_or(is_demo) as is_demo
        from marts.indicator_values where value is not null group by source order by source
        """
    ).df()
    catalog, local = data_dir / "catalog", data_dir / "local"
    keys_file = catalog / "action_keys.csv"
    year = as_of.year
    text_dir = local / "kertomus" / str(year)
    themes = con.execute("select * from reports.scorecard_theme order by theme_no").df()
    texts = {
        section: _read_text(text_dir / f"{section}.md")
        for section in (*themes["theme_id"].astype(str), *TEXT_SECTIONS)
    }
    return ReportData(
        municipality_code=code,
        municipality_name=name,
        comparison_name=comparison or "",
        as_of=as_of,
        themes=themes,
        goals=con.execute("select * from reports.scorecard_goal order by goal_no").df(),
        indicators=indicators,
        series=_chart_series(con),
        actions=con.execute(
            "select action_id, goal_id, focus_area_fi, action_fi, responsible from catalog.actions "
            "order by action_id"
        ).df(),
        sources=sources,
        hyte={n: _hyte_table(con, n, code) for n in HYTE_TABLES if table_exists(con, n)},
        kind=report_kind(kind),
        status=_optional(con, "raw.action_status"),
        action_keys=read_action_keys(keys_file) if keys_file.exists() else {},
        group_gaps=_optional(con, "reports.group_gaps"),
        group_movement=_optional(con, "reports.group_movement"),
        teaviisari=_optional(con, "reports.teaviisari"),
        tea_sectors=_csv(catalog / "teaviisari_sectors.csv"),
        minimum=_csv(catalog / "thl_minimum_indicators.csv"),
        section_measures=_csv(catalog / "report_sections.csv"),
        resources=_optional(con, "raw.resources"),
        texts=texts,
        text_dir=f"data/local/kertomus/{year}",
    )


def _read_text(path: Path) -> str | None:
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8-sig")
    return text if text.strip() else None


def _csv(path: Path) -> pd.DataFrame | None:
    import pandas as pd

    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _optional(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame | None:
    return con.execute(f"select * from {name}").df() if table_exists(con, name) else None


def _hyte_table(con: duckdb.DuckDBPyConnection, name: str, code: str) -> pd.DataFrame:
    order = " order by gain_eur_per_resident desc" if name.endswith("what_if") else ""
    return con.execute(f"select * from {name} where municipality_code = ?{order}", [code]).df()


def _chart_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each measure's headline group (the total, else the group with most home points) as one series per
    level: the municipality, its maakunta (its wellbeing county where the maakunta has none) and Finland."""
    import pandas as pd

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
