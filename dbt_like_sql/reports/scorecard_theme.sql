-- Per theme of the plan: how many of its measures have data and how they move, with a one-sentence
-- summary in Finnish and English for the annual report (counts use the primary members from the
-- plan's MITTARIT block; supporting ones are listed beside).
-- grain: theme_id
-- unique: theme_id
-- The columns are reports.scorecard_rollup's (listed there once), the keys named for themes.
select
    theme_id,
    rollup_no as theme_no,
    * exclude (level, rollup_id, rollup_no, theme_id)
from reports.scorecard_rollup
where level = 'theme'
