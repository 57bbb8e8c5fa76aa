-- The elements of a JSON array, for the message writer's batch statement (modules/messages/append.ts).
-- A batch holds a few rows (1 to 64), but the planner assumes 100 for jsonb_array_elements; with that
-- estimate the cached plan of the batch statement may join conversations by scanning the whole table.
-- PL/pgSQL is never inlined, so ROWS 1 stands and every join is an index probe.
CREATE FUNCTION parley_rows(items jsonb) RETURNS SETOF jsonb
  LANGUAGE plpgsql STABLE STRICT ROWS 1
  AS $$ BEGIN RETURN QUERY SELECT jsonb_array_elements(items); END $$;
