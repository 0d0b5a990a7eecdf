-- THL school health promotion study (Kouluterveyskysely) results in the long-form
-- contract; each school level is its own group (group_type 'school_level'), never summed, and
-- each row keeps its gender (female, male, total) beside the school level.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'kouluterveyskysely' as source,
    region_code, region_level, year, period, group_type, group_value,
    coalesce(gender, 'total') as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.kouluterveyskysely_values
