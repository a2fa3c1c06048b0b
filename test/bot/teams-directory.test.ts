// Who and which channel is which in Teams, without Teams: roster members matched to the agreement's
// people, channel names as a team's channel list gives them, and the id written in the file winning.
import { describe, expect, it } from 'vitest';
import { channelsOfTeam, type FoundChannel, TeamsChannels } from '../../src/bot/teams/channels.ts';
import { matchMembers, teamsPeople } from '../../src/bot/teams/people.ts';
import type { Agreement } from '../../src/domain/agreement.ts';
import { loadAgreement } from '../../src/infra/config.ts';

const example = loadAgreement('leadrelay.example.yml');

function memoryChannels(): TeamsChannels {
  let rows: FoundChannel[] = [];
  return new TeamsChannels({
    foundChannels: async () => rows,
    foundChannel: async (name) => rows.find((r) => r.name === name) ?? null,
    saveTeamChannels: async (teamId, channels) => {
      rows = [...rows.filter((r) => r.teamId !== teamId && !channels.some((c) => c.name === r.name)), ...channels];
    },
  });
}

describe('people from a roster', () => {
  it('matches by e-mail or user principal name, in any case, and skips everyone else', () => {
    const found = matchMembers(example.people, [
      { id: '29:a', aadObjectId: 'aad-a', email: ' Anna.Weber@EXAMPLE.com ' },
      { id: '29:b', userPrincipalName: 'ben.koch@example.com' },
      { id: '29:g', email: 'guest@elsewhere.example', userPrincipalName: 'clara.huber@example.com' },
      { id: '29:x', email: 'xaver@example.com' },
      { id: '29:n' },
    ]);
    expect(found).toEqual([
      { email: 'anna.weber@example.com', userId: '29:a', aadObjectId: 'aad-a' },
      { email: 'ben.koch@example.com', userId: '29:b', aadObjectId: undefined },
      { email: 'clara.huber@example.com', userId: '29:g', aadObjectId: undefined },
    ]);
  });

  it('an id in the file wins over a found one; a person the agreement lost is nobody', () => {
    let agreement: Agreement = { ...example, people: example.people.map((p) => (p.email === 'anna.weber@example.com' ? { ...p, teamsId: 'aad-file' } : p)) };
    const people = teamsPeople(() => agreement);
    people.learn([{ email: 'anna.weber@example.com', userId: '29:a', aadObjectId: 'aad-a' }, { email: 'ben.koch@example.com', userId: '29:b', aadObjectId: 'aad-b' }]);
    expect(people.teamsIdOf('anna.weber@example.com')).toBe('aad-file');
    expect(people.emailOf('29:a', 'aad-a')).toBeUndefined();
    expect(people.emailOf('29:other', 'aad-file')).toBe('anna.weber@example.com');
    expect([people.teamsIdOf('ben.koch@example.com'), people.viewerIdOf('ben.koch@example.com'), people.emailOf('29:b', undefined)]).toEqual(['aad-b', '29:b', 'ben.koch@example.com']);
    expect(people.sourceOf('clara.huber@example.com')).toBeUndefined();
    // A reload without Ben.
    agreement = { ...agreement, people: agreement.people.filter((p) => p.email !== 'ben.koch@example.com') };
    expect([people.teamsIdOf('ben.koch@example.com'), people.emailOf('29:b', 'aad-b')]).toEqual([undefined, undefined]);
  });
});

describe('channels by name', () => {
  const team = { id: '19:team@thread.tacv2', name: 'Vertrieb' };

  it('names General (which Teams lists without a name) and finds it as Allgemein too', async () => {
    const channels = memoryChannels();
    await channels.learn(team.id, channelsOfTeam(team, [{ id: team.id }, { id: '19:nord@thread.tacv2', name: 'Inside Sales Nord' }]));
    expect(await channels.resolve({ team: 'VERTRIEB ', channel: ' general' })).toBe(team.id);
    expect(await channels.resolve({ team: 'Vertrieb', channel: 'Allgemein' })).toBe(team.id);
    expect(await channels.resolve({ team: 'vertrieb', channel: 'inside sales nord' })).toBe('19:nord@thread.tacv2');
    expect(await channels.resolve('19:any@thread.tacv2')).toBe('19:any@thread.tacv2');
  });

  it('a channel that is really called Allgemein is that one', async () => {
    const channels = memoryChannels();
    await channels.learn(team.id, channelsOfTeam(team, [{ id: team.id }, { id: '19:allgemein@thread.tacv2', name: 'Allgemein' }]));
    expect(await channels.resolve({ team: 'Vertrieb', channel: 'Allgemein' })).toBe('19:allgemein@thread.tacv2');
  });

  it('a missing channel or team is an error naming both; a team read again drops what is gone', async () => {
    const channels = memoryChannels();
    await channels.learn(team.id, channelsOfTeam(team, [{ id: team.id }, { id: '19:alt@thread.tacv2', name: 'Alt' }]));
    await expect(channels.resolve({ team: 'Vertrieb', channel: 'Neu' })).rejects.toThrow('there is no channel "Neu" in the Teams team "Vertrieb"');
    await expect(channels.resolve({ team: 'Einkauf', channel: 'General' })).rejects.toThrow('leadrelay has not been added to the Teams team "Einkauf"');
    await channels.learn(team.id, channelsOfTeam({ ...team, name: 'Sales' }, [{ id: team.id }]));
    await expect(channels.resolve({ team: 'Vertrieb', channel: 'Alt' })).rejects.toThrow('has not been added to the Teams team "Vertrieb"');
    expect(channels.idOf({ team: 'Sales', channel: 'General' })).toBe(team.id);
  });
});
