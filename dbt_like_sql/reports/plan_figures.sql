-- Every figure the plan itself states, beside what the pipeline holds for the same measure, region,
-- period and group, so the council sees the plan's numbers and whether the sources agree with them.
-- Figures the plan gives only as background (no measure line, e.g. 80+ living at home) are listed too.
-- grain: figure_id
-- unique: figure_id
-- accepted_values: status = background_figure, undated, not_in_pipeline, matches, differs
select
    figures.figure_id,
    nullif(figures.measure_id, '') as measure_id,
    measures.title_fi as measure_title_fi,
    figures.value as plan_value,
    figures.unit,
    nullif(figures.period, '') as period,
    figures.region_code,
    figures.region_level,
    figures.group_value,
    figures.source_section,
    figures.source_sentence,
    pipeline.value as pipeline_value,
    pipeline.source as pipeline_source,
    pipeline.is_demo as pipeline_is_demo,
    pipeline.value - figures.value as difference,
    case
        when nullif(figures.measure_id, '') is null then 'background_figure'
        when nullif(figures.period, '') is null then 'undated'
        when pipeline.value is null then 'not_in_pipeline'
        when abs(pipeline.value - figures.value) < 0.05 then 'matches'
        else 'differs'
    end as status
-- The joins spell out the grain (measure, period, region, group): that key list recurs wherever
-- two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from catalog.plan_figures as figures
left join catalog.measures as measures
    on figures.measure_id = measures.measure_id
left join marts.indicator_values as pipeline
    on
        figures.measure_id = pipeline.measure_id
        and figures.period = pipeline.period
        and figures.region_code = pipeline.region_code
        and figures.region_level = pipeline.region_level
        and figures.group_value = pipeline.group_value
        -- the plan's figure is for the whole group, not a gender split beside it (a school level's girls)
        and (pipeline.gender = 'total' or pipeline.group_value = pipeline.gender)
