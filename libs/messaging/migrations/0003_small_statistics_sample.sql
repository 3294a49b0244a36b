-- Tables read only through their keys get their statistics from a 3,000-row sample (target 10)
-- instead of 30,000: no plan of theirs depends on finer statistics, and under load autovacuum
-- re-analyzes each busy one every minute, which took 3 to 7 % of the bench machine's CPU.
-- Applies to the columns a table has now; a column added later needs it again.
CREATE FUNCTION use_small_statistics_sample(VARIADIC tables regclass[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  col record;
BEGIN
  FOR col IN SELECT attrelid::regclass AS tab, attname FROM pg_attribute
             WHERE attrelid = ANY (tables) AND attnum > 0 AND NOT attisdropped LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 10', col.tab, col.attname);
  END LOOP;
END
$$;

SELECT use_small_statistics_sample('outbox', 'inbox');
