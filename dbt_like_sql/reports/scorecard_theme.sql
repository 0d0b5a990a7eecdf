-- Per theme of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (a measure counts once, in its catalog theme).
-- grain: theme_id
with theme_measures as (
    select
        themes.theme_id,
        themes.theme_no,
        themes.title_fi,
        themes.title_en,
        m.measure_id,
        m.title_fi as measure_title_fi,
        m.status,
        m.is_judged,
        m.has_data,
        m.standardized_change,
        m.is_demo
    from catalog.themes as themes
    left join reports.scorecard_measure as m
        on themes.theme_id = m.theme_id
),

counts as (
    select
        theme_id,
        theme_no,
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
    from theme_measures
    group by theme_id, theme_no, title_fi, title_en
)

select
    theme_id,
    theme_no,
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
            'Teemassa on {} {}, eikä {} ole vielä tietoa.',
            measures_total,
            case when measures_total = 1 then 'mittari' else 'mittaria' end,
            case when measures_total = 1 then 'siitä' else 'niistä' end
        )
        when n_judged = 0 then format(
            'Teemassa on {} {}, ja tietoa on {} mittarista, mutta kehitystä ei voi vielä arvioida.',
            measures_total,
            case when measures_total = 1 then 'mittari' else 'mittaria' end,
            measures_with_data
        )
        else format(
            'Teemassa on {} {}, ja tietoa on {} mittarista: {} kehittyy myönteisesti, {} heikkenee, '
            || '{} pysyy ennallaan ja {} on saavuttanut tavoitteensa{}.',
            measures_total, case when measures_total = 1 then 'mittari' else 'mittaria' end,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} ilman arviota)', n_not_judged) else '' end
        )
    end as summary_fi,
    case
        when measures_with_data = 0 then format(
            'The theme has {} {}, none of them with data yet.',
            measures_total, case when measures_total = 1 then 'measure' else 'measures' end
        )
        when n_judged = 0 then format(
            'The theme has {} {}, {} with data, but no change can be judged yet.',
            measures_total,
            case when measures_total = 1 then 'measure' else 'measures' end,
            measures_with_data
        )
        else format(
            'The theme has {} {}, {} with data: {} improving, {} worsening, {} stable and {} at target{}.',
            measures_total, case when measures_total = 1 then 'measure' else 'measures' end,
            measures_with_data, n_improving, n_worsening, n_stable, n_target_met,
            case when n_not_judged > 0 then format(' ({} not judged)', n_not_judged) else '' end
        )
    end as summary_en,
    any_demo
from counts
