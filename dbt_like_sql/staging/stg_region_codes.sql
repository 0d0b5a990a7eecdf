-- Every region code the sources write, as (raw_level, raw_code) after trimming, mapped to the one
-- form all joins use: municipality (kunta) codes have 3 characters, maakunta and wellbeing services
-- county (hyvinvointialue) codes 2, the whole country 'SSS'. The rule is written only here;
-- staging.stg_regions and intermediate.int_values_unioned look their codes up in this table.
-- grain: raw_level, raw_code
-- unique: raw_level, raw_code
with seen as (
    -- the region list, including the maakunta and county each municipality belongs to
    select
        region_level,
        region_code
    from raw.sotkanet_regions
    union
    select
        'maakunta' as region_level,
        maakunta_code as region_code
    from raw.sotkanet_regions
    union
    select
        'hyvinvointialue' as region_level,
        hyvinvointialue_code as region_code
    from raw.sotkanet_regions
    -- the value sources: every staging model that intermediate.int_values_unioned reads
    union
    select
        region_level,
        region_code
    from staging.stg_sotkanet
    union
    select
        region_level,
        region_code
    from staging.stg_kouluterveyskysely
    union
    select
        region_level,
        region_code
    from staging.stg_statfin
    union
    select
        region_level,
        region_code
    from staging.stg_employment
    union
    select
        region_level,
        region_code
    from staging.stg_teaviisari
    union
    select
        region_level,
        region_code
    from staging.stg_surveys
    union
    select
        region_level,
        region_code
    from staging.stg_local
    union
    select
        region_level,
        region_code
    from staging.stg_plan_figures
),

trimmed as (
    select distinct
        trim(region_level) as raw_level,
        trim(region_code) as raw_code
    from seen
)

select
    raw_level,
    raw_code,
    case
        when raw_level = 'koko_maa' then 'SSS'
        when raw_level = 'kunta' and length(raw_code) in (1, 2) then lpad(raw_code, 3, '0')
        when raw_level in ('maakunta', 'hyvinvointialue') and length(raw_code) = 1 then lpad(raw_code, 2, '0')
        else raw_code
    end as region_code
from trimmed
