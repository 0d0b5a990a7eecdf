-- A measure is judged (improving, worsening, target met, or stable by a noise rule) only when it
-- has a latest value, and 'no_data' is used exactly when it has none.
-- tests: reports.scorecard_indicator
select
    measure_id,
    group_type,
    group_value,
    status,
    status_rule,
    latest_value
from reports.scorecard_indicator
where
    (latest_value is null and (status <> 'no_data' or status_rule <> 'no_data'))
    or (latest_value is not null and status = 'no_data')
