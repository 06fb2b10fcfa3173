import { defineConfig } from 'drizzle-kit';

// The laptop's SQLite database. Generated migrations land in drizzle/client and are
// applied by src/main/db/open.ts at every open.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/main/db/schema.ts',
  out: './drizzle/client',
});
