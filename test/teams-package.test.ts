import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pngSize, runTeamsPackage, TeamsPackageError, teamsPackage } from '../src/infra/teams-package.ts';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const COMMANDS = ['mine', 'away', 'back', 'sla', 'precedents', 'digest', 'help'];

const tmp: string[] = [];
const tmpDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadrelay-teams-'));
  tmp.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of tmp.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('the Teams app package', () => {
  it('zips manifest.json and the two icons at the root, with the app id filled in', () => {
    const files = unzipSync(teamsPackage({ appId: APP_ID }));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const text = strFromU8(files['manifest.json']!);
    expect(text).not.toContain('{{');
    const manifest = JSON.parse(text);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.bots[0].scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest).toMatchObject({ version: '0.1.0', icons: { color: 'color.png', outline: 'outline.png' } });
    expect(Number(manifest.manifestVersion.split('.')[1])).toBeGreaterThanOrEqual(17);
    expect(manifest.$schema).toContain(`/v${manifest.manifestVersion}/`);
    expect(manifest.description.full).toMatch(/German/);
  });

  it('offers mine, away, back, sla, precedents, digest and help in personal chats, teams and group chats', () => {
    const manifest = JSON.parse(strFromU8(unzipSync(teamsPackage({ appId: APP_ID }))['manifest.json']!));
    const lists: { scopes: string[]; commands: { title: string; description: string }[] }[] = manifest.bots[0].commandLists;
    for (const scope of ['personal', 'team', 'groupChat']) {
      const commands = lists.filter((l) => l.scopes.includes(scope)).flatMap((l) => l.commands.map((c) => c.title));
      expect(commands, scope).toEqual(COMMANDS);
    }
    for (const c of lists.flatMap((l) => l.commands)) expect(c.description.length).toBeGreaterThan(0);
  });

  it('icons are PNGs of 192×192 (colour) and 32×32 (outline)', () => {
    const files = unzipSync(teamsPackage({ appId: APP_ID }));
    expect(pngSize(files['color.png']!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files['outline.png']!)).toEqual({ width: 32, height: 32 });
    // Colour type 6 (RGBA), so the outline can be transparent.
    expect(files['outline.png']![25]).toBe(6);
  });

  it('is the same bytes for the same app id', () => {
    expect(teamsPackage({ appId: APP_ID })).toEqual(teamsPackage({ appId: APP_ID }));
  });

  it.each([
    ['', /not a GUID/],
    ['leadrelay-bot', /"leadrelay-bot" is not a GUID/],
    ['00000000-0000-0000-0000-000000000000', /not a GUID/],
    [`${APP_ID}"`, /not a GUID/],
  ])('a bad app id %j is a clear error', (appId, message) => {
    expect(() => teamsPackage({ appId })).toThrow(TeamsPackageError);
    expect(() => teamsPackage({ appId })).toThrow(message);
  });

  it('a broken manifest or icon in manifestDir is a clear error', () => {
    const dir = tmpDir();
    cpSync('teams', dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, accentColor: 'blue', name: { short: 'x'.repeat(31) } }));
    expect(() => teamsPackage({ appId: APP_ID, manifestDir: dir })).toThrow(/is not a valid Teams manifest:\n {2}name\.short: .*\n {2}accentColor: is not a colour like #1D3557$/);

    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    cpSync('teams/outline.png', join(dir, 'color.png'));
    expect(() => teamsPackage({ appId: APP_ID, manifestDir: dir })).toThrow(/color\.png is 32×32; Teams wants 192×192/);
  });
});

describe('runTeamsPackage', () => {
  it('writes the zip where asked and says where', async () => {
    const out = join(tmpDir(), 'app.zip');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await runTeamsPackage({ appId: APP_ID, out })).toBe(0);
    expect(Object.keys(unzipSync(new Uint8Array(readFileSync(out)))).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(log.mock.calls.flat().join('\n')).toContain(out);
  });

  it('takes the app id from MicrosoftAppId', async () => {
    vi.stubEnv('MicrosoftAppId', APP_ID);
    try {
      const out = join(tmpDir(), 'leadrelay-teams.zip');
      vi.spyOn(console, 'log').mockImplementation(() => {});
      expect(await runTeamsPackage({ out })).toBe(0);
      expect(JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(out)))['manifest.json']!)).id).toBe(APP_ID);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('exits 2 with a clear message without an app id, or with a bad one', async () => {
    vi.stubEnv('MicrosoftAppId', '');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runTeamsPackage({ out: join(tmpDir(), 'x.zip') })).toBe(2);
      expect(error.mock.calls.flat().join('\n')).toMatch(/MicrosoftAppId.*--app-id/);
      expect(await runTeamsPackage({ appId: 'my-bot', out: join(tmpDir(), 'x.zip') })).toBe(2);
      expect(error.mock.calls.flat().join('\n')).toMatch(/"my-bot" is not a GUID/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
