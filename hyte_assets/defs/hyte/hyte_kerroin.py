"""The hyte-kerroin view: reproduce the state-subsidy coefficient for health promotion, explain it,
and show what would raise it (laki 618/2021 § 15; VNA 1393/2022 § 3 and its annex).

Normalisation needs every municipality, so this runs on national-scope inputs. What the law leaves
open is a named assumption (data/hyte/assumptions.toml); every row says which set produced it.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd

from hyte_assets.defs.metadata import table_metadata
from hyte_assets.defs.resources import PipelineSettings, WarehouseResource
from hyte_assets.defs.unchanged import inputs_version
from hyte_assets.lib import hyte_kerroin as hk
from hyte_assets.lib.warehouse import inputs_unchanged, read_table, replace_tables

TABLES = ("hyte_kerroin", "hyte_kerroin_components", "hyte_what_if", "hyte_published")
INPUTS = ("hyte_process_answers", "hyte_outcome_values", "population", "sotkanet_regions")
INPUT_TABLES = tuple(f"raw.{name}" for name in INPUTS)
# This module and the calculation: a change to either rebuilds the tables.
CODE = hashlib.sha256(Path(__file__).read_bytes() + Path(hk.__file__).read_bytes()).hexdigest()[:12]


def demo_municipalities(*frames: pd.DataFrame) -> set[str]:
    """Municipalities any of whose inputs is demo data."""
    return set().union(*(set(f.loc[f["is_demo"], "municipality_code"]) for f in frames))


def demo_input_names(
    home: str, answers: pd.DataFrame, outcomes: pd.DataFrame, population: pd.DataFrame
) -> str:
    """Which of the municipality's inputs are demo data (`process_answers`, `outcome_values`,
    `population`), so that the report can say so plainly."""
    named = (("process_answers", answers), ("outcome_values", outcomes), ("population", population))
    demo = [name for name, frame in named if frame.loc[frame["municipality_code"] == home, "is_demo"].any()]
    return ", ".join(demo)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["reports", name],
            group_name="hyte",
            kinds={"python", "duckdb"},
            owners=["team:hyte"],
            deps=[dg.AssetKey(["raw", name]) for name in INPUTS],
            description=description,
        )
        for name, description in (
            (
                "hyte_kerroin",
                "Per municipality: process, outcome and combined score, coefficient, €/resident, "
                "€ total, ranks in the region and in Finland, assumption set, is_demo.",
            ),
            (
                "hyte_kerroin_components",
                "Per municipality × indicator: values of the two years, change, points, "
                "weight and contribution to the coefficient.",
            ),
            (
                "hyte_what_if",
                "For the configured municipality: € gained by improving one indicator at a time.",
            ),
            (
                "hyte_published",
                "Published hyte figures beside the reproduced ones under every assumption set.",
            ),
        )
    ],
    can_subset=False,
)
def hyte_kerroin(
    context: dg.AssetExecutionContext, settings: PipelineSettings, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Reproduce the hyte-kerroin for every municipality and explain the configured one's figure."""
    written = [f"reports.{name}" for name in TABLES]
    year = settings.hyte_payment_year
    version = inputs_version(
        settings, warehouse, ("hyte",), INPUT_TABLES, CODE, extra=f"{year}:{settings.hyte_assumption_set}"
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
        outcomes = read_table(con, "raw.hyte_outcome_values")
        population = read_table(con, "raw.population")
        regions = read_table(con, "raw.sotkanet_regions")
    municipalities = sorted(set(population["municipality_code"]) & set(answers["municipality_code"]))
    population = population[population["municipality_code"].isin(municipalities)]
    price, price_source = hk.base_price_for(prices, year, assumptions)
    kerroin, components = hk.calculate(
        answers, outcomes, population, indicators, municipalities, price, assumptions, payment_year=year
    )
    home = settings.municipality_code.zfill(3)
    maakunta = regions.set_index("region_code").loc[home, "maakunta_code"]
    peers = regions[(regions["region_level"] == "kunta") & (regions["maakunta_code"] == maakunta)]
    kerroin = kerroin.assign(
        rank_maakunta=kerroin["municipality_code"]
        .map(hk.rank_within(kerroin, peers["region_code"]))
        .astype("Int64"),
        maakunta_code=kerroin["municipality_code"].map(
            regions[regions["region_level"] == "kunta"].set_index("region_code")["maakunta_code"]
        ),
        base_price_eur=price,
        base_price_source=price_source,
        is_demo=kerroin["municipality_code"].isin(demo_municipalities(answers, outcomes, population)),
    )
    process_points = hk.score_process(answers, indicators, municipalities, assumptions, payment_year=year)
    outcome_points = hk.score_outcomes(outcomes, indicators, municipalities, assumptions, payment_year=year)
    population_year = population[population["year"] == year - assumptions.population_lag]
    what_if = hk.what_if(
        home,
        process_points,
        outcome_points,
        outcomes,
        population_year,
        indicators,
        price,
        assumptions,
        payment_year=year,
    ).assign(
        assumption_set=assumptions.name, is_demo=home in demo_municipalities(answers, outcomes, population)
    )
    published_row = published[(published["municipality_code"] == home) & (published["payment_year"] == year)]
    comparison = hk.compare_assumption_sets(
        home,
        answers,
        outcomes,
        population,
        indicators,
        municipalities,
        prices,
        sets,
        year,
        published_eur_per_resident=float(published_row["eur_per_resident"].iloc[0])
        if len(published_row)
        else None,
    ).assign(
        published_source=published_row["source"].iloc[0] if len(published_row) else None,
        is_demo=home in demo_municipalities(answers, outcomes, population),
        demo_inputs=demo_input_names(home, answers, outcomes, population),
    )
    components = components.assign(
        is_demo=components["municipality_code"].isin(demo_municipalities(answers, outcomes, population))
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
    summary = {
        "municipality": home,
        "coefficient": float(own["coefficient"]),
        "eur_per_resident": float(own["eur_per_resident"]),
        "published_eur_per_resident": float(published_row["eur_per_resident"].iloc[0])
        if len(published_row)
        else None,
        "inputs_demo": bool(own["is_demo"]),
    }
    for name, frame in tables.items():
        yield dg.MaterializeResult(
            asset_key=["reports", name.split(".")[1]],
            metadata={
                **table_metadata(frame),
                "summary": dg.MetadataValue.json(summary),
                "assumption_set": assumptions.name,
            },
        )
