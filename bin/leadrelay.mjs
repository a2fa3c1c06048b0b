#!/usr/bin/env node
// In a checkout with its dev tools (`npm install`): runs the TypeScript sources through tsx, after
// generating the Prisma client if the schema changed — no build step, never a stale build.
// Otherwise (the installed package, or a checkout built and pruned with --omit=dev): runs dist/.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// A .env file in the working directory fills in what the environment leaves unset.
if (existsSync('.env')) process.loadEnvFile('.env');

// The package ships no src/, so a tsx found further up (in whatever project installed it) is never used.
const tsx = existsSync(`${root}src/cli/index.ts`) ? await import('tsx/esm/api').catch(notInstalled) : null;
function notInstalled(error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
  throw error;
}

if (tsx) {
  execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: root, stdio: 'inherit' });
  tsx.register();
  await import('../src/cli/index.ts');
} else if (existsSync(`${root}dist/cli/index.js`)) {
  await import('../dist/cli/index.js');
} else {
  console.error('leadrelay: no dist/ to run and no tsx to run the sources: run `npm install` (development) or `npm run build`.');
  process.exit(1);
}
