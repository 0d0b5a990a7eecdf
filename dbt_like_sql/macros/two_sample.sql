-- The two-sample interval arithmetic, written once for every model that compares two independent
-- figures (intermediate.int_scorecard_change_tests: latest vs comparison point;
-- intermediate.int_two_sample_intervals: one group vs another). DuckDB macros: the loader
-- (hyte_assets/lib/sql_models.py) creates them on the connection before building a model that
-- calls one, and a model's code version includes them, so a fix here rebuilds both models.
-- Checked against statsmodels (hyte_assets_tests/sql/test_scorecard_change_tests.py) and Newcombe's
-- published example (hyte_assets_tests/sql/test_peers_index_gaps.py).

-- the normal 97.5 % quantile: two-sided 95 %
create or replace temp macro z95() as 1.959963984540054;

-- Wilson score interval of a proportion p of n: centre +- half width
create or replace temp macro wilson_centre(p, n) as (p + z95() ^ 2 / (2 * n)) / (1 + z95() ^ 2 / n);
create or replace temp macro wilson_half(p, n) as
z95() * sqrt(p * (1 - p) / n + z95() ^ 2 / (4 * n * n)) / (1 + z95() ^ 2 / n);
create or replace temp macro wilson_low(p, n) as wilson_centre(p, n) - wilson_half(p, n);
create or replace temp macro wilson_high(p, n) as wilson_centre(p, n) + wilson_half(p, n);

-- Newcombe's hybrid score interval (1998, method 10) for p1 - p0, from the two Wilson intervals,
-- in percentage points
create or replace temp macro newcombe_low(p1, n1, p0, n0) as
100 * (p1 - p0 - sqrt(power(p1 - wilson_low(p1, n1), 2) + power(wilson_high(p0, n0) - p0, 2)));
create or replace temp macro newcombe_high(p1, n1, p0, n0) as
100 * (p1 - p0 + sqrt(power(wilson_high(p1, n1) - p1, 2) + power(p0 - wilson_low(p0, n0), 2)));
