// Prisma CLI configuration. The CLI is only needed for `prisma generate` (see scripts/generate.mjs)
// and, for users with internet, `prisma migrate deploy` with DATABASE_URL set.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/leadrelay' },
});
