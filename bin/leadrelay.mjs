#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), after generating the Prisma client if needed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: root, stdio: 'inherit' });
// A .env file in the working directory fills in what the environment leaves unset.
if (existsSync('.env')) process.loadEnvFile('.env');
register();
await import('../src/cli/index.ts');
