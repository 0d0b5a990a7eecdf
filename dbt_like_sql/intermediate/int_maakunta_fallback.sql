-- Measures whose rows show the home maakunta's figure in the municipality's place (scorecard and
-- peer comparison), labelled as the maakunta's: the catalog allows it (fallback_region_level =
-- 'maakunta') and the municipality in meta.settings has no value for the measure at all, in any
-- group or period, so a value of its own is never replaced. Whether the maakunta has a figure is
-- the consumers' join.
-- grain: measure_id
-- unique: measure_id
-- not_null: measure_id, maakunta_code, maakunta_name
select
    measures.measure_id,
    home.maakunta_code,
    home.maakunta_name
from catalog.measures as measures
cross join intermediate.int_home_areas as home
where
    measures.fallback_region_level = 'maakunta'
    and measures.measure_id not in (
        select series.measure_id
        from marts.measure_series as series
        where
            series.region_level = 'kunta'
            and series.region_code = home.municipality_code
    )
