-- One row per catalog measure and population group for the municipality in meta.settings: latest
-- value, the plan's 2025 baseline, trend, maakunta and whole-country comparison and a status.
-- Status rules (full text: data/scorecard/README.md), first match decides (status_rule says which):
--   no value -> no_data ('no_data'); polarity context -> stable, not judged ('context');
--   latest at/over the target (under it for lower_better) -> target_met ('target');
--   nothing earlier to compare with -> stable, not judged ('no_baseline');
--   else latest vs the baseline (or the previous point when the latest is the baseline) is improving or
--   worsening only outside a noise band: Wilson 95 % interval of a survey percentage with a known
--   sample size ('wilson_ci'), Poisson 95 % interval of a known count ('poisson_ci'), or the unit's
--   minimum meaningful change in catalog.min_change ('min_change:<unit>');
--   a unit without a threshold -> any change counts ('no_threshold').
-- grain: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value, status, status_rule, source_status
-- accepted_values: status = improving, stable, worsening, target_met, no_data
-- accepted_values: source_status = has_data, no_source_yet, no_data_for_municipality
with settings as (
    select
        municipality_code,
        year(cast(as_of_date as date)) as as_of_year,
        2025 as baseline_year  -- the plan period 2026-2029 starts from the situation in 2025
    from meta.settings
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by municipality_code
    limit 1
),

home as (
    -- the municipality and the maakunta whose municipalities it is ranked among
    select
        settings.*,
        regions.maakunta_code
    from settings
    left join staging.stg_regions as regions
        on
            regions.region_level = 'kunta'
            and settings.municipality_code = regions.region_code
),

home_series as (
    select series.*
    from marts.measure_series as series
    inner join home
        on
            series.region_level = 'kunta'
            and series.region_code = home.municipality_code
),

latest as (
    select * from home_series
    where rank_from_latest = 1
),

comparable as (
    -- the points a latest value is fairly compared with: all of an annual series, but only the same
    -- calendar month of a monthly one (unemployment is seasonal), newest first
    select
        home_series.*,
        row_number() over (
            partition by home_series.measure_id, home_series.group_type, home_series.group_value
            order by home_series.period desc
        ) as comparable_rank
    from home_series
    inner join latest
        on
            home_series.measure_id = latest.measure_id
            and home_series.group_type = latest.group_type
            and home_series.group_value = latest.group_value
            and home_series.period_month is not distinct from latest.period_month
),

previous as (
    select * from comparable
    where comparable_rank = 2
),

baseline as (
    -- the plan's starting point: the latest comparable value from the baseline year or before
    select comparable.*
    from comparable
    cross join home
    where comparable.year <= home.baseline_year
    qualify row_number() over (
        partition by comparable.measure_id, comparable.group_type, comparable.group_value
        order by comparable.period desc
    ) = 1
),

trend as (
    -- slope per year over the last five comparable points (NULL with fewer than two)
    select
        measure_id,
        group_type,
        group_value,
        regr_slope(value, time_years) as trend_slope,
        count(*) as trend_points
    from comparable
    where comparable_rank <= 5
    group by measure_id, group_type, group_value
),

area_values as (
    -- the home maakunta's and the whole country's values, matched to the municipality's latest period
    select
        series.measure_id,
        series.group_type,
        series.group_value,
        series.period,
        series.region_level,
        series.value,
        series.is_demo
    from marts.measure_series as series
    cross join home
    where
        (series.region_level = 'maakunta' and series.region_code = home.maakunta_code)
        or (series.region_level = 'koko_maa' and series.region_code = 'SSS')
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
    select
        peer_values.*,
        count(*) over same_measure as municipalities_in_maakunta,
        count(peer_values.value) over same_measure as municipalities_with_value,
        bool_or(peer_values.is_demo) over same_measure as peers_any_demo,
        -- rank 1 = best: the lowest value when lower is better, the highest otherwise
        rank() over (
            partition by peer_values.measure_id, peer_values.group_type, peer_values.group_value
            order by case
                when measures.polarity = 'lower_better' then peer_values.value else -peer_values.value
            end
        ) as value_rank,
        measures.polarity
    from peer_values
    inner join catalog.measures as measures
        on peer_values.measure_id = measures.measure_id
    window same_measure as (
        partition by peer_values.measure_id, peer_values.group_type, peer_values.group_value
    )
),

