-- The pairs of figures whose difference reports.group_gaps shows, with the sample sizes and counts
-- the interval needs (intermediate.int_two_sample_intervals): side 1 minus side 0.
--   gap_type 'gender': girls (female) minus boys (male) of the same measure, period and school level or
--     age group, for the municipality in meta.settings, its maakunta, wellbeing county and the country;
--   gap_type 'vs_country': the municipality minus the whole country for the same measure, period,
--     group (each school level, age group, total) and gender.
-- Counts and yes/no answers are left out: a difference of two counts says nothing without populations.
-- grain: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- unique: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period
-- not_null: gap_type, region_level, region_code, measure_id, group_type, group_value, gender, period, unit
-- accepted_values: gap_type = gender, vs_country
-- accepted_values: gender = total, female, male, female_vs_male
with home as (
    select * from intermediate.int_home_areas
),

figures as (
    select
        v.* replace (
            -- the region table names the areas when the region list did not
            coalesce(
                v.region_name,
                case v.region_level
                    when 'kunta' then home.municipality_name
                    when 'maakunta' then home.maakunta_name
                    when 'hyvinvointialue' then home.hyvinvointialue_name
                    when 'koko_maa' then 'Koko maa'
                end
            ) as region_name
        ),
        trim(measures.unit) as measure_unit
    from intermediate.int_group_values as v
    inner join catalog.measures as measures
        on v.measure_id = measures.measure_id
    cross join home
    where
        trim(measures.unit) not in ('count', 'yes_no')
        and (
            (v.region_level = 'kunta' and v.region_code = home.municipality_code)
            or (v.region_level = 'maakunta' and v.region_code = home.maakunta_code)
            or (v.region_level = 'hyvinvointialue' and v.region_code = home.hyvinvointialue_code)
            or v.region_level = 'koko_maa'
        )
)

select
    'gender' as gap_type,
    girls.region_level,
    girls.region_code,
    girls.region_name,
    girls.measure_id,
    girls.group_type,
    girls.group_value,
    'female_vs_male' as gender,
    girls.period,
    girls.measure_unit as unit,
    'female' as side_1,
    'male' as side_0,
    girls.value as v1,
    girls.sample_size as n1,
    girls.abs_value as k1,
    boys.value as v0,
    boys.sample_size as n0,
    boys.abs_value as k0,
    girls.is_demo or boys.is_demo as is_demo
from figures as girls
inner join figures as boys
    on
        girls.region_level = boys.region_level
        and girls.region_code = boys.region_code
        and girls.measure_id = boys.measure_id
        and girls.group_type = boys.group_type
        and girls.group_value = boys.group_value
        and girls.period = boys.period
where girls.gender = 'female' and boys.gender = 'male'
union all
select
    'vs_country' as gap_type,
    municipality.region_level,
    municipality.region_code,
    municipality.region_name,
    municipality.measure_id,
    municipality.group_type,
    municipality.group_value,
    municipality.gender,
    municipality.period,
    municipality.measure_unit as unit,
    municipality.region_code as side_1,
    'SSS' as side_0,
    municipality.value as v1,
    municipality.sample_size as n1,
    municipality.abs_value as k1,
    country.value as v0,
    country.sample_size as n0,
    country.abs_value as k0,
    municipality.is_demo or country.is_demo as is_demo
-- The joins spell out the grain (measure_id, group_type, group_value, gender, period): that key list recurs
-- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from figures as municipality
inner join figures as country
    on
        country.region_level = 'koko_maa'
        and municipality.measure_id = country.measure_id
        and municipality.group_type = country.group_type
        and municipality.group_value = country.group_value
        and municipality.gender = country.gender
        and municipality.period = country.period
where municipality.region_level = 'kunta'
