-- Every value belongs to a catalog measure: a source mapping a stale or misspelt measure_id
-- would otherwise load figures that no report shows.
-- tests: marts.indicator_values
select distinct
    indicator.measure_id,
    indicator.source
from marts.indicator_values as indicator
anti join catalog.measures as measures
    on indicator.measure_id = measures.measure_id