home_rank as (
    select
        peer_ranks.measure_id,
        peer_ranks.group_type,
        peer_ranks.group_value,
        peer_ranks.municipalities_in_maakunta,
        peer_ranks.peers_any_demo,
        -- a rank among some of the municipalities would flatter or shame by accident: all or none
        case
            when
                peer_ranks.municipalities_with_value = peer_ranks.municipalities_in_maakunta
                and peer_ranks.polarity <> 'context'
                then peer_ranks.value_rank
        end as rank_in_maakunta
    from peer_ranks
    inner join home
        on peer_ranks.region_code = home.municipality_code
),

measures_with_values as (
    -- any value in any region: tells "no source yet" from "no figure for this municipality"
    select distinct measure_id
    from marts.measure_series
),

facts as (
    -- every catalog measure at least once: one row per group with data, else one 'total' row
    select
        measures.measure_id,
        measures.title_fi,
        measures.title_en,
        measures.theme_id,
        measures.goal_ids,
        coalesce(latest.group_type, 'total') as group_type,
        coalesce(latest.group_value, 'total') as group_value,
        trim(measures.unit) as unit,
        measures.polarity,
        measures.target,
        measures.target_year,
        measures.source,
        nullif(trim(measures.source_ref), '') as source_ref,
        measures.responsible,
        latest.value as latest_value,
        latest.period as latest_period,
        latest.year as latest_year,
        latest.is_demo as latest_is_demo,
        latest.source as latest_source,
        previous.value as previous_value,
        previous.period as previous_period,
        baseline.value as baseline_value,
        baseline.period as baseline_period,
        baseline.is_demo as baseline_is_demo,
        -- the latest is judged against the baseline; when the latest is the baseline (or there is no
        -- baseline year) against the comparable point before it
        case when baseline.period < latest.period then baseline.value else previous.value end
            as reference_value,
        case when baseline.period < latest.period then baseline.period else previous.period end
            as reference_period,
        case when baseline.period < latest.period then baseline.is_demo else previous.is_demo end
            as reference_is_demo,
        case when baseline.period < latest.period then baseline.sample_size else previous.sample_size end
            as reference_sample_size,
        -- the count behind the reference value: abs_value for a rate, the value itself for a count
        case
            when baseline.period < latest.period
                then coalesce(
                    baseline.abs_value, case when trim(measures.unit) = 'count' then baseline.value end
                )
            else coalesce(
                previous.abs_value, case when trim(measures.unit) = 'count' then previous.value end
            )
        end as reference_count,
        trend.trend_slope,
        coalesce(trend.trend_points, 0) as trend_points,
        maakunta.value as maakunta_value,
        maakunta.is_demo as maakunta_is_demo,
        koko_maa.value as koko_maa_value,
        koko_maa.is_demo as koko_maa_is_demo,
        home_rank.rank_in_maakunta,
        home_rank.municipalities_in_maakunta,
        home_rank.peers_any_demo,
        home.as_of_year,
        measures_with_values.measure_id is not null as measure_has_values
    from catalog.measures as measures
    cross join home
    left join latest
        on measures.measure_id = latest.measure_id
    left join previous
        on
            latest.measure_id = previous.measure_id
            and latest.group_type = previous.group_type
            and latest.group_value = previous.group_value
    left join baseline
        on
            latest.measure_id = baseline.measure_id
            and latest.group_type = baseline.group_type
            and latest.group_value = baseline.group_value
    left join trend
        on
            latest.measure_id = trend.measure_id
            and latest.group_type = trend.group_type
            and latest.group_value = trend.group_value
    left join area_values as maakunta
        on
            maakunta.region_level = 'maakunta'
            and latest.measure_id = maakunta.measure_id
            and latest.group_type = maakunta.group_type
            and latest.group_value = maakunta.group_value
            and latest.period = maakunta.period
    left join area_values as koko_maa
        on
            koko_maa.region_level = 'koko_maa'
            and latest.measure_id = koko_maa.measure_id
            and latest.group_type = koko_maa.group_type
            and latest.group_value = koko_maa.group_value
            and latest.period = koko_maa.period
    left join home_rank
        on
            latest.measure_id = home_rank.measure_id
            and latest.group_type = home_rank.group_type
            and latest.group_value = home_rank.group_value
    left join measures_with_values
        on measures.measure_id = measures_with_values.measure_id
),

