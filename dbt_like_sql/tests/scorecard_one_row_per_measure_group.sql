-- The scorecard has exactly one row per measure and population group, and every catalog measure
-- has at least one row (a measure without data shows as 'no_data', it does not disappear).
-- tests: reports.scorecard_indicator
select
    measure_id,
    group_type,
    group_value,
    count(*) as rows_found
from reports.scorecard_indicator
group by measure_id, group_type, group_value
having count(*) > 1
union all
select
    measures.measure_id,
    null as group_type,
    null as group_value,
    0 as rows_found
from catalog.measures as measures
anti join reports.scorecard_indicator as scorecard
    on measures.measure_id = scorecard.measure_id
