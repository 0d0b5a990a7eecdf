-- The warehouse's one table of figures: every measure's value per region, period and group after
-- deduplication, with the measure's unit and the region's name for reports and exports.
-- Men and women: group_type 'gender' (group_value female/male) for a measure's population, and
-- `gender` beside the group, so a school-survey row keeps both its school level and its gender.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- unique: measure_id, region_code, region_level, period, group_type, group_value, gender
-- not_null: measure_id, source, region_level, period, group_type, group_value, gender, is_demo
-- not_null: sample_size_source
-- accepted_values: region_level = kunta, maakunta, hyvinvointialue, koko_maa
-- accepted_values: gender = total, female, male
-- accepted_values: sample_size_source = thl_cube, city_delivery, demo, source, none
select
    v.measure_id,
    v.source,
    v.region_code,
    -- the region list has no row for the whole country in every snapshot
    coalesce(r.region_name, case when v.region_level = 'koko_maa' then 'Koko maa' end) as region_name,
    v.region_level,
    v.year,
    v.period,
    v.group_type,
    v.group_value,
    v.gender,
    v.value,
    v.abs_value,
    v.sample_size,
    v.sample_size_source,
    -- left join: a value of an unknown measure stays visible (unit NULL) and fails a SQL test
    trim(m.unit) as unit,
    v.is_demo,
    v.fetched_at
from intermediate.int_values_deduplicated as v
left join catalog.measures as m
    on v.measure_id = m.measure_id
left join staging.stg_regions as r
    on
        v.region_code = r.region_code
        and v.region_level = r.region_level
