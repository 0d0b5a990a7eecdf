-- Per goal of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (counts use each measure's headline status
-- and the primary goal links; supporting ones are listed beside).
-- grain: goal_id
-- unique: goal_id
select
    rollup_id as goal_id,
    rollup_no as goal_no,
    theme_id,
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
where level = 'goal'
