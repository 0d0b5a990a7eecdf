-- Survey results (regional welfare survey, older people's survey, resident survey) in the
-- long-form contract; the raw `survey` column names the source (as in catalog.measures.source).
-- Respondents come from the city's delivery column `vastaajia` (`sample_size_source`
-- city_delivery), or are unknown (none): such a row is not judged.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
select  -- noqa: LT09
    measure_id, survey as source,
    region_code, region_level, year, period, group_type, group_value,
    case when group_type = 'gender' then group_value else 'total' end as gender,
    value, abs_value, sample_size,
    case when sample_size is not null then 'city_delivery' else 'none' end as sample_size_source,
    is_demo, fetched_at
from raw.survey_values
