import { defineConfig } from 'drizzle-kit';

// Migrations are generated here with `npm run db:generate` and applied from code at start
// (src/db/migrate.ts): drizzle-kit's own migrate cannot load PGlite's pgvector extension.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
