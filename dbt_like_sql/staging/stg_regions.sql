-- Every region's name and, for a municipality, its maakunta and wellbeing services county, from
-- the Sotkanet region list; the scorecard uses it for names, peer municipalities and comparisons.
-- Codes are normalised by staging.stg_region_codes.
-- grain: region_code, region_level
-- unique: region_code, region_level
select
    codes.region_code,
    trim(regions.region_level) as region_level,
    trim(regions.region_name) as region_name,
    nullif(maakunta.region_code, '') as maakunta_code,
    nullif(county.region_code, '') as hyvinvointialue_code
from raw.sotkanet_regions as regions
left join staging.stg_region_codes as codes
    on
        trim(regions.region_level) = codes.raw_level
        and trim(regions.region_code) is not distinct from codes.raw_code
left join staging.stg_region_codes as maakunta
    on
        maakunta.raw_level = 'maakunta'
        and trim(regions.maakunta_code) = maakunta.raw_code
left join staging.stg_region_codes as county
    on
        county.raw_level = 'hyvinvointialue'
        and trim(regions.hyvinvointialue_code) = county.raw_code
where nullif(trim(regions.region_level), '') is not null
-- one row per region even if the list repeats one (e.g. under two categories): the lowest Sotkanet id
qualify
    row_number() over (
        partition by trim(regions.region_level), trim(regions.region_code)
        order by regions.region_id
    ) = 1
