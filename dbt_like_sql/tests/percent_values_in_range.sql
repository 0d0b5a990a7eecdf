-- A percentage lies between 0 and 100; anything else is a unit or parsing error in a source.
-- tests: marts.indicator_values
select
    measure_id,
    source,
    region_code,
    period,
    group_type,
    group_value,
    value
from marts.indicator_values
where unit = 'percent' and (value < 0 or value > 100)