noise_bands as (
    -- the band around the reference value inside which a change is read as noise
    select
        facts.*,
        case
            when facts.reference_value is null then null
            when facts.unit = 'percent' and facts.reference_sample_size > 0 then 'wilson_ci'
            when facts.reference_count > 0 then 'poisson_ci'
            when min_change.unit is not null then 'min_change:' || facts.unit
            else 'no_threshold'
        end as noise_rule,
        1.96 as z,  -- two-sided 95 %
        -- Wilson score interval of a proportion p from n respondents, in percent
        least(greatest(facts.reference_value / 100.0, 0), 1) as p,
        facts.reference_sample_size as n,
        -- Poisson score interval of a count k, scaled to the rate: rate * [lower, upper] / k
        facts.reference_count as k,
        -- 'rel' thresholds are a percentage of the reference value, 'abs' ones are in the unit itself
        case trim(min_change.kind)
            when 'rel' then abs(facts.reference_value) * cast(min_change.min_change as double) / 100.0
            else cast(min_change.min_change as double)
        end as min_change_abs
    from facts
    left join catalog.min_change as min_change
        on facts.unit = trim(min_change.unit)
),

bands as (
    select
        *,
        case noise_rule
            when 'wilson_ci'
                then
                    100 * (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)))
                    / (1 + z * z / n)
            when 'poisson_ci' then reference_value / k * (k + z * z / 2 - z * sqrt(k + z * z / 4))
            when 'no_threshold' then reference_value
            else reference_value - min_change_abs
        end as noise_band_low,
        case noise_rule
            when 'wilson_ci'
                then
                    100 * (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)))
                    / (1 + z * z / n)
            when 'poisson_ci' then reference_value / k * (k + z * z / 2 + z * sqrt(k + z * z / 4))
            when 'no_threshold' then reference_value
            else reference_value + min_change_abs
        end as noise_band_high,
        -- +1 when a rise is good, -1 when a fall is good (targets are reached from below)
        case when polarity = 'lower_better' then -1 else 1 end as good_direction,
        coalesce(
            target is not null
            and polarity <> 'context'
            and (
                (polarity = 'lower_better' and latest_value <= target)
                or (polarity <> 'lower_better' and latest_value >= target)
            ),
            false
        ) as is_target_met
    from noise_bands
),

judged as (
    select
        *,
        case
            when latest_value is null then 'no_data'
            when polarity = 'context' then 'stable'
            when is_target_met then 'target_met'
            when reference_value is null then 'stable'
            when latest_value > noise_band_high
                then case when good_direction = 1 then 'improving' else 'worsening' end
            when latest_value < noise_band_low
                then case when good_direction = 1 then 'worsening' else 'improving' end
            else 'stable'
        end as status,
        case
            when latest_value is null then 'no_data'
            when polarity = 'context' then 'context'
            when is_target_met then 'target'
            when reference_value is null then 'no_baseline'
            else noise_rule
        end as status_rule
    from bands
)

select
    measure_id,
    title_fi,
    title_en,
    theme_id,
    goal_ids,
    group_type,
    group_value,
    unit,
    polarity,
    target,
    target_year,
    latest_value,
    latest_period,
    latest_year,
    previous_value,
    previous_period,
    baseline_value,
    baseline_period,
    latest_value - baseline_value as change_since_baseline,
    trend_slope,
    trend_points,
    status,
    status_rule,
    status_rule not in ('no_data', 'context', 'no_baseline') as is_judged,
    reference_value,
    reference_period,
    noise_band_low,
    noise_band_high,
    -- change in the good direction in half-widths of the noise band (beyond about ±1: outside the band),
    -- comparable across units; the roll-ups list the most negative as "worst moving"
    case
        when status_rule not in ('no_data', 'context', 'no_baseline')
            then
                good_direction * (latest_value - reference_value)
                / nullif((noise_band_high - noise_band_low) / 2, 0)
    end as standardized_change,
    maakunta_value,
    latest_value - maakunta_value as maakunta_gap,
    koko_maa_value,
    latest_value - koko_maa_value as koko_maa_gap,
    rank_in_maakunta,
    municipalities_in_maakunta,
    as_of_year - latest_year as data_age_years,
    -- a verdict is only as real as the values it compares
    (
        coalesce(latest_is_demo, false)
        or coalesce(baseline_is_demo, false)
        or coalesce(reference_is_demo, false)
    ) as is_demo,
    (
        coalesce(maakunta_is_demo, false)
        or coalesce(koko_maa_is_demo, false)
        or (rank_in_maakunta is not null and coalesce(peers_any_demo, false))
    ) as comparison_is_demo,
    source,
    latest_source,
    case
        when latest_value is not null then 'has_data'
        when source_ref is null and not measure_has_values then 'no_source_yet'
        else 'no_data_for_municipality'
    end as source_status,
    responsible
from judged
