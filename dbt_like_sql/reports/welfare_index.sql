-- A welfare index in the manner of Kuntaliitto's welfare indicator: each measure scaled so that the
-- whole country is 100 and a higher index is better (intermediate.int_welfare_index_measures), then
-- averaged per goal and per theme, for the municipality in meta.settings, its peer group and its
-- areas. A goal's or theme's average uses only the measures that every member of the peer group has,
-- so the members are averaged over the same measures and can be ranked (1 = best); measures_in_index
-- says how many. level 'measure' rows are the single measures (ranked only when every member has it).
-- grain: level, rollup_id, region_level, region_code
-- unique: level, rollup_id, region_level, region_code
-- not_null: level, rollup_id, region_level, region_code, measures_in_index, index_value, is_demo
-- accepted_values: level = measure, goal, theme
with member_count as (
    select count(*) as members
    from intermediate.int_peer_group
),

coverage as (
    -- measures every member of the peer group has an index for
    select idx.measure_id
    from intermediate.int_welfare_index_measures as idx
    cross join member_count
    where idx.region_level = 'kunta' and idx.index_value is not null
    group by idx.measure_id, member_count.members
    having count(*) = member_count.members
),

links as (
    select
        'measure' as level,
        measure_id as rollup_id,
        measure_id
    from catalog.measures
    union all
    select
        'goal' as level,
        trim(goal_id) as rollup_id,
        trim(measure_id) as measure_id
    from catalog.measure_goals
    union all
    select
        'theme' as level,
        trim(theme_id) as rollup_id,
        measure_id
    from catalog.measures
),

scored as (
    select
        links.level,
        links.rollup_id,
        idx.*,
        coverage.measure_id is not null as every_member_has_it
    from links
    inner join intermediate.int_welfare_index_measures as idx
        on links.measure_id = idx.measure_id
    left join coverage
        on idx.measure_id = coverage.measure_id
    where
        idx.index_value is not null
        and (links.level = 'measure' or coverage.measure_id is not null)
),

averaged as (
    select
        level,
        rollup_id,
        municipality_code,
        region_level,
        region_code,
        region_name,
        is_home,
        avg(index_value) as index_value,
        count(*) as measures_in_index,
        min(period) as first_period,
        max(period) as last_period,
        bool_or(is_demo) as is_demo,
        bool_and(every_member_has_it) as comparable
    from scored
    group by all
)

select
    averaged.level,
    averaged.rollup_id,
    coalesce(measures.title_fi, goals.title_fi, themes.title_fi) as title_fi,
    coalesce(measures.title_en, goals.title_en, themes.title_en) as title_en,
    averaged.municipality_code,
    averaged.region_level,
    averaged.region_code,
    averaged.region_name,
    averaged.is_home,
    averaged.index_value,
    averaged.measures_in_index,
    averaged.first_period,
    averaged.last_period,
    case
        when averaged.region_level = 'kunta' and averaged.comparable
            then rank() over (
                partition by averaged.level, averaged.rollup_id, averaged.region_level, averaged.comparable
                order by averaged.index_value desc
            )
    end as rank_among_peers,
    averaged.is_demo
from averaged
left join catalog.measures as measures
    on averaged.level = 'measure' and averaged.rollup_id = measures.measure_id
left join catalog.goals as goals
    on averaged.level = 'goal' and averaged.rollup_id = goals.goal_id
left join catalog.themes as themes
    on averaged.level = 'theme' and averaged.rollup_id = themes.theme_id
