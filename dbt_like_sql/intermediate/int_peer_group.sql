-- The peer group (vertailukunnat) of the municipality in meta.settings, by the rules of
-- catalog.peer_rules (data/scorecard/peers.csv, explained in data/scorecard/peers.md): its own rows
-- if it has any, else the '*' rows; a municipality is a member when a maakunta, size or include rule
-- selects it and no exclude rule names it. The municipality itself is always a member.
-- grain: peer_code
-- unique: peer_code
-- not_null: municipality_code, peer_code, peer_name, population, is_home, peer_reason
with home as (
    select * from intermediate.int_home_areas
),

rules as (
    -- the municipality's own rows replace the defaults entirely
    select peer_rules.*
    from catalog.peer_rules as peer_rules
    cross join home
    where
        peer_rules.municipality_code = home.municipality_code
        or (
            peer_rules.municipality_code = '*'
            and not exists (
                select own.rule from catalog.peer_rules as own
                where own.municipality_code = home.municipality_code
            )
        )
),

selected as (
    select
        candidates.municipality_code as peer_code,
        rules.rule
    from catalog.municipalities as candidates
    cross join home
    inner join rules
        on
            (rules.rule = 'maakunta' and candidates.maakunta_code = home.maakunta_code)
            or (
                rules.rule = 'size_band'
                and candidates.population between rules.population_min and rules.population_max
            )
            or (
                rules.rule = 'size_ratio'
                and candidates.population
                between rules.population_min * home.population and rules.population_max * home.population
            )
            or (rules.rule = 'include' and candidates.municipality_code = rules.peer_code)
    union all
    select
        home.municipality_code as peer_code,
        'home' as rule
    from home
),

excluded as (
    select peer_code from rules
    where rule = 'exclude'
)

select
    home.municipality_code,
    selected.peer_code,
    members.municipality_name as peer_name,
    members.maakunta_code,
    members.hyvinvointialue_code,
    members.population,
    selected.peer_code = home.municipality_code as is_home,
    -- why it is a member, e.g. 'maakunta, size_band'
    string_agg(distinct selected.rule, ', ' order by selected.rule) as peer_reason
from selected
cross join home
inner join catalog.municipalities as members
    on selected.peer_code = members.municipality_code
where
    selected.peer_code = home.municipality_code
    or selected.peer_code not in (select excluded.peer_code from excluded)
group by all
