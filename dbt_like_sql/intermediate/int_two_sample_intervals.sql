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
        end as gap_rule,
        1.959963984540054 as z  -- the normal 97.5 % quantile: two-sided 95 %
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

wilson as (
    -- Wilson score interval of each proportion (Newcombe) or of the conditional share (rate ratio):
    -- centre +- half width. The scorecard's change tests (intermediate.int_scorecard_change_tests)
    -- hold the same arithmetic: that model must build from int_scorecard_points alone (its 10,000-series
    -- simulation test does) and the SQL loader has no macros, so neither can read the other's. A fix
    -- to one is a fix to both; both are checked against statsmodels.
    select
        *,
        (p1 + z * z / (2 * m1)) / (1 + z * z / m1) as centre1,
        z * sqrt(p1 * (1 - p1) / m1 + z * z / (4 * m1 * m1)) / (1 + z * z / m1) as half1,
        (p0 + z * z / (2 * m0)) / (1 + z * z / m0) as centre0,
        z * sqrt(p0 * (1 - p0) / m0 + z * z / (4 * m0 * m0)) / (1 + z * z / m0) as half0,
        (share1 + z * z / (2 * events)) / (1 + z * z / events) as share_centre,
        z * sqrt(share1 * (1 - share1) / events + z * z / (4 * events * events)) / (1 + z * z / events)
            as share_half
    from sized
),

bounds as (
    select
        *,
        centre1 - half1 as l1,
        centre1 + half1 as u1,
        centre0 - half0 as l0,
        centre0 + half0 as u0,
        share_centre - share_half as share_low,
        share_centre + share_half as share_high
    from wilson
)

select
    * exclude (
        z, p1, p0, centre1, half1, centre0, half0, l1, u1, l0, u0,
        share1, share_centre, share_half, share_low, share_high, events
    ),
    v1 - v0 as gap,
    case
        when gap_rule in ('newcombe', 'newcombe_counts')
            then 100 * (p1 - p0 - sqrt(power(p1 - l1, 2) + power(u0 - p0, 2)))
        -- ratio = share / (1 - share) * e0 / e1
        when gap_rule = 'rate_ratio' then v0 * (share_low / (1 - share_low) * e0 / e1 - 1)
    end as gap_low,
    case
        when gap_rule in ('newcombe', 'newcombe_counts')
            then 100 * (p1 - p0 + sqrt(power(u1 - p1, 2) + power(p0 - l0, 2)))
        when gap_rule = 'rate_ratio'
            then case
                when share_high >= 1 then cast('infinity' as double)
                else v0 * (share_high / (1 - share_high) * e0 / e1 - 1)
            end
    end as gap_high
from bounds
