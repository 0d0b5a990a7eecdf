-- The region levels each pinned Sotkanet id publishes (its metadata, `classifications.region.values`),
-- per measure and group (a school level, else 'total'): the scorecard says "no municipality level"
-- for an id without the KUNTA level instead of showing a silent gap. Only ids whose metadata was
-- read (status 'ok'); a rejected or failed id says nothing about its levels.
-- grain: measure_id, group_value
-- unique: measure_id, group_value
-- not_null: measure_id, group_value, indicator_id, has_municipal_data
select
    measure_id,
    group_value,
    indicator_id,
    region_levels,
    has_municipal_data,
    -- 'kunta', else the first level the id falls back to ('maakunta', 'hyvinvointialue'), else NULL
    reporting_level
from raw.sotkanet_indicators
where status = 'ok'
