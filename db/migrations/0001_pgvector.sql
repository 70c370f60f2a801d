-- pgvector powers content similarity (vector store). PGlite always ships it; a Postgres server may not.
-- Without it the feature store still works: src/db/client.ts reports the missing extension and its remedies.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
  END IF;
END
$$;
