-- A row left unjudged says why, with one of the documented reasons; a maakunta figure shown in the
-- municipality's place (the catalog's fallback) is never judged and never counted as its own data.
-- tests: reports.scorecard_indicator
select
    measure_id,
    group_type,
    group_value,
    not_judged_reason,
    figure_region_level,
    is_judged,
    source_status
from reports.scorecard_indicator
where
    not_judged_reason not in (
        'maakunta_figure', 'context', 'stale', 'no_comparison_point', 'no_baseline_yet', 'no_sample_size'
    )
    or (figure_region_level = 'maakunta' and (is_judged or source_status = 'has_data'))
