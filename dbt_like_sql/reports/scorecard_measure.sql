-- One headline status per measure for the goal and theme roll-ups: the 'total' group's when the
-- measure has one, otherwise the balance of its groups (e.g. school levels: more improving than
-- worsening -> improving, more worsening -> worsening, a tie -> stable).
-- grain: measure_id
-- unique: measure_id
-- accepted_values: status = improving, stable, worsening, target_met, not_judged, no_data
-- accepted_values: status_basis = none, total, groups
with group_statuses as (
    select
        measure_id,
        count(*) as groups,
        count(latest_value) as groups_with_data,
        count(*) filter (where is_judged) as groups_judged,
        count(*) filter (where status = 'improving') as groups_improving,
        count(*) filter (where status = 'worsening') as groups_worsening,
        count(*) filter (where status = 'target_met') as groups_target_met,
        -- the 'total' group's verdict, when the measure has one
        any_value(status) filter (where group_type = 'total') as total_status,
        any_value(is_judged) filter (where group_type = 'total') as total_is_judged,
        any_value(standardized_change) filter (where group_type = 'total') as total_change,
        min(standardized_change) as worst_group_change,
        bool_or(is_demo) as is_demo,
        bool_or(status_rests_on_demo) as status_rests_on_demo,
        -- 'has_data' sorts first, so one group with data makes the measure 'has_data'
        min(source_status) as source_status
    from reports.scorecard_indicator
    group by measure_id
)

-- the catalog's descriptive columns come first, as in scorecard_indicator (a list, not logic)
select
    measures.measure_id,
    measures.title_fi,
    measures.title_en,
    measures.theme_id,
    measures.goal_ids,
    measures.polarity,
    trim(measures.unit) as unit,
    g.groups,
    g.groups_with_data,
    g.groups_with_data > 0 as has_data,
    case
        when g.groups_with_data = 0 then 'no_data'
        when g.total_status is not null then g.total_status
        when g.groups_judged = 0 then 'not_judged'
        when g.groups_target_met = g.groups_judged then 'target_met'
        when g.groups_improving + g.groups_target_met > g.groups_worsening then 'improving'
        when g.groups_worsening > g.groups_improving + g.groups_target_met then 'worsening'
        else 'stable'
    end as status,
    case
        when g.groups_with_data = 0 then 'none'
        when g.total_status is not null then 'total'
        else 'groups'
    end as status_basis,
    coalesce(g.total_is_judged, g.groups_judged > 0) as is_judged,
    -- for "worst moving" lists: the total's change, or the worst group's
    case when g.total_status is not null then g.total_change else g.worst_group_change end
        as standardized_change,
    coalesce(g.is_demo, false) as is_demo,
    coalesce(g.status_rests_on_demo, false) as status_rests_on_demo,
    g.source_status
from catalog.measures as measures
inner join group_statuses as g
    on measures.measure_id = g.measure_id
