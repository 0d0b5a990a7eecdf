-- Every catalog measure belongs to at least one existing goal; a measure without one would be
-- missing from every goal's scorecard without anybody noticing.
-- tests: reports.scorecard_goal
select measures.measure_id
from catalog.measures as measures
left join catalog.measure_goals as measure_goals
    on measures.measure_id = trim(measure_goals.measure_id)
left join catalog.goals as goals
    on trim(measure_goals.goal_id) = goals.goal_id
group by measures.measure_id
having count(goals.goal_id) = 0
