-- marts.indicator_values with gender as its own column, so a school-survey row can carry both its
-- school level and its gender: gender is 'female', 'male' or 'total'. Until marts.indicator_values
-- has a gender column (issue 13 brings one), a row with group_type 'gender' is read as that gender
-- of the 'total' group and every other row as 'total'; once the column exists, it is used as it is.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- unique: measure_id, region_code, region_level, period, group_type, group_value, gender
-- not_null: measure_id, region_level, period, group_type, group_value, gender
-- accepted_values: gender = total, female, male
with indicator_values as (
    -- the empty branch adds gender (all NULL) when the mart lacks it, and changes nothing when it has it
    select * from marts.indicator_values
    union all by name
    select cast(null as varchar) as gender
    where false
)

select
    measure_id,
    source,
    region_code,
    region_name,
    region_level,
    year,
    period,
    case when group_type = 'gender' then 'total' else group_type end as group_type,
    case when group_type = 'gender' then 'total' else group_value end as group_value,
    coalesce(
        nullif(trim(gender), ''),
        case when group_type = 'gender' then group_value end,
        'total'
    ) as gender,
    value,
    abs_value,
    sample_size,
    unit,
    is_demo
from indicator_values
where value is not null
