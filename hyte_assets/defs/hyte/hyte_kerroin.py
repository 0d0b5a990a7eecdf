"""The hyte-kerroin view: reproduce the state-subsidy coefficient for health promotion, explain it,
and show what would raise it (laki 618/2021 § 15; VNA 1393/2022 § 3 and its annex).

Normalisation needs every municipality, so this runs on national-scope inputs. Outcome indicators the
catalog carries come from `marts.measure_series`, so the scorecard and this view show the same figures;
`raw.hyte_outcome_values` supplies the rest (lib/hyte/inputs.py). What the law leaves open is a named
assumption (data/hyte/assumptions.toml, data/hyte/vintages.csv); every row says which set produced it.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.defs.unchanged import inputs_version
from hyte_assets.lib import hyte as hk
from hyte_assets.lib.hyte import inputs
from hyte_assets.lib.hyte.what_if import calibration, published_sentences
from hyte_assets.lib.region_table import load_region_table
from hyte_assets.lib.warehouse import inputs_unchanged, read_table, replace_tables

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

TABLES = ("hyte_kerroin", "hyte_kerroin_components", "hyte_what_if", "hyte_published")
INPUTS = ("hyte_process_answers", "hyte_outcome_values", "population", "sotkanet_regions")
SERIES_TABLE = "marts.measure_series"
INPUT_TABLES = (*(f"raw.{name}" for name in INPUTS), SERIES_TABLE)
FILES = ("hyte", "regions/regions-fi.csv")
# This module and the calculation package: a change to any of them rebuilds the tables.
CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in [Path(__file__), *sorted(Path(hk.__file__).parent.glob("*.py"))])
).hexdigest()[:12]


def demo_municipalities(*frames: "pd.DataFrame") -> set[str]:
    """Municipalities any of whose inputs is demo data."""
    return set().union(*(set(f.loc[f["is_demo"].astype(bool), "municipality_code"]) for f in frames))


def demo_input_names(
    home: str, answers: "pd.DataFrame", outcomes: "pd.DataFrame", population: "pd.DataFrame"
) -> str:
    """Which of the municipality's inputs are demo data (`process_answers`, `outcome_values`,
    `population`), so that the report can say so plainly."""
    named = (("process_answers", answers), ("outcome_values", outcomes), ("population", population))
    demo = [
        name
        for name, frame in named
        if frame.loc[frame["municipality_code"] == home, "is_demo"].astype(bool).any()
    ]
    return ", ".join(demo)


def municipality_name(settings: PipelineSettings, code: str) -> str:
    """The municipality's name from the shipped region table (for the report sentences)."""
    names = {m.code: m.name for m in load_region_table(settings.data_path).municipalities}
    return names.get(code, code)


