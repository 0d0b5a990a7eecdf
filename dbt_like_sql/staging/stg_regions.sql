-- Every region's name and, for a municipality, its maakunta and wellbeing services county, from
-- the Sotkanet region list; the scorecard uses it for names, peer municipalities and comparisons.
-- grain: region_code, region_level
select
    case
        when trim(region_level) = 'koko_maa' then 'SSS'
        when trim(region_level) = 'kunta' and length(trim(region_code)) in (1, 2)
            then lpad(trim(region_code), 3, '0')
        when trim(region_level) in ('maakunta', 'hyvinvointialue') and length(trim(region_code)) = 1
            then lpad(trim(region_code), 2, '0')
        else trim(region_code)
    end as region_code,
    trim(region_level) as region_level,
    trim(region_name) as region_name,
    case
        when length(trim(maakunta_code)) = 1 then lpad(trim(maakunta_code), 2, '0')
        else nullif(trim(maakunta_code), '')
    end as maakunta_code,
    case
        when length(trim(hyvinvointialue_code)) = 1 then lpad(trim(hyvinvointialue_code), 2, '0')
        else nullif(trim(hyvinvointialue_code), '')
    end as hyvinvointialue_code
from raw.sotkanet_regions
where nullif(trim(region_level), '') is not null
-- one row per region even if the list repeats one (e.g. under two categories): the lowest Sotkanet id
qualify row_number() over (partition by trim(region_level), trim(region_code) order by region_id) = 1
