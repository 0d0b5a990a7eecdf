-- Per goal of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (counts use each measure's headline status
-- and the primary goal links; supporting ones are listed beside).
-- grain: goal_id
-- unique: goal_id
-- The columns are reports.scorecard_rollup's (listed there once), the keys named for goals.
select
    rollup_id as goal_id,
    rollup_no as goal_no,
    * exclude (level, rollup_id, rollup_no)
from reports.scorecard_rollup
where level = 'goal'
