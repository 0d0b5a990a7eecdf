-- Differences between population groups as rows a BI tool can filter (e.g. "girls' life satisfaction
-- is lower"): for each measure and period, girls minus boys (gap_type 'gender', for the municipality
-- in meta.settings and its areas) and the municipality minus the whole country for the same school
-- level, age group and gender (gap_type 'vs_country'), each with its 95 % interval by the two-sample
-- rule named in gap_rule (intermediate.int_two_sample_intervals). A difference whose interval contains
-- zero is noise: gap_status 'within_noise' and is_reported_gap false; a pair without sample sizes or
-- counts is 'not_judged'. worse_side names the side that is worse off by the measure's polarity.
-- grain: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- unique: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- not_null: gap_type, measure_id, period, gap_rule, gap_status, is_reported_gap, is_demo
-- accepted_values: gap_status = gap, within_noise, not_judged
select
    intervals.gap_type,
    intervals.region_level,
    intervals.region_code,
    intervals.region_name,
    intervals.measure_id,
    measures.title_fi,
    measures.title_en,
    measures.theme_id,
    measures.polarity,
    intervals.unit,
    intervals.group_type,
    intervals.group_value,
    intervals.gender,
    intervals.period,
    intervals.side_1,
    intervals.side_0,
    intervals.v1 as value_1,
    intervals.v0 as value_0,
    intervals.gap,
    intervals.gap_low,
    intervals.gap_high,
    intervals.gap_rule,
    -- the sample sizes (or exposures for a rate) the interval used
    coalesce(intervals.m1, intervals.e1) as size_1,
    coalesce(intervals.m0, intervals.e0) as size_0,
    case
        when intervals.gap_low > 0 or intervals.gap_high < 0 then 'gap'
        when intervals.gap_low is not null then 'within_noise'
        else 'not_judged'
    end as gap_status,
    coalesce(intervals.gap_low > 0 or intervals.gap_high < 0, false) as is_reported_gap,
    case
        when
            not coalesce(intervals.gap_low > 0 or intervals.gap_high < 0, false)
            or measures.polarity not in ('higher_better', 'lower_better', 'target')
            then null
        -- side 1 is higher: worse when lower is better
        when (intervals.gap > 0) = (measures.polarity = 'lower_better') then intervals.side_1
        else intervals.side_0
    end as worse_side,
    intervals.is_demo
from intermediate.int_two_sample_intervals as intervals
inner join catalog.measures as measures
    on intervals.measure_id = measures.measure_id
