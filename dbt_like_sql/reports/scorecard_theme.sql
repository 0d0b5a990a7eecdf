-- Per theme of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (counts use the primary members from the
-- plan's MITTARIT block; supporting ones are listed beside).
-- grain: theme_id
-- unique: theme_id
select
    theme_id,
    rollup_no as theme_no,
    title_fi,
    title_en,
    measures_total,
    measures_with_data,
    coverage,
    n_improving,
    n_stable,
    n_worsening,
    n_target_met,
    n_not_judged,
    n_no_data,
    n_judged,
    share_improving,
    worst_moving,
    n_supporting,
    supporting_measures,
    summary_fi,
    summary_en,
    any_demo
from reports.scorecard_rollup
where level = 'theme'