def municipal_series(con: "duckdb.DuckDBPyConnection", indicators: "pd.DataFrame") -> "pd.DataFrame":
    """The municipal rows of the measures the hyte indicators are carried by: at national scope the
    whole series is some 470 000 rows, which this step held in memory at the refresh's peak."""
    measures = sorted({measure for measure, _, _ in inputs.series_group(indicators).values()})
    return con.execute(
        f"select * from {SERIES_TABLE} where region_level = 'kunta' and list_contains(?, measure_id)",
        [measures],
    ).df()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["reports", name],
            group_name="hyte",
            kinds={"python", "duckdb"},
            owners=["team:hyte"],
            deps=[*(dg.AssetKey(["raw", name]) for name in INPUTS), dg.AssetKey(SERIES_TABLE.split("."))],
            description=description,
        )
        for name, description in (
            (
                "hyte_kerroin",
                "Per municipality: the coefficient first (it does not depend on the price), then process, "
                "outcome and combined score, €/resident, € total, ranks in the region and in Finland, "
                "assumption set, is_demo.",
            ),
            (
                "hyte_kerroin_components",
                "Per municipality × indicator: values of the two years, change, points, weight and "
                "contribution to the coefficient.",
            ),
            (
                "hyte_what_if",
                "For the configured municipality: € gained by improving one indicator at a time.",
            ),
            (
                "hyte_published",
                "The configured municipality's reproduced coefficient under every assumption set, its "
                "distance to the published figure, and summary_fi / summary_en sentences for the report.",
            ),
        )
    ],
    can_subset=False,
)
def hyte_kerroin(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Reproduce the hyte-kerroin for every municipality and explain the configured one's figure."""
    import pandas as pd

    written = [f"reports.{name}" for name in TABLES]
    year = settings.hyte_payment_year
    version = inputs_version(
        settings, warehouse, FILES, INPUT_TABLES, CODE, extra=f"{year}:{settings.hyte_assumption_set}"
    )
    with warehouse.connect() as con:
        current = version is not None and inputs_unchanged(con, written, version)
    if current:
        for name in TABLES:
            yield dg.MaterializeResult(
                asset_key=["reports", name], metadata={"skipped_unchanged_inputs": True}
            )
        return
    hyte_dir = settings.data_path / "hyte"
    indicators = hk.load_indicators(hyte_dir / "indicators.csv")
    sets = hk.load_assumptions(hyte_dir / "assumptions.toml")
    assumptions = sets[settings.hyte_assumption_set]
    prices = hk.load_base_prices(hyte_dir / "base_prices.csv")
    published = hk.load_published(hyte_dir / "published.csv")
    with warehouse.connect() as con:
        answers = read_table(con, "raw.hyte_process_answers")
        raw_outcomes = read_table(con, "raw.hyte_outcome_values")
        series = municipal_series(con, indicators)
        raw_population = read_table(con, "raw.population")
        regions = read_table(con, "raw.sotkanet_regions")
    conflicts = inputs.disagreements(series, raw_outcomes, indicators)
    if len(conflicts):
        context.log.warning(
            f"{len(conflicts)} outcome values differ between {SERIES_TABLE} and raw.hyte_outcome_values; "
            f"the series is used: {conflicts.head(5).to_dict('records')}"
        )
    outcomes = inputs.outcome_values(series, raw_outcomes, indicators)
    municipalities = sorted(set(raw_population["municipality_code"]) & set(answers["municipality_code"]))
    outcomes = outcomes[outcomes["municipality_code"].isin(municipalities)]
    real = pd.DataFrame(
        [
            (m.code, m.population, m.population_year)
            for m in load_region_table(settings.data_path).municipalities
        ],
        columns=["municipality_code", "population", "population_year"],
    )
    population = inputs.population_for_year(
        raw_population, real, year - assumptions.population_lag, municipalities
    ).drop(columns="population_source")
    price, price_source = hk.base_price_for(prices, year, assumptions)
    # hk.calculate's chain; the points are kept for what_if and shared with the comparison of sets.
    scores = hk.SetScores(answers, outcomes, indicators, municipalities, year)
    process_points, outcome_points = scores.process(assumptions), scores.outcomes(assumptions)
    kerroin, components = hk.compute_kerroin(
        process_points, outcome_points, population, indicators, price, assumptions, payment_year=year
    )
    demo = demo_municipalities(answers, outcomes, population)
    home = settings.municipality_code.zfill(3)
    kunnat = regions[regions["region_level"] == "kunta"].set_index("region_code")
    peers = kunnat[kunnat["maakunta_code"] == kunnat.loc[home, "maakunta_code"]].index
    kerroin = kerroin.assign(
        rank_maakunta=kerroin["municipality_code"].map(hk.rank_within(kerroin, peers)).astype("Int64"),
        maakunta_code=kerroin["municipality_code"].map(kunnat["maakunta_code"]),
        base_price_eur=price,
        base_price_source=price_source,
        is_demo=kerroin["municipality_code"].isin(demo),
    )
    what_if = hk.what_if(
        home,
        process_points,
        outcome_points,
        outcomes,
        population,
        indicators,
        price,
        assumptions,
        payment_year=year,
    ).assign(assumption_set=assumptions.name, is_demo=home in demo)
    published_row = published[(published["municipality_code"] == home) & (published["payment_year"] == year)]
    published_eur = float(published_row["eur_per_resident"].iloc[0]) if len(published_row) else None
    comparison = published_comparison(
        home,
        answers,
        outcomes,
        raw_population,
        real,
        indicators,
        municipalities,
        prices,
        sets,
        year,
        published_eur,
        scores=scores,
    ).assign(
        published_source=published_row["source"].iloc[0] if len(published_row) else None,
        is_demo=home in demo,
        demo_inputs=demo_input_names(home, answers, outcomes, population),
    )
    name = municipality_name(settings, home)
    sentences = [published_sentences(row, name) for row in comparison.to_dict("records")]
    comparison["summary_fi"] = [fi for fi, _ in sentences]
    comparison["summary_en"] = [en for _, en in sentences]
    sources = outcomes[["municipality_code", "indicator_id", "value_source"]].drop_duplicates(
        ["municipality_code", "indicator_id"]
    )
    components = components.merge(sources, on=["municipality_code", "indicator_id"], how="left").assign(
        is_demo=lambda c: c["municipality_code"].isin(demo)
    )
    tables = {
        "reports.hyte_kerroin": kerroin,
        "reports.hyte_kerroin_components": components,
        "reports.hyte_what_if": what_if,
        "reports.hyte_published": comparison,
    }
    with warehouse.connect() as con:
        replace_tables(con, tables, inputs_version=version)
    own = kerroin.set_index("municipality_code").loc[home]
    context.log.info(
        f"{home}: coefficient {own['coefficient']:.3f}, {own['eur_per_resident']:.2f} €/resident "
        f"(assumption set {assumptions.name}, base price {price} — {price_source})"
    )
    spread = calibration(kerroin)
    summary = {
        "municipality": home,
        "coefficient": float(own["coefficient"]),
        "eur_per_resident": float(own["eur_per_resident"]),
        "published_eur_per_resident": published_eur,
        "inputs_demo": bool(own["is_demo"]),
        "series_raw_disagreements": len(conflicts),
        "calibration_within_tolerance": bool(spread["within_tolerance"].all()),
    }
    for table, frame in tables.items():
        yield dg.MaterializeResult(
            asset_key=["reports", table.split(".")[1]],
            metadata={
                **table_metadata(frame),
                "summary": dg.MetadataValue.json(summary),
                "calibration": dg.MetadataValue.json(spread.to_dict("records")),
                "assumption_set": assumptions.name,
            },
        )


def published_comparison(
    home: str,
    answers: "pd.DataFrame",
    outcomes: "pd.DataFrame",
    raw_population: "pd.DataFrame",
    real: "pd.DataFrame",
    indicators: "pd.DataFrame",
    municipalities: list[str],
    prices: "pd.DataFrame",
    sets: dict[str, hk.Assumptions],
    year: int,
    published_eur: float | None,
    *,
    scores: hk.SetScores | None = None,
) -> "pd.DataFrame":
    """compare_assumption_sets with each set's own population year (a set may change population_lag).

    One call over every set, with the population of every year a set needs, so that sets which score
    alike share their points.
    """
    import pandas as pd

    years = sorted({year - assumptions.population_lag for assumptions in sets.values()})
    by_year = [inputs.population_for_year(raw_population, real, y, municipalities) for y in years]
    population = pd.concat(by_year, ignore_index=True).drop(columns="population_source")
    out = hk.compare_assumption_sets(
        home,
        answers,
        outcomes,
        population,
        indicators,
        municipalities,
        prices,
        sets,
        year,
        published_eur_per_resident=published_eur,
        scores=scores,
    )
    default = out.loc[out["assumption_set"] == hk.DEFAULT_ASSUMPTION_SET, "eur_per_resident"]
    reference = float(default.iloc[0]) if len(default) else float(out["eur_per_resident"].iloc[0])
    out["delta_vs_default_eur"] = out["eur_per_resident"] - reference
    out["published_coefficient"] = out["published_eur_per_resident"] / out["base_price_eur"]
    out["delta_vs_published_coefficient"] = out["coefficient"] - out["published_coefficient"]
    lead = [
        "assumption_set",
        "municipality_code",
        "payment_year",
        "coefficient",
        "published_coefficient",
        "delta_vs_published_coefficient",
        "eur_per_resident",
        "published_eur_per_resident",
        "delta_vs_published_eur",
    ]
    return out[lead + [c for c in out.columns if c not in lead]]
