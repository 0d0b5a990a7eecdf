"""What the validation rules compare a table with (the date, the catalog, the municipality and its
regions), read once per check from the warehouse and the data folder."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from hyte_assets.defs.resources import PipelineSettings
from hyte_assets.lib.catalog import load_catalog
from hyte_assets.lib.region_table import RegionTable, RegionTableError, load_region_table
from hyte_assets.lib.warehouse import read_table, table_exists

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Context:
    """What the rules compare a table with: the date, the catalog, the municipality and its regions."""

    today: dt.date
    municipality_code: str
    measures: "pd.DataFrame"
    regions: "pd.DataFrame | None"
    indicator_status: "pd.DataFrame | None"
    hyte: "pd.DataFrame | None"
    school_level_ids: "pd.DataFrame | None" = None
    region_table: RegionTable | None = None

    @classmethod
    def load(
        cls,
        con: "duckdb.DuckDBPyConnection",
        settings: PipelineSettings,
        *,
        today: dt.date | None = None,
        regions: "pd.DataFrame | None" = None,
    ) -> "Context":
        """Read the context from the warehouse; `regions` overrides raw.sotkanet_regions (for the
        regions table itself, whose rules compare it with itself)."""
        import pandas as pd

        def optional(name: str) -> "pd.DataFrame | None":
            return read_table(con, name) if table_exists(con, name) else None

        hyte_path = settings.data_path / "hyte" / "indicators.csv"
        catalog = load_catalog(settings.data_path / "catalog")
        return cls(
            today=today or dt.date.today(),
            municipality_code=settings.municipality_code.zfill(3),
            measures=catalog.measures,
            school_level_ids=catalog.school_level_ids,
            region_table=_region_table(settings),
            regions=regions if regions is not None else optional("raw.sotkanet_regions"),
            indicator_status=optional("raw.sotkanet_indicators"),
            hyte=pd.read_csv(hyte_path, dtype=str) if hyte_path.exists() else None,
        )

    def comparison(self) -> dict[str, str]:
        """The municipality's comparison regions as `level:code`, by level.

        The maakunta and wellbeing county come from the shipped region table (so StatFin and the
        employment review are judged while Sotkanet is down), else from raw.sotkanet_regions. A level
        that cannot be resolved becomes `level:?`, which no row has: the rule then fails instead of
        silently checking less.
        """
        found = {"kunta": f"kunta:{self.municipality_code}", "koko_maa": "koko_maa:SSS"}
        codes: dict[str, object] = {}
        if self.region_table is not None:
            try:
                home_row = self.region_table.municipality(self.municipality_code)
                codes = {"maakunta": home_row.maakunta_code, "hyvinvointialue": home_row.county_code}
            except ValueError:
                codes = {}
        if not codes and self.regions is not None:
            rows = self.regions[
                (self.regions["region_level"] == "kunta")
                & (self.regions["region_code"] == self.municipality_code)
            ]
            if len(rows):
                home = rows.iloc[0]
                codes = {level: home.get(f"{level}_code") for level in ("maakunta", "hyvinvointialue")}
        for level in ("maakunta", "hyvinvointialue"):
            code = codes.get(level)
            found[level] = f"{level}:{code if isinstance(code, str) and code else '?'}"
        return found

    def catalog_measures(self, sources: tuple[str, ...]) -> set[str]:
        return set(self.measures.loc[self.measures["source"].isin(sources), "measure_id"])

    def ref_measures(self, sources: tuple[str, ...], *, ok_only: bool = False) -> set[str]:
        """Catalog measures of these sources with a cited source id (school-survey measures pinned
        per school level count too); with `ok_only`, less those whose Sotkanet id failed (they are
        reported in raw.sotkanet_indicators instead)."""
        measures = self.measures[self.measures["source"].isin(sources) & (self.measures["source_ref"] != "")]
        wanted = set(measures["measure_id"])
        if self.school_level_ids is not None:
            per_level = self.school_level_ids["measure_id"]
            in_sources = self.measures.loc[self.measures["source"].isin(sources), "measure_id"]
            wanted |= set(per_level[per_level.isin(set(in_sources))])
        if ok_only and self.indicator_status is not None:
            status = self.indicator_status
            wanted -= set(status.loc[status["status"] != "ok", "measure_id"])
        return wanted

    def hyte_indicators(self, kind: str) -> set[str]:
        if self.hyte is None:
            return set()
        return set(self.hyte.loc[self.hyte["kind"] == kind, "indicator_id"])


def _region_table(settings: PipelineSettings) -> RegionTable | None:
    """The shipped region table, or None when a data folder has none (then raw.sotkanet_regions)."""
    try:
        return load_region_table(settings.data_path)
    except RegionTableError:
        return None
