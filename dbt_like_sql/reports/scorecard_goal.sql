-- Per goal of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (counts use each measure's headline status).
-- grain: goal_id
with goal_measures as (
    select
        goals.goal_id,
        goals.goal_no,
        goals.theme_id,
        goals.title_fi,
        goals.title_en,
        m.measure_id,
        m.title_fi as measure_title_fi,
        m.status,
        m.is_judged,
        m.has_data,
        m.standardized_change,
        m.is_demo
    from catalog.goals as goals
    left join catalog.measure_goals as measure_goals
        on goals.goal_id = trim(measure_goals.goal_id)
    left join reports.scorecard_measure as m
        on trim(measure_goals.measure_id) = m.measure_id
),

counts as (
    select
        goal_id,
        goal_no,
        theme_id,
        title_fi,
        title_en,
        count(measure_id) as measures_total,
        count(*) filter (where has_data) as measures_with_data,
        count(*) filter (where status = 'improving') as n_improving,
        count(*) filter (where status = 'stable' and is_judged) as n_stable,
        count(*) filter (where status = 'worsening') as n_worsening,
        count(*) filter (where status = 'target_met') as n_target_met,
        count(*) filter (where has_data and not is_judged) as n_not_judged,
        count(*) filter (where status = 'no_data') as n_no_data,
        count(*) filter (where is_judged) as n_judged,
        -- up to three worsening measures, the most clearly worsening (in noise-band units) first
        array_to_string(
            list_slice(
                list(measure_title_fi order by standardized_change) filter (where status = 'worsening'), 1, 3
            ),
            '; '
        ) as worst_moving,
        coalesce(bool_or(is_demo), false) as any_demo
    from goal_measures
    group by goal_id, goal_no, theme_id, title_fi, title_en
)

select
    goal_id,
    goal_no,
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
    -- numbers are never inflected ("7 mittarista", not "7:llä"), so the sentence is right for any count
    case
        when measures_with_data = 0 then format(
            'Tavoitteessa on {} {}, eikä {} ole vielä tietoa.',
            measures_total,
            case when measures_total = 1 then 'mittari' else 'mittaria' end,
            case when measures_total = 1 then 'siitä' else 'niistä' end
        )
        when n_judged = 0 then format(
            'Tavoitteessa on {} {}, ja tietoa on {} mittarista, mutta kehitystä ei voi vielä arvioida.',
            measures_total,
            case when measures_total = 1 then 'mittari' else 'mittaria' end,
            measures_with_data
        )
        else format(
            'Tavoitteessa on {} {}, ja tietoa on {} mittarista: {} kehittyy myönteisesti, {} heikkenee, '
            || '{} pysyy ennallaan ja {} on saavuttanut tavoitteensa{}.',
            measures_total, case when measures_total = 1 then 'mittari' else 'mittaria' end,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} ilman arviota)', n_not_judged) else '' end
        )
    end as summary_fi,
    case
        when measures_with_data = 0 then format(
            'The goal has {} {}, none of them with data yet.',
            measures_total, case when measures_total = 1 then 'measure' else 'measures' end
        )
        when n_judged = 0 then format(
            'The goal has {} {}, {} with data, but no change can be judged yet.',
            measures_total,
            case when measures_total = 1 then 'measure' else 'measures' end,
            measures_with_data
        )
        else format(
            'The goal has {} {}, {} with data: {} improving, {} worsening, {} stable and {} at target{}.',
            measures_total, case when measures_total = 1 then 'measure' else 'measures' end,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} not judged)', n_not_judged) else '' end
        )
    end as summary_en,
    any_demo
from counts
