-- One row per catalog measure and population group for the municipality in meta.settings: the latest
-- value, the comparison point it is judged against (value and period), the change between them
-- ("Muutos") with its 95 % interval, and a status. Full rules: data/scorecard/README.md.
-- Status (first match decides; status_rule says which rule, not_judged_reason why no verdict):
--   no value -> no_data; polarity context -> not_judged (context);
--   latest older than stale_after_years -> not_judged (stale);
--   latest at/over the target (under it for lower_better) -> target_met ('target');
--   nothing earlier to compare with -> not_judged (no_comparison_point);
--   no value after the plan's baseline yet -> not_judged (no_baseline_yet; pre_plan_trend shows the
--     change from the previous point instead);
--   a survey share without sample sizes -> not_judged (no_sample_size);
--   else improving / worsening when the change interval (int_scorecard_change_tests) excludes zero,
--   stable when it does not.
-- A measure the municipality has no value for, whose catalog row allows it (fallback_region_level),
-- shows its maakunta's figure: figure_region_level = 'maakunta', labelled (figure_label_fi), never
-- judged as the municipality's (not_judged_reason maakunta_figure), no gaps, rank or pre-plan trend.
-- A Sotkanet id whose metadata lists no KUNTA level says so: source_status no_municipality_level.
-- grain: measure_id, group_type, group_value
-- unique: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value, status, status_rule, source_status, is_judged
-- accepted_values: status = improving, stable, worsening, target_met, not_judged, no_data
-- (not_judged_reason's values: dbt_like_sql/tests/scorecard_not_judged_reasons.sql)
-- accepted_values: figure_region_level = kunta, maakunta
-- accepted_values: pre_plan_trend = improving, stable, worsening
-- accepted_values: comparison_kind = baseline, previous
-- accepted_values: source_status = has_data, no_source_yet, no_data_for_municipality, no_municipality_level
with settings as (
    select year(cast(as_of_date as date)) as as_of_year
    from meta.settings
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by municipality_code
    limit 1
),

measures_with_values as (
    -- any value in any region: tells "no source yet" from "no figure for this municipality"
    select distinct measure_id
    from marts.measure_series
),

facts as (
    -- every catalog measure at least once: one row per group with data, else one 'total' row;
    -- the catalog's descriptive columns first, as in scorecard_measure (a list, not logic)
    select
        measures.measure_id,
        measures.title_fi,
        measures.title_en,
        measures.theme_id,
        measures.goal_ids,
        coalesce(points.group_type, 'total') as group_type,
        coalesce(points.group_value, 'total') as group_value,
        trim(measures.unit) as unit,
        measures.polarity,
        measures.target,
        measures.target_year,
        measures.source,
        nullif(trim(measures.source_ref), '') as source_ref,
        measures.responsible,
        points.latest_value,
        points.latest_period,
        points.figure_region_level,
        home.maakunta_name as fallback_region_name,
        -- NULL when no pinned Sotkanet id's metadata says (not a Sotkanet measure, not read yet)
        levels.has_municipal_data as has_municipality_level,
        points.latest_year,
        coalesce(points.latest_is_demo, false) as latest_is_demo,
        points.latest_source,
        points.latest_sample_size,
        points.previous_value,
        points.previous_period,
        points.baseline_value,
        points.baseline_period,
        coalesce(points.baseline_is_demo, false) as baseline_is_demo,
        points.baseline_origin,
        points.comparison_kind,
        points.comparison_value,
        points.comparison_period,
        coalesce(points.comparison_is_demo, false) as comparison_point_is_demo,
        points.comparison_sample_size,
        points.trend_slope,
        coalesce(points.trend_points, 0) as trend_points,
        tests.change_rule,
        tests.change,
        tests.change_low,
        tests.change_high,
        tests.change_direction,
        peers.maakunta_value,
        coalesce(peers.maakunta_is_demo, false) as maakunta_is_demo,
        peers.koko_maa_value,
        coalesce(peers.koko_maa_is_demo, false) as koko_maa_is_demo,
        peers.rank_in_maakunta,
        peers.municipalities_in_maakunta,
        coalesce(peers.peers_any_demo, false) as peers_any_demo,
        rates.response_rate,
        settings.as_of_year,
        -- a survey is repeated every second year; annual data count as stale after two years too,
        -- a monthly series after one
        case when length(points.latest_period) = 7 then 1 else 2 end as stale_after_years,
        measures_with_values.measure_id is not null as measure_has_values,
        case when measures.polarity = 'lower_better' then -1 else 1 end as good_direction
    -- The joins spell out the grain (measure_id, group_type, group_value): that key list recurs
    -- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
    from catalog.measures as measures
    cross join settings
    left join intermediate.int_scorecard_points as points
        on measures.measure_id = points.measure_id
    left join intermediate.int_scorecard_change_tests as tests
        on
            points.measure_id = tests.measure_id
            and points.group_type = tests.group_type
            and points.group_value = tests.group_value
    left join intermediate.int_scorecard_peer_ranks as peers
        on
            points.measure_id = peers.measure_id
            and points.group_type = peers.group_type
            and points.group_value = peers.group_value
    left join intermediate.int_home_areas as home
        on
            points.figure_region_level = 'maakunta'
            and points.figure_region_code = home.maakunta_code
    left join staging.stg_sotkanet_indicators as levels
        on
            measures.measure_id = levels.measure_id
            -- a school-survey id is per school level; any other id is the measure's 'total' pin
            and levels.group_value
            = case when points.group_type = 'school_level' then points.group_value else 'total' end
    left join catalog.survey_response_rates as rates
        on
            measures.source = rates.source
            and points.group_value = rates.group_value
            and points.latest_year = rates.year
    left join measures_with_values
        on measures.measure_id = measures_with_values.measure_id
),

flagged as (
    select
        facts.*,
        facts.as_of_year - facts.latest_year as data_age_years,
        facts.as_of_year - facts.latest_year > facts.stale_after_years as is_stale,
        coalesce(
            facts.target is not null
            and facts.polarity <> 'context'
            and (
                (facts.polarity = 'lower_better' and facts.latest_value <= facts.target)
                or (facts.polarity <> 'lower_better' and facts.latest_value >= facts.target)
            ),
            false
        ) as is_target_met,
        -- the change read in the good direction: 'better', 'worse' or 'same'
        case
            when facts.change_direction = 'none' then 'same'
            when (facts.change_direction = 'up') = (facts.good_direction = 1) then 'better'
            when facts.change_direction is not null then 'worse'
        end as change_reading
    from facts
),

judged as (
    select
        flagged.*,
        case
            when flagged.latest_value is null then null
            when flagged.figure_region_level = 'maakunta' then 'maakunta_figure'
            when flagged.polarity = 'context' then 'context'
            when flagged.is_stale then 'stale'
            when flagged.is_target_met then null
            when flagged.comparison_kind is null then 'no_comparison_point'
            when flagged.comparison_kind = 'previous' then 'no_baseline_yet'
            when flagged.change_rule = 'no_sample_size' then 'no_sample_size'
        end as not_judged_reason
    from flagged
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
    latest_is_demo,
    -- whose figure latest_value is: 'kunta' (the municipality's own) or 'maakunta' (the catalog's
    -- fallback, labelled); NULL without a value
    figure_region_level,
    case when figure_region_level = 'maakunta' then 'Maakunnan luku: ' || fallback_region_name end
        as figure_label_fi,
    case when figure_region_level = 'maakunta' then 'Regional (maakunta) figure: ' || fallback_region_name end
        as figure_label_en,
    has_municipality_level,
    comparison_kind,
    comparison_value,
    comparison_period,
    comparison_point_is_demo,
    -- "Muutos": always the latest minus the comparison point shown beside it
    change,
    change_low,
    change_high,
    change_rule,
    previous_value,
    previous_period,
    baseline_value,
    baseline_period,
    baseline_is_demo,
    baseline_origin,
    latest_value - baseline_value as change_since_baseline,
    trend_slope,
    trend_points,
    case
        when latest_value is null then 'no_data'
        when not_judged_reason is not null then 'not_judged'
        when is_target_met then 'target_met'
        when change_reading = 'better' then 'improving'
        when change_reading = 'worse' then 'worsening'
        else 'stable'
    end as status,
    case
        when latest_value is null then 'no_data'
        when not_judged_reason is not null then not_judged_reason
        when is_target_met then 'target'
        else change_rule
    end as status_rule,
    not_judged_reason,
    latest_value is not null and not_judged_reason is null as is_judged,
    -- the direction before the plan, while no value after the baseline exists (not a verdict on the plan)
    case
        when
            comparison_kind = 'previous'
            and polarity <> 'context'
            and figure_region_level = 'kunta'
            and change_reading is not null
            then
                case change_reading
                    when 'better' then 'improving' when 'worse' then 'worsening' else 'stable'
                end
    end as pre_plan_trend,
    -- change in the good direction in half-widths of its interval: beyond about +-1 the interval
    -- excludes zero; comparable across units, the roll-ups list the most negative as "worst moving"
    case
        when latest_value is not null and not_judged_reason is null and not is_target_met
            then good_direction * change / nullif((change_high - change_low) / 2, 0)
    end as standardized_change,
    latest_sample_size,
    comparison_sample_size,
    response_rate,
    coalesce(response_rate < 50, false) as is_low_response,
    maakunta_value,
    -- the gaps compare the municipality's own figure only
    case when figure_region_level = 'kunta' then latest_value - maakunta_value end as maakunta_gap,
    koko_maa_value,
    case when figure_region_level = 'kunta' then latest_value - koko_maa_value end as koko_maa_gap,
    rank_in_maakunta,
    municipalities_in_maakunta,
    data_age_years,
    stale_after_years,
    coalesce(is_stale, false) as is_stale,
    -- the status rests on a demo figure: the latest value, or the comparison point it was judged against
    (
        latest_value is not null and not_judged_reason is null
        and (latest_is_demo or (not is_target_met and comparison_point_is_demo))
    ) as status_rests_on_demo,
    -- any of the row's own figures is demo data (summary flag; badge each figure by its own flag)
    (latest_is_demo or comparison_point_is_demo or baseline_is_demo) as is_demo,
    -- the area comparisons (maakunta, whole country, ranked peers) include demo data
    (
        maakunta_is_demo
        or koko_maa_is_demo
        or (rank_in_maakunta is not null and peers_any_demo)
    ) as comparison_is_demo,
    source,
    latest_source,
    case
        when figure_region_level = 'kunta' then 'has_data'
        -- the id's metadata lists no KUNTA level (a maakunta figure may stand in, labelled)
        when not has_municipality_level then 'no_municipality_level'
        when source_ref is null and not measure_has_values then 'no_source_yet'
        else 'no_data_for_municipality'
    end as source_status,
    responsible
from judged
