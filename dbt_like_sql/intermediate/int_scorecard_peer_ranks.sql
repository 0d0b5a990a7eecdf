-- How the municipality in meta.settings compares with its area for each measure and group, at its
-- latest period (intermediate.int_scorecard_points): the home maakunta's and the whole country's
-- values, and its rank among all the municipalities of its maakunta (rank 1 = best; NULL for context
-- measures and when any member municipality lacks the value, since a rank among some of them would
-- flatter or shame by accident; so also NULL where the scorecard shows the maakunta's figure).
-- grain: measure_id, group_type, group_value
-- unique: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value
with home as (
    -- as in reports.teaviisari: always one row, with the maakunta from the region list when the
    -- code is in it (intermediate.int_home_areas has no row for an unknown code, so it cannot serve)
    select
        settings.municipality_code,
        regions.maakunta_code
    from meta.settings as settings
    left join staging.stg_regions as regions
        on
            regions.region_level = 'kunta'
            and settings.municipality_code = regions.region_code
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by settings.municipality_code
    limit 1
),

latest as (
    -- the scorecard's latest point: the municipality's own, or its maakunta's where the catalog lets a
    -- measure fall back (then the areas are shown beside it, and no rank: the municipality has no value)
    select
        measure_id,
        group_type,
        group_value,
        latest_period as period
    from intermediate.int_scorecard_points
),

peers as (
    -- every municipality of the home maakunta by the region list, so that a missing value is noticed
    select regions.region_code
    from staging.stg_regions as regions
    inner join home
        on
            regions.region_level = 'kunta'
            and regions.maakunta_code = home.maakunta_code
),

peer_values as (
    select
        latest.measure_id,
        latest.group_type,
        latest.group_value,
        peers.region_code,
        series.value,
        series.is_demo
    from latest
    cross join peers
    left join marts.measure_series as series
        on
            series.region_level = 'kunta'
            and peers.region_code = series.region_code
            and latest.measure_id = series.measure_id
            and latest.group_type = series.group_type
            and latest.group_value = series.group_value
            and latest.period = series.period
),

peer_ranks as (
    -- Ranked as reports.peer_comparison ranks the configured peer group, but over the whole maakunta
    -- (stg_regions) at the home's latest period of marts.measure_series, without gender: one rank
    -- per measure and group for the scorecard. Sharing the code would need a second, maakunta-only
    -- peer group and the scorecard on int_group_values' grain, so the ranking stands twice.
    select
        peer_values.*,
        measures.polarity,
        count(*) over same_measure as municipalities_in_maakunta,
        count(peer_values.value) over same_measure as municipalities_with_value,
        bool_or(peer_values.is_demo) over same_measure as peers_any_demo,
        rank() over (
            partition by peer_values.measure_id, peer_values.group_type, peer_values.group_value
            order by case
                when measures.polarity = 'lower_better' then peer_values.value else -peer_values.value
            end
        ) as value_rank
    from peer_values
    inner join catalog.measures as measures
        on peer_values.measure_id = measures.measure_id
    window same_measure as (
        partition by peer_values.measure_id, peer_values.group_type, peer_values.group_value
    )
),

area_values as (
    -- the home maakunta's and the whole country's values, one row per measure, group and period
    select
        series.measure_id,
        series.group_type,
        series.group_value,
        series.period,
        any_value(series.value) filter (where series.region_level = 'maakunta') as maakunta_value,
        any_value(series.is_demo) filter (where series.region_level = 'maakunta') as maakunta_is_demo,
        any_value(series.value) filter (where series.region_level = 'koko_maa') as koko_maa_value,
        any_value(series.is_demo) filter (where series.region_level = 'koko_maa') as koko_maa_is_demo
    from marts.measure_series as series
    cross join home
    where
        (series.region_level = 'maakunta' and series.region_code = home.maakunta_code)
        or (series.region_level = 'koko_maa' and series.region_code = 'SSS')
    group by series.measure_id, series.group_type, series.group_value, series.period
)

select
    latest.measure_id,
    latest.group_type,
    latest.group_value,
    area_values.maakunta_value,
    area_values.maakunta_is_demo,
    area_values.koko_maa_value,
    area_values.koko_maa_is_demo,
    case
        when
            peer_ranks.municipalities_with_value = peer_ranks.municipalities_in_maakunta
            and peer_ranks.polarity <> 'context'
            then peer_ranks.value_rank
    end as rank_in_maakunta,
    peer_ranks.municipalities_in_maakunta,
    peer_ranks.peers_any_demo
-- The joins spell out the grain (measure_id, group_type, group_value): that key list recurs
-- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from latest
cross join home
left join peer_ranks
    on
        latest.measure_id = peer_ranks.measure_id
        and latest.group_type = peer_ranks.group_type
        and latest.group_value = peer_ranks.group_value
        and home.municipality_code = peer_ranks.region_code
left join area_values
    on
        latest.measure_id = area_values.measure_id
        and latest.group_type = area_values.group_type
        and latest.group_value = area_values.group_value
        and latest.period = area_values.period
