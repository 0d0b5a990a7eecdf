-- One value per measure, region, period and population group after deduplication.
-- tests: marts.indicator_values
select
    measure_id,
    region_code,
    region_level,
    period,
    group_type,
    group_value,
    count(*) as rows_found
from marts.indicator_values
group by measure_id, region_code, region_level, period, group_type, group_value
having count(*) > 1
