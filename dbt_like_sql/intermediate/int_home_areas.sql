-- The municipality in meta.settings with the areas it is compared with: its maakunta and its
-- wellbeing services county (hyvinvointialue; NULL for Helsinki and Åland), from the region table
-- (catalog.municipalities). One row; no row when the code is not a municipality of the table.
-- grain: municipality_code
-- unique: municipality_code
-- not_null: municipality_code, municipality_name, maakunta_code
with settings as (
    select municipality_code
    from meta.settings
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by municipality_code
    limit 1
)

select
    municipalities.municipality_code,
    municipalities.municipality_name,
    municipalities.maakunta_code,
    municipalities.maakunta_name,
    municipalities.hyvinvointialue_code,
    municipalities.hyvinvointialue_name,
    municipalities.population
from catalog.municipalities as municipalities
inner join settings
    on municipalities.municipality_code = settings.municipality_code
