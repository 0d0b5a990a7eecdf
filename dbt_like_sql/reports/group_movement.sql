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

words (word_key, word_fi, word_en) as (
    -- the sentence's words: group names (pupils are girls and boys, everyone else women and men),
    -- the scorecard's status labels of texts.toml in lower case, and the unit of a change
    select * from (
        values
        ('group:total', 'kaikki', 'all'),
        ('group:female', 'naiset', 'women'),
        ('group:male', 'miehet', 'men'),
        ('pupils:female', 'tytöt', 'girls'),
        ('pupils:male', 'pojat', 'boys'),
        ('status:improving', 'paranee', 'improving'),
        ('status:worsening', 'heikkenee', 'worsening'),
        ('status:stable', 'ennallaan', 'stable'),
        ('status:target_met', 'tavoite saavutettu', 'target met'),
        ('status:not_judged', 'ei arvioitu', 'not judged'),
        ('unit:percent', ' %-yks.', ' pp'),
        ('unit:per_10000', ' / 10 000', ' / 10,000'),
        ('unit:per_100000', ' / 100 000', ' / 100,000')
    )
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
        case
            when indicator.group_type = 'total' then 'group:total'
            when indicator.source = 'kouluterveyskysely' then 'pupils:' || indicator.group_value
            else 'group:' || indicator.group_value
        end as group_key,
        -- a signed change: +2.8, with a typographic minus as in the report
        replace(
            printf(case when indicator.unit = 'count' then '%+.0f' else '%+.1f' end, indicator.change),
            '-', '−'
        ) as change_en
    from reports.scorecard_indicator as indicator
    where indicator.latest_value is not null
),

labelled as (
    -- a group without a word of its own (a school level, an age group) keeps its name
    select
        groups.*,
        coalesce(group_word.word_fi, groups.group_value) as label_fi,
        coalesce(group_word.word_en, groups.group_value) as label_en,
        status_word.word_fi as status_fi,
        status_word.word_en as status_en,
        coalesce(unit_word.word_fi, '') as unit_fi,
        coalesce(unit_word.word_en, '') as unit_en
    from groups
    left join words as group_word on groups.group_key = group_word.word_key
    left join words as status_word on 'status:' || groups.status = status_word.word_key
    left join words as unit_word on 'unit:' || groups.unit = unit_word.word_key
),

worded as (
    select
        labelled.*,
        labelled.status in ('improving', 'worsening') as moved,
        -- not judged, or at its target: neither moved nor within the noise
        labelled.status not in ('improving', 'worsening', 'stable') as is_other,
        case when labelled.status_rests_on_demo then 'demo' end as demo_note,
        -- for the text columns: "female +2.8 (0.5 … 5.1)"
        labelled.group_value || ' ' || labelled.change_en || ' ('
        || replace(printf('%.1f', labelled.change_low), '-', '−') || ' … '
        || replace(printf('%.1f', labelled.change_high), '-', '−') || ')' as mover
    from labelled
    where labelled.groups_with_data >= 2
),

detailed as (
    -- in brackets after the status: a mover's change, and 'demo' when the status rests on demo data
    select
        worded.*,
        concat_ws(
            ', ', case when worded.moved then replace(worded.change_en, '.', ',') || worded.unit_fi end,
            worded.demo_note
        ) as detail_fi,
        concat_ws(', ', case when worded.moved then worded.change_en || worded.unit_en end, worded.demo_note)
            as detail_en
    from worded
),

phrased as (
    select
        detailed.*,
        detailed.label_fi || ': ' || detailed.status_fi
        || coalesce(' (' || nullif(detailed.detail_fi, '') || ')', '') as phrase_fi,
        detailed.label_en || ': ' || detailed.status_en
        || coalesce(' (' || nullif(detailed.detail_en, '') || ')', '') as phrase_en
    from detailed
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
