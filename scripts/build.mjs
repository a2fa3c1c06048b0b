// `npm run build`: src/ → dist/ with tsc (the Prisma client generated first and compiled along),
// plus the files the code reads at run time. dist/ mirrors src/, so paths the code resolves
// relative to itself (../../prisma/migrations, ../../teams/) reach the same files from both.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const node = (...args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

node('scripts/generate.mjs');
// A clean dist/: a module deleted from src/ must not live on in the package.
rmSync('dist', { recursive: true, force: true });
node('node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json');

// Run-time assets: every file under src/ that is neither TypeScript nor documentation nor a dotfile.
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.(ts|md)$/.test(entry.name) || entry.name.startsWith('.')) continue;
  const from = path.join(entry.parentPath ?? entry.path, entry.name); // .path before Node 20.12
  cpSync(from, path.join('dist', path.relative('src', from)));
}
