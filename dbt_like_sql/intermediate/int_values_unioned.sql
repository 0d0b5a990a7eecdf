-- Every source's long-form values in one table, plan figures included, before deduplication.
-- Codes are trimmed and padded here, once for all sources, so every later join is exact.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, source
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
    trim(measure_id) as measure_id,
    trim(source) as source,
    -- municipality codes are 3 characters, maakunta and wellbeing county codes 2, the country 'SSS'
    case
        when trim(region_level) = 'koko_maa' then 'SSS'
        when trim(region_level) = 'kunta' and length(trim(region_code)) in (1, 2)
            then lpad(trim(region_code), 3, '0')
        when trim(region_level) in ('maakunta', 'hyvinvointialue') and length(trim(region_code)) = 1
            then lpad(trim(region_code), 2, '0')
        else trim(region_code)
    end as region_code,
    trim(region_level) as region_level,
    coalesce(cast(year as integer), cast(left(trim(period), 4) as integer)) as year,
    coalesce(nullif(trim(period), ''), cast(year as varchar)) as period,
    coalesce(nullif(trim(group_type), ''), 'total') as group_type,
    coalesce(nullif(trim(group_value), ''), 'total') as group_value,
    cast(value as double) as value,
    cast(abs_value as double) as abs_value,
    cast(sample_size as double) as sample_size,
    -- a value nobody vouched for is demo
    coalesce(cast(is_demo as boolean), true) as is_demo,
    cast(fetched_at as timestamp) as fetched_at
from unioned
-- figures that are no catalog measure (the review's other figures, TEAviisari sector scores) stay in raw
where nullif(trim(measure_id), '') is not null
