-- Is the change from the comparison point to the latest value real? A two-sample 95 % interval for
-- the change (latest minus comparison, in the measure's unit); a change is called only when the
-- interval excludes zero. change_rule says which test applied (first match; data/scorecard/README.md):
--   newcombe: a percentage with both sample sizes -> Newcombe hybrid Wilson interval for p1 - p0;
--   newcombe_counts: a percentage with the counts behind both values (Sotkanet absValue) -> the same,
--     with n = count / share;
--   no_sample_size: a survey percentage without sample sizes -> not judged (never +-1 point);
--   min_change:managed_count: a count the city produces itself -> relative threshold (catalog.min_change);
--   rate_ratio: a count, or a rate with its count -> conditional binomial test of the rate ratio
--     (Wilson interval of x1 / (x0 + x1), mapped to the ratio with the exposures, then to the unit);
--   min_change:percent_rare: a percentage under 5 % without counts -> relative threshold;
--   min_change:<unit>: the unit's threshold in catalog.min_change; no_threshold: a unit without one.
-- grain: measure_id, group_type, group_value
-- unique: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value, change_rule, change
-- accepted_values: change_direction = up, down, none
with inputs as (
    select
        points.measure_id,
        points.group_type,
        points.group_value,
        points.unit,
        points.latest_value as v1,
        points.comparison_value as v0,
        points.latest_sample_size as n1,
        points.comparison_sample_size as n0,
        points.latest_count as k1,
        points.comparison_count as k0,
        -- exposure: persons (or person-years) behind a rate; one period for a plain count
        case
            when points.unit = 'count' then 1.0 when
                points.latest_value > 0
                then points.latest_count / points.latest_value
        end
            as e1,
        case
            when points.unit = 'count' then 1.0 when
                points.comparison_value > 0
                then points.comparison_count / points.comparison_value
        end as e0,
        points.source in ('kouluterveyskysely', 'regional_survey', 'older_people_survey', 'resident_survey')
            as is_survey,
        points.source = 'local' and points.unit = 'count' as is_managed_count
    from intermediate.int_scorecard_points as points
    where points.comparison_value is not null
),

ruled as (
    select
        inputs.*,
        case
            when inputs.unit = 'percent' and inputs.n0 > 0 and inputs.n1 > 0 then 'newcombe'
            when
                inputs.unit = 'percent'
                and inputs.k0 > 0
                and inputs.k1 > 0
                and inputs.v0 > 0
                and inputs.v1 > 0
                then 'newcombe_counts'
            when inputs.unit = 'percent' and inputs.is_survey then 'no_sample_size'
            when inputs.is_managed_count then 'min_change:managed_count'
            when
                inputs.unit <> 'percent' and inputs.k0 >= 0 and inputs.k1 >= 0 and inputs.k0 + inputs.k1 > 0
                and inputs.e0 > 0 and inputs.e1 > 0
                then 'rate_ratio'
            when inputs.unit = 'percent' and inputs.v0 < 5 then 'min_change:percent_rare'
            else 'min_change:' || inputs.unit
        end as candidate_rule
    from inputs
),

with_threshold as (
    select
        ruled.*,
        -- percentages as proportions; n from the count when only the count is known
        ruled.v1 / 100.0 as p1,
        ruled.v0 / 100.0 as p0,
        case when ruled.candidate_rule = 'newcombe' then ruled.n1 else 100.0 * ruled.k1 / ruled.v1 end as m1,
        case when ruled.candidate_rule = 'newcombe' then ruled.n0 else 100.0 * ruled.k0 / ruled.v0 end as m0,
        -- the conditional binomial: x1 of x0 + x1 events fall in the latest period
        ruled.k1 / (ruled.k0 + ruled.k1) as share1,
        ruled.k0 + ruled.k1 as events,
        case trim(min_change.kind)
            when 'rel' then abs(ruled.v0) * cast(min_change.min_change as double) / 100.0
            else cast(min_change.min_change as double)
        end as threshold,
        case
            when ruled.candidate_rule like 'min_change:%' and min_change.unit is null then 'no_threshold'
            else ruled.candidate_rule
        end as change_rule
    from ruled
    left join catalog.min_change as min_change
        on
            ruled.candidate_rule like 'min_change:%'
            and trim(min_change.unit) = substr(ruled.candidate_rule, length('min_change:') + 1)
),

bounds as (
    -- the Wilson interval of the latest period's share of the events (rate ratio); the Newcombe
    -- interval is computed below. The arithmetic is the macros of dbt_like_sql/macros/two_sample.sql,
    -- shared with intermediate.int_two_sample_intervals and checked against statsmodels.
    select
        *,
        wilson_low(share1, events) as share_low,
        wilson_high(share1, events) as share_high
    from with_threshold
),

intervals as (
    select
        measure_id,
        group_type,
        group_value,
        unit,
        change_rule,
        v1 - v0 as change,
        case
            when change_rule in ('newcombe', 'newcombe_counts') then newcombe_low(p1, m1, p0, m0)
            when change_rule = 'rate_ratio'
                -- ratio = share / (1 - share) * e0 / e1; in the unit: comparison value * (ratio - 1)
                then v0 * (share_low / (1 - share_low) * e0 / e1 - 1)
            when change_rule like 'min_change:%' then v1 - v0 - threshold
            when change_rule = 'no_threshold' then v1 - v0
        end as change_low,
        case
            when change_rule in ('newcombe', 'newcombe_counts') then newcombe_high(p1, m1, p0, m0)
            when change_rule = 'rate_ratio'
                then
                    case
                        when share_high >= 1 then cast('infinity' as double)
                        else v0 * (share_high / (1 - share_high) * e0 / e1 - 1)
                    end
            when change_rule like 'min_change:%' then v1 - v0 + threshold
            when change_rule = 'no_threshold' then v1 - v0
        end as change_high,
        case when change_rule in ('newcombe', 'newcombe_counts') then m0 end as comparison_n,
        case when change_rule in ('newcombe', 'newcombe_counts') then m1 end as latest_n,
        case when change_rule = 'rate_ratio' then e0 end as comparison_exposure,
        case when change_rule = 'rate_ratio' then e1 end as latest_exposure,
        threshold
    from bounds
)

select
    intervals.*,
    -- 'up' or 'down' only when the whole interval is on one side of zero; 'none' inside; NULL untested
    case
        when intervals.change_low > 0 then 'up'
        when intervals.change_high < 0 then 'down'
        when intervals.change_low is not null then 'none'
    end as change_direction
from intervals
