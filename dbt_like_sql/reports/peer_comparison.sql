-- The municipality in meta.settings beside its peer group (intermediate.int_peer_group, rules in
-- data/scorecard/peers.md) and its areas, for every measure, population group, gender and period it
-- has a figure for: the peers' median, its rank among them (1 = best by the measure's polarity; only
-- when every member has a value, never for context measures), and the maakunta's, the wellbeing
-- services county's (hyvinvointialue) and the whole country's values. A measure the municipality
-- has no figure for at all but its county has (e.g. the adult survey's inclusion and loneliness) is
-- shown with the county's figure, labelled as such (figure_level = 'hyvinvointialue', no rank); one
-- whose catalog row allows the maakunta fallback (fallback_region_level) with the maakunta's
-- figure instead, labelled "Maakunnan luku" (figure_level = 'maakunta', no rank).
-- grain: measure_id, group_type, group_value, gender, period
-- unique: measure_id, group_type, group_value, gender, period
-- not_null: municipality_code, measure_id, group_type, group_value, gender, period, figure_level, is_demo
-- accepted_values: figure_level = kunta, maakunta, hyvinvointialue
with home as (
    select * from intermediate.int_home_areas
),

home_figures as (
    select
        v.*,
        home.municipality_name as figure_region_name
    from intermediate.int_group_values as v
    inner join home
        on
            v.region_level = 'kunta'
            and v.region_code = home.municipality_code
),

maakunta_figures as (
    -- only for measures without any figure of the municipality itself, where the catalog allows it
    -- (like-shaped by design: int_scorecard_points joins measure_series to the same rule)
    select
        v.*,
        fallback.maakunta_name as figure_region_name
    from intermediate.int_group_values as v
    inner join intermediate.int_maakunta_fallback as fallback
        on
            v.measure_id = fallback.measure_id
            and v.region_level = 'maakunta'
            and v.region_code = fallback.maakunta_code
),

county_figures as (
    -- only for measures without any figure of the municipality itself (nor the maakunta's in its place)
    select
        v.*,
        home.hyvinvointialue_name as figure_region_name
    from intermediate.int_group_values as v
    inner join home
        on
            v.region_level = 'hyvinvointialue'
            and v.region_code = home.hyvinvointialue_code
    where
        v.measure_id not in (select home_figures.measure_id from home_figures)
        and v.measure_id not in (select maakunta_figures.measure_id from maakunta_figures)
),

figures as (
    select * from home_figures
    union all
    select * from maakunta_figures
    union all
    select * from county_figures
),

member_values as (
    -- every member of the peer group for each of the municipality's own figures; NULL when it has none
    select
        figures.measure_id,
        figures.group_type,
        figures.group_value,
        figures.gender,
        figures.period,
        peers.peer_code,
        peers.is_home,
        v.value,
        v.is_demo
    from figures
    inner join intermediate.int_peer_group as peers
        on figures.region_level = 'kunta'
    left join intermediate.int_group_values as v
        on
            v.region_level = 'kunta'
            and peers.peer_code = v.region_code
            and figures.measure_id = v.measure_id
            and figures.group_type = v.group_type
            and figures.group_value = v.group_value
            and figures.gender = v.gender
            and figures.period = v.period
),

ranked as (
    -- The rank among the configured peer group (int_peer_group), by gender and period; the
    -- scorecard's maakunta rank (int_scorecard_peer_ranks) ranks the same way over the maakunta.
    select
        member_values.*,
        measures.polarity,
        count(*) over same_figure as municipalities_in_group,
        count(member_values.value) over same_figure as municipalities_with_value,
        -- rank 1 = best: the lowest value when lower is better, the highest otherwise
        rank() over (
            partition by
                member_values.measure_id,
                member_values.group_type,
                member_values.group_value,
                member_values.gender,
                member_values.period
            order by case
                when measures.polarity = 'lower_better' then member_values.value else -member_values.value
            end
        ) as value_rank
    from member_values
    inner join catalog.measures as measures
        on member_values.measure_id = measures.measure_id
    window same_figure as (
        partition by
            member_values.measure_id,
            member_values.group_type,
            member_values.group_value,
            member_values.gender,
            member_values.period
    )
),

peer_stats as (
    select
        measure_id,
        group_type,
        group_value,
        gender,
        period,
        count(*) filter (where not is_home) as peers_in_group,
        count(value) filter (where not is_home) as peers_with_value,
        median(value) filter (where not is_home) as peer_median,
        coalesce(bool_or(is_demo) filter (where not is_home), false) as peers_any_demo,
        -- a rank among some of the members would flatter or shame by accident: all or none
        max(value_rank) filter (
            where is_home and municipalities_with_value = municipalities_in_group and polarity <> 'context'
        ) as rank_among_peers,
        max(municipalities_in_group) as municipalities_in_group
    from ranked
    group by all
),

areas as (
    -- the maakunta's, the county's and the country's values side by side
    select
        v.measure_id,
        v.group_type,
        v.group_value,
        v.gender,
        v.period,
        max(v.value) filter (where v.region_level = 'maakunta') as maakunta_value,
        max(v.value) filter (where v.region_level = 'hyvinvointialue') as hyvinvointialue_value,
        max(v.value) filter (where v.region_level = 'koko_maa') as koko_maa_value,
        bool_or(v.is_demo) as any_demo
    from intermediate.int_group_values as v
    cross join home
    where
        (v.region_level = 'maakunta' and v.region_code = home.maakunta_code)
        or (v.region_level = 'hyvinvointialue' and v.region_code = home.hyvinvointialue_code)
        or (v.region_level = 'koko_maa' and v.region_code = 'SSS')
    group by all
)

select
    home.municipality_code,
    home.municipality_name,
    figures.measure_id,
    measures.title_fi,
    measures.title_en,
    measures.theme_id,
    measures.unit,
    measures.polarity,
    -- the age band or population the measure itself is about (catalog), e.g. '65+', '18-24'
    nullif(trim(measures.population_group), '') as population_group,
    figures.group_type,
    figures.group_value,
    figures.gender,
    figures.period,
    figures.year,
    figures.value,
    figures.region_level as figure_level,
    figures.figure_region_name,
    case figures.region_level
        when 'hyvinvointialue' then 'Hyvinvointialueen luku: ' || figures.figure_region_name
        when 'maakunta' then 'Maakunnan luku: ' || figures.figure_region_name
        else figures.figure_region_name
    end as figure_label_fi,
    case figures.region_level
        when 'hyvinvointialue' then 'Wellbeing services county figure: ' || figures.figure_region_name
        when 'maakunta' then 'Regional (maakunta) figure: ' || figures.figure_region_name
        else figures.figure_region_name
    end as figure_label_en,
    figures.is_demo,
    peer_stats.municipalities_in_group,
    peer_stats.peers_in_group,
    peer_stats.peers_with_value,
    peer_stats.peer_median,
    figures.value - peer_stats.peer_median as gap_to_peer_median,
    peer_stats.rank_among_peers,
    peer_stats.peers_any_demo,
    areas.maakunta_value,
    areas.hyvinvointialue_value,
    areas.koko_maa_value,
    figures.value - areas.maakunta_value as maakunta_gap,
    figures.value - areas.hyvinvointialue_value as hyvinvointialue_gap,
    figures.value - areas.koko_maa_value as koko_maa_gap,
    coalesce(areas.any_demo, false) or coalesce(peer_stats.peers_any_demo, false) as comparison_is_demo
-- The joins spell out the grain (measure_id, group_type, group_value, gender, period): that key list recurs
-- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from figures
cross join home
inner join catalog.measures as measures
    on figures.measure_id = measures.measure_id
left join peer_stats
    on
        figures.measure_id = peer_stats.measure_id
        and figures.group_type = peer_stats.group_type
        and figures.group_value = peer_stats.group_value
        and figures.gender = peer_stats.gender
        and figures.period = peer_stats.period
left join areas
    on
        figures.measure_id = areas.measure_id
        and figures.group_type = areas.group_type
        and figures.group_value = areas.group_value
        and figures.gender = areas.gender
        and figures.period = areas.period
