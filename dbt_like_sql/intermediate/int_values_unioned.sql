-- Every source's long-form values in one table, plan figures included, before deduplication;
-- the staging models share one column list, so a plain union all lines up column by column.
select * from staging.stg_sotkanet
union all
select * from staging.stg_kouluterveyskysely
union all
select * from staging.stg_statfin
union all
select * from staging.stg_employment
union all
select * from staging.stg_teaviisari
union all
select * from staging.stg_surveys
union all
select * from staging.stg_local
union all
select * from staging.stg_plan_figures
