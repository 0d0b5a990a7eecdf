-- Goals and themes rolled up from their measures' headline statuses, with a one-sentence summary
-- in Finnish and English; scorecard_goal and scorecard_theme are its two halves. A measure counts in
-- every goal and theme it is a primary member of; supporting members are listed beside the counts.
-- grain: level, rollup_id
-- unique: level, rollup_id
-- accepted_values: level = goal, theme
with members as (
    -- links from the plan's MITTARIT blocks (data/catalog/measure_goal_links.csv, measure_themes.csv);
    -- a measure can serve several goals and themes; 'supporting' links (L60's cross-reference) are
    -- listed beside the counts, not counted
    select
        'goal' as level,
        goals.goal_id as rollup_id,
        goals.goal_no as rollup_no,
        goals.theme_id,
        goals.title_fi,
        goals.title_en,
        links.measure_id,
        links.role
    from catalog.goals as goals
    left join catalog.measure_goal_links as links
        on goals.goal_id = links.goal_id
    union all
    select
        'theme' as level,
        themes.theme_id as rollup_id,
        themes.theme_no as rollup_no,
        themes.theme_id,
        themes.title_fi,
        themes.title_en,
        links.measure_id,
        links.role
    from catalog.themes as themes
    left join catalog.measure_themes as links
        on themes.theme_id = links.theme_id
),

supporting as (
    select
        members.level,
        members.rollup_id,
        count(*) as n_supporting,
        string_agg(m.title_fi, '; ' order by m.title_fi) as supporting_measures
    from members
    inner join reports.scorecard_measure as m
        on members.measure_id = m.measure_id
    where members.role = 'supporting'
    group by members.level, members.rollup_id
),

counts as (
    select
        members.level,
        members.rollup_id,
        members.rollup_no,
        members.theme_id,
        members.title_fi,
        members.title_en,
        count(m.measure_id) as measures_total,
        count(*) filter (where m.has_data) as measures_with_data,
        count(*) filter (where m.status = 'improving') as n_improving,
        count(*) filter (where m.status = 'stable' and m.is_judged) as n_stable,
        count(*) filter (where m.status = 'worsening') as n_worsening,
        count(*) filter (where m.status = 'target_met') as n_target_met,
        count(*) filter (where m.has_data and not m.is_judged) as n_not_judged,
        count(*) filter (where m.status = 'no_data') as n_no_data,
        count(*) filter (where m.is_judged) as n_judged,
        -- up to three worsening measures, the most clearly worsening (in noise-band units) first
        array_to_string(
            list_slice(
                list(m.title_fi order by m.standardized_change) filter (where m.status = 'worsening'), 1, 3
            ),
            '; '
        ) as worst_moving,
        coalesce(bool_or(m.is_demo), false) as any_demo
    from members
    left join reports.scorecard_measure as m
        on members.measure_id = m.measure_id and members.role = 'primary'
    group by all
),

worded as (
    select
        counts.*,
        coalesce(supporting.n_supporting, 0) as n_supporting,
        supporting.supporting_measures,
        case counts.level when 'goal' then 'Tavoitteessa' else 'Teemassa' end as where_fi,
        case counts.level when 'goal' then 'The goal' else 'The theme' end as where_en,
        case when counts.measures_total = 1 then 'mittari' else 'mittaria' end as noun_fi,
        case when counts.measures_total = 1 then 'measure' else 'measures' end as noun_en
    from counts
    left join supporting
        on counts.level = supporting.level and counts.rollup_id = supporting.rollup_id
)

select
    level,
    rollup_id,
    rollup_no,
    theme_id,
    title_fi,
    title_en,
    measures_total,
    measures_with_data,
    measures_with_data / nullif(measures_total, 0) as coverage,
    n_improving,
    n_stable,
    n_worsening,
    n_target_met,
    n_not_judged,
    n_no_data,
    n_judged,
    n_improving / nullif(n_judged, 0) as share_improving,
    worst_moving,
    n_supporting,
    supporting_measures,
    -- numbers are never inflected ("7 mittarista", not "7:llä"), so the sentence is right for any count
    case
        when measures_with_data = 0
            then
                format(
                    '{} on {} {}, eikä {} ole vielä tietoa.',
                    where_fi,
                    measures_total,
                    noun_fi,
                    case when measures_total = 1 then 'siitä' else 'niistä' end
                )
        when n_judged = 0
            then
                format(
                    '{} on {} {}, ja tietoa on {} mittarista, mutta kehitystä ei voi vielä arvioida.',
                    where_fi, measures_total, noun_fi, measures_with_data
                )
        else format(
            '{} on {} {}, ja tietoa on {} mittarista: {} kehittyy myönteisesti, {} heikkenee, '
            || '{} pysyy ennallaan ja {} on saavuttanut tavoitteensa{}.',
            where_fi, measures_total, noun_fi,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} ilman arviota)', n_not_judged) else '' end
        )
    end as summary_fi,
    case
        when measures_with_data = 0
            then
                format(
                    '{} has {} {}, none of them with data yet.', where_en, measures_total, noun_en
                )
        when n_judged = 0
            then
                format(
                    '{} has {} {}, {} with data, but no change can be judged yet.',
                    where_en, measures_total, noun_en, measures_with_data
                )
        else format(
            '{} has {} {}, {} with data: {} improving, {} worsening, {} stable and {} at target{}.',
            where_en, measures_total, noun_en,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} not judged)', n_not_judged) else '' end
        )
    end as summary_en,
    any_demo
from worded
