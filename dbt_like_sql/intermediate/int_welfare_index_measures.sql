-- Each measure scaled so that the whole country's value is 100, for the municipality in meta.settings,
-- every member of its peer group and its maakunta, wellbeing services county and country, at the
-- municipality's latest period that has a national value (the same period for everyone).
-- Direction-aware, so a higher index is always better: higher_better (and target) measures are
-- 100 * value / national; lower_better ones are inverted, 100 * national / value (half the national
-- rate of a harm gives 200). Only measures of the total population group (gender 'total') in a unit
-- where a ratio means something (not counts or yes/no answers), never context measures; no index when
-- either value is zero or negative.
-- grain: region_level, region_code, measure_id
-- unique: region_level, region_code, measure_id
-- not_null: municipality_code, region_level, region_code, measure_id, period, is_demo
with home as (
    select * from intermediate.int_home_areas
),

totals as (
    select v.*
    from intermediate.int_group_values as v
    inner join catalog.measures as measures
        on v.measure_id = measures.measure_id
    where
        v.group_type = 'total'
        and v.gender = 'total'
        and measures.polarity in ('higher_better', 'lower_better', 'target')
        and trim(measures.unit) not in ('count', 'yes_no')
),

national as (
    select * from totals
    where region_level = 'koko_maa'
),

home_period as (
    -- the municipality's newest period that the country also has
    select
        totals.measure_id,
        max(totals.period) as period
    from totals
    inner join home
        on
            totals.region_level = 'kunta'
            and totals.region_code = home.municipality_code
    inner join national
        on
            totals.measure_id = national.measure_id
            and totals.period = national.period
    group by totals.measure_id
),

members as (
    select
        'kunta' as region_level,
        peer_code as region_code,
        is_home
    from intermediate.int_peer_group
    union all
    select
        'maakunta' as region_level,
        maakunta_code as region_code,
        false as is_home
    from home
    union all
    select
        'hyvinvointialue' as region_level,
        hyvinvointialue_code as region_code,
        false as is_home
    from home
    where hyvinvointialue_code is not null
    union all
    select
        'koko_maa' as region_level,
        'SSS' as region_code,
        false as is_home
    from home
)

select
    home.municipality_code,
    members.region_level,
    members.region_code,
    coalesce(v.region_name, municipalities.municipality_name) as region_name,
    members.is_home,
    home_period.measure_id,
    measures.polarity,
    home_period.period,
    v.value,
    national.value as national_value,
    case
        when v.value <= 0 or national.value <= 0 then null
        when measures.polarity = 'lower_better' then 100 * national.value / v.value
        else 100 * v.value / national.value
    end as index_value,
    coalesce(v.is_demo, false) or national.is_demo as is_demo
-- The joins spell out the grain (region_level, region_code, measure_id, period): that key list recurs
-- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from home_period
cross join home
cross join members
inner join catalog.measures as measures
    on home_period.measure_id = measures.measure_id
inner join national
    on
        home_period.measure_id = national.measure_id
        and home_period.period = national.period
left join totals as v
    on
        members.region_level = v.region_level
        and members.region_code = v.region_code
        and home_period.measure_id = v.measure_id
        and home_period.period = v.period
left join catalog.municipalities as municipalities
    on
        members.region_level = 'kunta'
        and members.region_code = municipalities.municipality_code
