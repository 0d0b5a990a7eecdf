-- One value per measure, region, period and group: a real value beats a demo one, a source's own
-- (revisable) statistic beats the plan's quotation of it, and otherwise the latest fetch wins.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
with ranked as (
    select
        *,
        row_number() over preferred_first as preference,
        count(*) filter (where is_demo) over same_key as demo_rows
    from intermediate.int_values_unioned
    window
        same_key as (
            partition by measure_id, region_code, region_level, period, group_type, group_value, gender
        ),
        preferred_first as (
            partition by measure_id, region_code, region_level, period, group_type, group_value, gender
            order by
                is_demo asc,  -- false (real) first
                source = 'plan',  -- among real values the source's own figure first: statistics get revised
                fetched_at desc nulls last,
                source asc
        )
)

select
    * exclude (preference, demo_rows),
    -- how many demo values this row replaced (the kept row itself is not counted)
    demo_rows - case when is_demo then 1 else 0 end as superseded_demo
from ranked
where preference = 1
