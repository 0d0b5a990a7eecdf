-- THL school health promotion study (Kouluterveyskysely) results in the long-form
-- contract; each school level is its own group (group_type 'school_level'), never summed, and
-- each row keeps its gender (female, male, total) beside the school level.
-- Respondents (n): THL's cube answer (raw.kouluterveyskysely_sample_sizes, per school level,
-- region, year and gender) first, else the row's own n (the demo file's; Sotkanet gives none).
-- `sample_size_source` says which: thl_cube | demo | none. A row without n is not judged.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    survey.measure_id, 'kouluterveyskysely' as source,
    survey.region_code, survey.region_level, survey.year, survey.period,
    survey.group_type, survey.group_value,
    coalesce(survey.gender, 'total') as gender,
    survey.value, survey.abs_value,
    coalesce(cube.sample_size, survey.sample_size) as sample_size,
    case
        when cube.sample_size is not null then 'thl_cube'
        when survey.sample_size is not null and survey.is_demo then 'demo'
        -- no real source row carries its own n today; name it if one ever does
        when survey.sample_size is not null then 'source'
        else 'none'
    end as sample_size_source,
    survey.is_demo, survey.fetched_at
from raw.kouluterveyskysely_values as survey
left join raw.kouluterveyskysely_sample_sizes as cube
    on
        survey.measure_id = cube.measure_id
        and survey.group_type = 'school_level'
        and survey.group_value = cube.school_level
        and survey.region_code = cube.region_code
        and survey.region_level = cube.region_level
        and survey.year = cube.year
        and coalesce(survey.gender, 'total') = cube.gender
