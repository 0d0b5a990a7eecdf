"""Model of the municipal hyte-kerroin (law 618/2021 § 15, VNA 1393/2022 § 3 and Liite).

Plain Python + pandas, no Dagster import (docs/architecture.md), so every rule is unit-testable by hand.
Modules: :mod:`.config` (assumption sets, indicator list, prices, vintages), :mod:`.scoring` (process and
outcome points), :mod:`.kerroin` (the coefficient), :mod:`.what_if` (explanations, comparisons, report
sentences) and :mod:`.inputs` (outcome values from the catalog's series, population).

The law fixes the shape of the calculation; the asetus leaves several details open (scaling method, target
levels, which data years feed which payment year, perushinta for years not yet cited). Those open details are
never hard-coded here: they come from a named :class:`Assumptions` set (``data/hyte/assumptions.toml``) and
every output row carries the set's name, so a model figure is never shown without the assumptions behind it.

Formula (a reading of the texts, not an official algorithm)::

    S_k       = Σ_process w_p · p_ki + Σ_outcome w_o · o_ki     p ∈ {0, 100}, o ∈ [0, 100]
    S̄         = Σ_k pop_k · S_k / Σ_k pop_k                      (national, population-weighted)
    kerroin_k = S_k / S̄
    €_k       = perushinta · pop_k · kerroin_k

With the exact weights (1/30, 1/12) S_k equals the mean of the process mean and the outcome mean; with the
published rounded weights (0.0333, 0.0833) it differs by at most :func:`weight_rounding_bound` points.
"""

from hyte_assets.lib.hyte.config import (
    COMPONENT_COLUMNS,
    DEFAULT_ASSUMPTION_SET,
    KERROIN_COLUMNS,
    SCALING_METHODS,
    Assumptions,
    base_price_for,
    indicator_weights,
    load_assumptions,
    load_base_prices,
    load_indicators,
    load_published,
    load_vintages,
    mean_of_means,
    weight_rounding_bound,
)
from hyte_assets.lib.hyte.kerroin import compute_kerroin, rank_within
from hyte_assets.lib.hyte.scoring import SetScores, calculate, score_outcomes, score_process
from hyte_assets.lib.hyte.what_if import compare_assumption_sets, typical_step, what_if

__all__ = [
    "COMPONENT_COLUMNS",
    "DEFAULT_ASSUMPTION_SET",
    "KERROIN_COLUMNS",
    "SCALING_METHODS",
    "Assumptions",
    "SetScores",
    "base_price_for",
    "calculate",
    "compare_assumption_sets",
    "compute_kerroin",
    "indicator_weights",
    "load_assumptions",
    "load_base_prices",
    "load_indicators",
    "load_published",
    "load_vintages",
    "mean_of_means",
    "rank_within",
    "score_outcomes",
    "score_process",
    "typical_step",
    "weight_rounding_bound",
    "what_if",
]
