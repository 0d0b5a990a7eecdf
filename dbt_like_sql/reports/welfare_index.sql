-- A welfare index in the manner of Kuntaliitto's welfare indicator: each measure scaled so that the
-- whole country is 100 and a higher index is better (intermediate.int_welfare_index_measures), then
-- averaged per goal and per theme, for the municipality in meta.settings, its peer group and its
-- areas. Every region's goal or theme average uses the measures the municipality itself has an index
-- for (a region lacking some of them is averaged over fewer: measures_in_index says how many, and
-- is_complete whether it has them all). Members are ranked (1 = best) only when every member of the
-- peer group is complete, as for the peer ranks. level 'measure' rows are the single measures.
-- grain: level, rollup_id, region_level, region_code
-- unique: level, rollup_id, region_level, region_code
-- not_null: level, rollup_id, region_level, region_code, measures_in_index, index_value, is_demo
-- accepted_values: level = measure, goal, theme
with member_count as (
    select count(*) as members
    from intermediate.int_peer_group
),

home_measures as (
    select measure_id
    from intermediate.int_welfare_index_measures
    where is_home and index_value is not null
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

averaged as (
    select
        links.level,
        links.rollup_id,
        idx.municipality_code,
        idx.region_level,
        idx.region_code,
        idx.region_name,
        idx.is_home,
        avg(idx.index_value) as index_value,
        count(*) as measures_in_index,
        min(idx.period) as first_period,
        max(idx.period) as last_period,
        bool_or(idx.is_demo) as is_demo
    from links
    inner join intermediate.int_welfare_index_measures as idx
        on links.measure_id = idx.measure_id
    inner join home_measures
        on idx.measure_id = home_measures.measure_id
    where idx.index_value is not null
    group by all
),

completeness as (
    select
        averaged.*,
        averaged.measures_in_index
        = max(averaged.measures_in_index) filter (where averaged.is_home) over rollup as is_complete
    from averaged
    window rollup as (partition by averaged.level, averaged.rollup_id)
),

rankable as (
    -- every member of the peer group complete: the averages are over the same measures
    select
        completeness.level,
        completeness.rollup_id
    from completeness
    cross join member_count
    where completeness.region_level = 'kunta' and completeness.is_complete
    group by completeness.level, completeness.rollup_id, member_count.members
    having count(*) = member_count.members
)

select
    completeness.level,
    completeness.rollup_id,
    coalesce(measures.title_fi, goals.title_fi, themes.title_fi) as title_fi,
    coalesce(measures.title_en, goals.title_en, themes.title_en) as title_en,
    completeness.municipality_code,
    completeness.region_level,
    completeness.region_code,
    completeness.region_name,
    completeness.is_home,
    completeness.index_value,
    completeness.measures_in_index,
    completeness.is_complete,
    completeness.first_period,
    completeness.last_period,
    case
        when completeness.region_level = 'kunta' and rankable.level is not null
            then rank() over (
                partition by completeness.level, completeness.rollup_id, completeness.region_level
                order by completeness.index_value desc
            )
    end as rank_among_peers,
    completeness.is_demo
from completeness
left join rankable
    on completeness.level = rankable.level and completeness.rollup_id = rankable.rollup_id
left join catalog.measures as measures
    on completeness.level = 'measure' and completeness.rollup_id = measures.measure_id
left join catalog.goals as goals
    on completeness.level = 'goal' and completeness.rollup_id = goals.goal_id
left join catalog.themes as themes
    on completeness.level = 'theme' and completeness.rollup_id = themes.theme_id
