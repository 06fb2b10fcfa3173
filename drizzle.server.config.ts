import { defineConfig } from 'drizzle-kit';

// Server (PostgreSQL) migrations; the client's SQLite migrations have their own config.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema.ts',
  out: './drizzle/server',
});
