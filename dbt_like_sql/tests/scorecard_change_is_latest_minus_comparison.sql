-- "Muutos" (change) is the latest value minus the comparison point shown beside it on every row, and
-- a row without a comparison point shows no change, so the change and the status never disagree.
-- tests: reports.scorecard_indicator
select
    measure_id,
    group_type,
    group_value,
    latest_value,
    comparison_value,
    change
from reports.scorecard_indicator
where
    (comparison_value is null and change is not null)
    or (comparison_value is not null and abs(change - (latest_value - comparison_value)) > 1e-9)
