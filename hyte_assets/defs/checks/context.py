"""What the validation rules compare a table with (the date, the catalog, the municipality and its
regions), read once per check from the warehouse and the data folder."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from hyte_assets.defs.resources import PipelineSettings
from hyte_assets.lib.catalog import load_catalog
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
        return cls(
            today=today or dt.date.today(),
            municipality_code=settings.municipality_code.zfill(3),
            measures=load_catalog(settings.data_path / "catalog").measures,
            regions=regions if regions is not None else optional("raw.sotkanet_regions"),
            indicator_status=optional("raw.sotkanet_indicators"),
            hyte=pd.read_csv(hyte_path, dtype=str) if hyte_path.exists() else None,
        )

    def comparison(self) -> dict[str, str]:
        """The municipality's comparison regions as `level:code`, by level.

        A level that cannot be resolved becomes `level:?`, which no row has: the rule then fails
        instead of silently checking less.
        """
        found = {"kunta": f"kunta:{self.municipality_code}", "koko_maa": "koko_maa:SSS"}
        home = None
        if self.regions is not None:
            rows = self.regions[
                (self.regions["region_level"] == "kunta")
                & (self.regions["region_code"] == self.municipality_code)
            ]
            home = rows.iloc[0] if len(rows) else None
        for level in ("maakunta", "hyvinvointialue"):
            code = home.get(f"{level}_code") if home is not None else None
            found[level] = f"{level}:{code if isinstance(code, str) and code else '?'}"
        return found

    def catalog_measures(self, sources: tuple[str, ...]) -> set[str]:
        return set(self.measures.loc[self.measures["source"].isin(sources), "measure_id"])

    def ref_measures(self, sources: tuple[str, ...], *, ok_only: bool = False) -> set[str]:
        """Catalog measures of these sources with a cited source id; with `ok_only`, less those
        whose Sotkanet id failed (they are reported in raw.sotkanet_indicators instead)."""
        measures = self.measures[self.measures["source"].isin(sources) & (self.measures["source_ref"] != "")]
        wanted = set(measures["measure_id"])
        if ok_only and self.indicator_status is not None:
            status = self.indicator_status
            wanted -= set(status.loc[status["status"] != "ok", "measure_id"])
        return wanted

    def hyte_indicators(self, kind: str) -> set[str]:
        if self.hyte is None:
            return set()
        return set(self.hyte.loc[self.hyte["kind"] == kind, "indicator_id"])
