import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLACK_SCOPES } from '../src/bot/slack/doctor.ts';

const manifest = parse(readFileSync('manifest.yml', 'utf8'));

describe('the Slack app manifest', () => {
  it('points events, interactivity and /leads at the one endpoint leadrelay serves', () => {
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, ...manifest.features.slash_commands.map((c: { url: string }) => c.url)];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('has the command, the App Home and the scopes the bot uses', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/leads']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['chat:write', 'commands', 'im:write']));
    // Reading history is how a message whose answer was lost is found instead of posted twice.
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['channels:history', 'groups:history', 'im:history']));
  });

  it('asks for exactly the scopes the doctor checks: people and channels by e-mail and name need users:read(.email) and channels/groups:read', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(Object.keys(SLACK_SCOPES).sort());
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['users:read', 'users:read.email', 'channels:read', 'groups:read']));
  });
});
