-- Which population group moved: one row per measure that has a latest value for two or more groups
-- in reports.scorecard_indicator (total, women and men; school levels; age groups) for the
-- municipality in meta.settings. Each group's status is the scorecard's own (the two-sample change
-- test of int_scorecard_change_tests against its comparison point); the columns list the groups that
-- improved or worsened beyond the noise, with their change and 95 % interval, the groups that stayed
-- within it, and those not judged. summary_fi / summary_en say it as one report line
-- ("Naiset: heikkenee (+2,8 %-yks.); miehet: ennallaan"); the status words are the annual report's
-- (hyte_assets/lib/report/texts.toml, lower case). A group whose status rests on demo data is marked
-- "demo" in the line and counted in status_rests_on_demo. A measure with one group gets no row.
-- grain: measure_id
-- unique: measure_id
-- not_null: municipality_code, measure_id, groups_with_data, summary_fi, summary_en, any_moved, is_demo
with settings as (
    select municipality_code
    from meta.settings
    order by municipality_code
    limit 1
),

groups as (
    select
        indicator.measure_id,
        indicator.title_fi,
        indicator.title_en,
        indicator.theme_id,
        indicator.unit,
        indicator.polarity,
        indicator.group_type,
        indicator.group_value,
        indicator.status,
        indicator.change,
        indicator.change_low,
        indicator.change_high,
        indicator.status_rests_on_demo,
        indicator.is_demo,
        -- the order the annual report lists the groups in: the total first
        (indicator.group_type <> 'total') as sort_1,
        indicator.group_value as sort_2,
        count(*) over (partition by indicator.measure_id) as groups_with_data,
        -- pupils are girls and boys, everyone else women and men
        case
            when indicator.group_type = 'total' then 'kaikki'
            when indicator.group_value = 'female' and indicator.source = 'kouluterveyskysely' then 'tytöt'
            when indicator.group_value = 'male' and indicator.source = 'kouluterveyskysely' then 'pojat'
            when indicator.group_value = 'female' then 'naiset'
            when indicator.group_value = 'male' then 'miehet'
            else indicator.group_value
        end as label_fi,
        case
            when indicator.group_type = 'total' then 'all'
            when indicator.group_value = 'female' and indicator.source = 'kouluterveyskysely' then 'girls'
            when indicator.group_value = 'male' and indicator.source = 'kouluterveyskysely' then 'boys'
            when indicator.group_value = 'female' then 'women'
            when indicator.group_value = 'male' then 'men'
            else indicator.group_value
        end as label_en,
        -- the scorecard's status labels of texts.toml in lower case
        case indicator.status
            when 'improving' then 'paranee'
            when 'worsening' then 'heikkenee'
            when 'stable' then 'ennallaan'
            when 'target_met' then 'tavoite saavutettu'
            else 'ei arvioitu'
        end as word_fi,
        replace(indicator.status, '_', ' ') as word_en,
        -- a signed change: +2.8, with a typographic minus as in the report
        replace(
            printf(case when indicator.unit = 'count' then '%+.0f' else '%+.1f' end, indicator.change),
            '-', '−'
        ) as change_en,
        case indicator.unit
            when 'percent' then ' %-yks.'
            when 'per_10000' then ' / 10 000'
            when 'per_100000' then ' / 100 000'
            else ''
        end as unit_fi,
        case indicator.unit
            when 'percent' then ' pp'
            when 'per_10000' then ' / 10,000'
            when 'per_100000' then ' / 100,000'
            else ''
        end as unit_en
    from reports.scorecard_indicator as indicator
    where indicator.latest_value is not null
),

worded as (
    select
        groups.*,
        replace(groups.change_en, '.', ',') as change_fi,
        groups.status in ('improving', 'worsening') as moved,
        -- not judged, or at its target: neither moved nor within the noise
        groups.status not in ('improving', 'worsening', 'stable') as is_other,
        -- for the text columns: "female +2.8 (0.5 … 5.1)"
        groups.group_value || ' ' || groups.change_en || ' ('
        || replace(printf('%.1f', groups.change_low), '-', '−') || ' … '
        || replace(printf('%.1f', groups.change_high), '-', '−') || ')' as mover
    from groups
    where groups.groups_with_data >= 2
),

phrased as (
    select
        worded.*,
        worded.label_fi || ': ' || worded.word_fi || case
            when worded.moved
                then
                    ' (' || worded.change_fi || worded.unit_fi
                    || case when worded.status_rests_on_demo then ', demo' else '' end || ')'
            when worded.status_rests_on_demo then ' (demo)'
            else ''
        end as phrase_fi,
        worded.label_en || ': ' || worded.word_en || case
            when worded.moved
                then
                    ' (' || worded.change_en || worded.unit_en
                    || case when worded.status_rests_on_demo then ', demo' else '' end || ')'
            when worded.status_rests_on_demo then ' (demo)'
            else ''
        end as phrase_en
    from worded
),

measures as (
    select
        measure_id,
        any_value(title_fi) as title_fi,
        any_value(title_en) as title_en,
        any_value(theme_id) as theme_id,
        any_value(unit) as unit,
        any_value(polarity) as polarity,
        string_agg(distinct group_type, '|' order by group_type) as group_types,
        count(*) as groups_with_data,
        count(*) filter (where status = 'improving') as groups_improving,
        count(*) filter (where status = 'worsening') as groups_worsening,
        count(*) filter (where status = 'stable') as groups_stable,
        count(*) filter (where is_other) as groups_other,
        string_agg(mover, '|' order by sort_1, sort_2) filter (where status = 'improving')
            as improving_groups,
        string_agg(mover, '|' order by sort_1, sort_2) filter (where status = 'worsening')
            as worsening_groups,
        string_agg(group_value, '|' order by sort_1, sort_2) filter (where status = 'stable')
            as stable_groups,
        string_agg(group_value || ' ' || status, '|' order by sort_1, sort_2) filter (where is_other)
            as other_groups,
        string_agg(group_value, '|' order by sort_1, sort_2) filter (where status_rests_on_demo)
            as demo_groups,
        string_agg(phrase_fi, '; ' order by sort_1, sort_2) as summary_fi,
        string_agg(phrase_en, '; ' order by sort_1, sort_2) as summary_en,
        bool_or(moved) as any_moved,
        bool_or(status_rests_on_demo) as status_rests_on_demo,
        bool_or(is_demo) as is_demo
    from phrased
    group by measure_id
)

select
    settings.municipality_code,
    measures.measure_id,
    measures.title_fi,
    measures.title_en,
    measures.theme_id,
    measures.unit,
    measures.polarity,
    measures.group_types,
    measures.groups_with_data,
    measures.groups_improving,
    measures.groups_worsening,
    measures.groups_stable,
    measures.groups_other,
    measures.improving_groups,
    measures.worsening_groups,
    measures.stable_groups,
    measures.other_groups,
    measures.any_moved,
    upper(left(measures.summary_fi, 1)) || substr(measures.summary_fi, 2) as summary_fi,
    upper(left(measures.summary_en, 1)) || substr(measures.summary_en, 2) as summary_en,
    measures.demo_groups,
    measures.status_rests_on_demo,
    measures.is_demo
from measures
cross join settings
