-- A two-sample 95 % interval for the difference v1 - v0 of each pair in intermediate.int_group_gap_pairs,
-- in the measure's unit; written once so that every comparison of two independent figures uses the
-- same rules (other pair models can be added to the input with `union all by name`). The rule, first
-- match (gap_rule):
--   newcombe: a percentage with both sample sizes -> Newcombe's hybrid score interval (method 10,
--     from the two Wilson intervals) for p1 - p0;
--   newcombe_counts: a percentage with the counts behind both values (Sotkanet absValue) -> the same,
--     with n = 100 * count / value;
--   rate_ratio: a rate (per 10 000, per 100 000, ...) with both counts -> conditional binomial: the
--     Wilson interval of k1 / (k0 + k1), mapped to the rate ratio with the exposures k / value, then to
--     the unit as v0 * (ratio - 1);
--   no_sample_size: anything else -> no interval (the difference is not judged).
-- grain: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- not_null: gap_rule
-- accepted_values: gap_rule = newcombe, newcombe_counts, rate_ratio, no_sample_size
with ruled as (
    select
        pairs.*,
        case
            when pairs.unit = 'percent' and pairs.n1 > 0 and pairs.n0 > 0 then 'newcombe'
            when pairs.unit = 'percent' and pairs.k1 > 0 and pairs.k0 > 0 and pairs.v1 > 0 and pairs.v0 > 0
                then 'newcombe_counts'
            when
                pairs.unit <> 'percent' and pairs.k1 >= 0 and pairs.k0 >= 0 and pairs.k1 + pairs.k0 > 0
                and pairs.v1 > 0 and pairs.v0 > 0
                then 'rate_ratio'
            else 'no_sample_size'
        end as gap_rule
    from intermediate.int_group_gap_pairs as pairs
),

sized as (
    select
        ruled.*,
        ruled.v1 / 100.0 as p1,
        ruled.v0 / 100.0 as p0,
        case ruled.gap_rule
            when 'newcombe' then ruled.n1
            when 'newcombe_counts' then 100.0 * ruled.k1 / ruled.v1
        end as m1,
        case ruled.gap_rule
            when 'newcombe' then ruled.n0
            when 'newcombe_counts' then 100.0 * ruled.k0 / ruled.v0
        end as m0,
        -- the exposure behind a rate (persons or person-years, in the unit's scale)
        case when ruled.gap_rule = 'rate_ratio' then ruled.k1 / ruled.v1 end as e1,
        case when ruled.gap_rule = 'rate_ratio' then ruled.k0 / ruled.v0 end as e0,
        case when ruled.gap_rule = 'rate_ratio' then ruled.k1 / (ruled.k0 + ruled.k1) end as share1,
        case when ruled.gap_rule = 'rate_ratio' then ruled.k0 + ruled.k1 end as events
    from ruled
),

bounds as (
    -- the Wilson interval of the conditional share (rate ratio); Newcombe's interval is computed
    -- below. The arithmetic is the macros of dbt_like_sql/macros/two_sample.sql, shared with the
    -- scorecard's change tests (intermediate.int_scorecard_change_tests) and checked against
    -- statsmodels.
    select
        *,
        wilson_low(share1, events) as share_low,
        wilson_high(share1, events) as share_high
    from sized
)

select
    * exclude (p1, p0, share1, share_low, share_high, events),
    v1 - v0 as gap,
    case
        when gap_rule in ('newcombe', 'newcombe_counts') then newcombe_low(p1, m1, p0, m0)
        -- ratio = share / (1 - share) * e0 / e1
        when gap_rule = 'rate_ratio' then v0 * (share_low / (1 - share_low) * e0 / e1 - 1)
    end as gap_low,
    case
        when gap_rule in ('newcombe', 'newcombe_counts') then newcombe_high(p1, m1, p0, m0)
        when gap_rule = 'rate_ratio'
            then case
                when share_high >= 1 then cast('infinity' as double)
                else v0 * (share_high / (1 - share_high) * e0 / e1 - 1)
            end
    end as gap_high
from bounds
