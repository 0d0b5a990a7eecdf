-- Every source's long-form values in one table, plan figures included, before deduplication.
-- Codes are trimmed here and region codes padded (staging.stg_region_codes), so every later join is exact.
-- `gender` is female, male or total: a source's gender split (Sotkanet), or the group itself when
-- the group is a gender; every other row is total.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender, source
with unioned as (
    select * from staging.stg_sotkanet
    union all by name
    select * from staging.stg_kouluterveyskysely
    union all by name
    select * from staging.stg_statfin
    union all by name
    select * from staging.stg_employment
    union all by name
    select * from staging.stg_teaviisari
    union all by name
    select * from staging.stg_surveys
    union all by name
    select * from staging.stg_local
    union all by name
    select * from staging.stg_plan_figures
)

select
    trim(unioned.measure_id) as measure_id,
    trim(unioned.source) as source,
    codes.region_code,
    trim(unioned.region_level) as region_level,
    coalesce(cast(unioned.year as integer), cast(left(trim(unioned.period), 4) as integer)) as year,
    coalesce(nullif(trim(unioned.period), ''), cast(unioned.year as varchar)) as period,
    coalesce(nullif(trim(unioned.group_type), ''), 'total') as group_type,
    coalesce(nullif(trim(unioned.group_value), ''), 'total') as group_value,
    case
        when trim(unioned.group_type) = 'gender' then trim(unioned.group_value)
        else coalesce(nullif(trim(unioned.gender), ''), 'total')
    end as gender,
    cast(unioned.value as double) as value,
    cast(unioned.abs_value as double) as abs_value,
    cast(unioned.sample_size as double) as sample_size,
    -- where n came from: the surveys' staging says (thl_cube, city_delivery, demo); other sources carry none
    coalesce(
        nullif(trim(unioned.sample_size_source), ''),
        case
            when unioned.sample_size is null then 'none'
            when coalesce(cast(unioned.is_demo as boolean), true) then 'demo'
            else 'source'
        end
    ) as sample_size_source,
    -- a value nobody vouched for is demo
    coalesce(cast(unioned.is_demo as boolean), true) as is_demo,
    cast(unioned.fetched_at as timestamp) as fetched_at
from unioned
-- staging.stg_region_codes holds every (level, code) pair of these sources, so each row finds its code
left join staging.stg_region_codes as codes
    on
        trim(unioned.region_level) is not distinct from codes.raw_level
        and trim(unioned.region_code) is not distinct from codes.raw_code
-- figures that are no catalog measure (the review's other figures, TEAviisari sector scores) stay in raw
where nullif(trim(unioned.measure_id), '') is not null
