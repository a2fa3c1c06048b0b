#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), after generating the Prisma client if needed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: root, stdio: 'inherit' });
register();
await import('../src/cli.ts');
