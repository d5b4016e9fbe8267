import { defineConfig } from 'drizzle-kit';

// drizzle-kit writes SQL migrations from the schema; wrangler applies the same folder (`migrations_dir`).
export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/db/schema.ts',
  out: './migrations',
});
