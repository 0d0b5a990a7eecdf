-- Differences between population groups as rows a BI tool can filter (e.g. "girls' life satisfaction
-- is lower"): for each measure and period, girls minus boys (gap_type 'gender', for the municipality
-- in meta.settings and its areas) and the municipality minus the whole country for the same school
-- level, age group and gender (gap_type 'vs_country'), each with its 95 % interval by the two-sample
-- rule named in gap_rule (intermediate.int_two_sample_intervals). A difference whose interval contains
-- zero is noise: gap_status 'within_noise' and is_reported_gap false; a pair without sample sizes or
-- counts is 'not_judged'. worse_side names the side that is worse off by the measure's polarity;
-- summary_fi / summary_en are the row as a report line
-- ("8.-9. lk tytöt: koulukiusattuna ... 7,9 % vs pojat 5,1 %").
-- grain: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- unique: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- not_null: gap_type, measure_id, period, gap_rule, gap_status, is_reported_gap, is_demo
-- accepted_values: gap_status = gap, within_noise, not_judged
with judged as (
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
),

worded as (
    select
        judged.*,
        -- "Koulukiusattuna ..., %" (or "... %") -> "koulukiusattuna ..."
        regexp_replace(lower(left(judged.title_fi, 1)) || substr(judged.title_fi, 2), ',?\s*%$', '')
            as what_fi,
        regexp_replace(lower(left(judged.title_en, 1)) || substr(judged.title_en, 2), ',?\s*%$', '')
            as what_en,
        case judged.unit
            when 'percent' then ' %'
            when 'per_10000' then ' / 10 000'
            when 'per_100000' then ' / 100 000'
            else ''
        end as unit_label,
        case when judged.group_value = 'total' then '' else judged.group_value || ' ' end as group_label,
        -- pupils are girls and boys, everyone else women and men
        case when judged.group_type = 'school_level' then 'tytöt' else 'naiset' end as female_fi,
        case when judged.group_type = 'school_level' then 'pojat' else 'miehet' end as male_fi,
        case when judged.group_type = 'school_level' then 'girls' else 'women' end as female_en,
        case when judged.group_type = 'school_level' then 'boys' else 'men' end as male_en,
        replace(printf('%.1f', judged.value_1), '.', ',') as value_1_fi,
        replace(printf('%.1f', judged.value_0), '.', ',') as value_0_fi,
        printf('%.1f', judged.value_1) as value_1_en,
        printf('%.1f', judged.value_0) as value_0_en
    from judged
),

sides as (
    -- what each side is called in the sentence, in Finnish and then the same in English
    select
        worded.*,
        case worded.gap_type
            when 'gender' then worded.group_label || worded.female_fi
            else worded.region_name || ' ' || worded.group_label || case worded.gender
                when 'female' then worded.female_fi when 'male' then worded.male_fi else ''
            end
        end as side_1_fi,
        case worded.gap_type when 'gender' then worded.male_fi else 'koko maa' end as side_0_fi,
        case worded.gap_type
            when 'gender' then worded.group_label || worded.female_en
            else worded.region_name || ' ' || worded.group_label || case worded.gender
                when 'female' then worded.female_en when 'male' then worded.male_en else ''
            end
        end as side_1_en,
        case worded.gap_type when 'gender' then worded.male_en else 'the whole country' end as side_0_en
    from worded
)

select
    gap_type,
    region_level,
    region_code,
    region_name,
    measure_id,
    title_fi,
    title_en,
    theme_id,
    polarity,
    unit,
    group_type,
    group_value,
    gender,
    period,
    side_1,
    side_0,
    value_1,
    value_0,
    gap,
    gap_low,
    gap_high,
    gap_rule,
    size_1,
    size_0,
    gap_status,
    is_reported_gap,
    worse_side,
    trim(side_1_fi) || ': ' || what_fi || ' ' || value_1_fi || unit_label
    || ' vs ' || side_0_fi || ' ' || value_0_fi || unit_label as summary_fi,
    trim(side_1_en) || ': ' || what_en || ' ' || value_1_en || unit_label
    || ' vs ' || side_0_en || ' ' || value_0_en || unit_label as summary_en,
    is_demo
from sides
