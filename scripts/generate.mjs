// Generates the Prisma client when prisma/schema.prisma changed since the last run.
// The CLI wants a native schema engine it cannot download here; `generate` never runs it,
// so any executable will do (node itself).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const schema = readFileSync('prisma/schema.prisma');
const stamp = 'src/generated/prisma/.schema-hash';
const hash = createHash('sha256').update(schema).update('7.10.0').digest('hex');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) process.exit(0);

execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath },
});
writeFileSync(stamp, hash);
