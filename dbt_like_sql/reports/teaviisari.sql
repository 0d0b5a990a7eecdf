-- TEAviisari sector scores (0-100) for the annual report: the municipality in meta.settings, its
-- maakunta and the whole country, per sector and year. Sotkanet's scores (raw.teaviisari_sotkanet:
-- kuntajohto, perusopetus, liikunta, perusterveydenhuolto) and the maintained file
-- (raw.teaviisari_values, the municipality only, its 'peruskoulu' being Sotkanet's perusopetus);
-- for one sector, year and level a real score beats a demo one, and Sotkanet beats the file.
-- grain: sector_id, year, region_level
-- unique: sector_id, year, region_level
-- not_null: sector_id, year, region_level, score, source, is_demo
-- accepted_values: region_level = kunta, maakunta, koko_maa
-- the home block is like int_scorecard_peer_ranks' own: one row always, even for a code the region
-- table lacks (intermediate.int_home_areas returns none then), so both spell it out
with home as (
    select
        settings.municipality_code,
        regions.maakunta_code
    from meta.settings as settings
    left join staging.stg_regions as regions
        on
            regions.region_level = 'kunta'
            and settings.municipality_code = regions.region_code
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by settings.municipality_code
    limit 1
),

candidates as (
    select
        trim(tea.sector_id) as sector_id,
        cast(tea.year as integer) as year,
        trim(tea.region_level) as region_level,
        trim(tea.region_code) as region_code,
        cast(tea.score as double) as score,
        tea.is_demo,
        'sotkanet' as source,
        1 as source_rank
    from raw.teaviisari_sotkanet as tea
    union all
    select
        case coalesce(nullif(trim(file.sector), ''), trim(file.group_value))
            when 'peruskoulu' then 'perusopetus'
            else coalesce(nullif(trim(file.sector), ''), trim(file.group_value))
        end as sector_id,
        cast(file.year as integer) as year,
        trim(file.region_level) as region_level,
        trim(file.region_code) as region_code,
        cast(file.value as double) as score,
        file.is_demo,
        'maintained_file' as source,
        2 as source_rank
    from raw.teaviisari_values as file
)

select
    candidates.sector_id,
    candidates.year,
    candidates.region_level,
    candidates.region_code,
    candidates.score,
    candidates.source,
    coalesce(candidates.is_demo, true) as is_demo
from candidates
inner join home
    on
        (candidates.region_level = 'kunta' and candidates.region_code = home.municipality_code)
        or (candidates.region_level = 'maakunta' and candidates.region_code = home.maakunta_code)
        or candidates.region_level = 'koko_maa'
where candidates.score is not null
qualify
    row_number() over (
        partition by candidates.sector_id, candidates.year, candidates.region_level
        order by coalesce(candidates.is_demo, true) asc, candidates.source_rank asc
    ) = 1
