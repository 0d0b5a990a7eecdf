-- The figures the plan itself states (e.g. lasten pienituloisuusaste 19.9 % in 2024) as long-form
-- values: they are real, cited in the plan text, so is_demo = false and they outrank demo values.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
with settings as (
    select municipality_code
    from meta.settings
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by municipality_code
    limit 1
),

figures as (
    -- only figures tied to a measure and a period; 'YYYY' is a year, 'YYYY-MM' a month
    select
        f.figure_id,
        trim(f.measure_id) as measure_id,
        trim(f.period) as period,
        nullif(trim(f.region_code), '') as region_code,
        nullif(trim(f.region_level), '') as region_level,
        coalesce(nullif(trim(f.group_value), ''), 'total') as group_value,
        cast(f.value as double) as value,
        nullif(trim(f.unit), '') as unit
    from catalog.plan_figures as f
    where
        trim(f.measure_id) <> ''
        and regexp_full_match(trim(f.period), '[0-9]{4}(-[0-9]{2})?')
        and f.value is not null
)

select
    figures.measure_id,
    'plan' as source,
    -- a figure without a region is about the plan's own municipality
    coalesce(figures.region_code, settings.municipality_code) as region_code,
    coalesce(
        figures.region_level,
        case
            when figures.region_code is null then 'kunta'
            when figures.region_code = 'SSS' then 'koko_maa'
            when length(figures.region_code) = 3 then 'kunta'
            else 'maakunta'
        end
    ) as region_level,
    cast(left(figures.period, 4) as integer) as year,
    figures.period,
    -- plan_figures carries no group_type: it follows from the value ('alle 25', '65+' are ages)
    case
        when figures.group_value = 'total' then 'total'
        when figures.group_value in ('4.-5. lk', '8.-9. lk', 'lukio', 'ammatillinen') then 'school_level'
        when figures.group_value in ('female', 'male') then 'gender'
        when regexp_matches(figures.group_value, '[0-9]') then 'age_group'
        else 'population_group'
    end as group_type,
    figures.group_value,
    case when figures.group_value in ('female', 'male') then figures.group_value else 'total' end as gender,
    figures.value,
    cast(null as double) as abs_value,
    cast(null as double) as sample_size,
    false as is_demo,
    -- the plan was not fetched; NULL sorts after every fetched row in the deduplication
    cast(null as timestamp) as fetched_at
from figures
cross join settings
-- a figure in another unit than its measure (e.g. "515 henkilöä" next to "39,7 %") is context, not a value
inner join catalog.measures as measures
    on
        figures.measure_id = measures.measure_id
        and (figures.unit is null or figures.unit = trim(measures.unit))
