// Who is who in Teams: the agreement names people by e-mail; Teams names them by a user id
// ("29:…") and an AAD object id. An id written in the agreement (teamsId) wins; else the id found
// in a team roster or on first contact (src/bot/teams/setup.ts), kept in ChatPerson. Lookups are
// synchronous (cards are rendered from them), from memory.
import type { Agreement, Person } from '../../domain/agreement.ts';
import type { TeamsDirectory } from './render.ts';

/** A person of the agreement found in Teams. */
export interface FoundPerson {
  email: string;
  /** "29:…" */
  userId: string;
  aadObjectId?: string | undefined;
}

/** Where found people are kept (src/infra/teams-directory-store.ts). */
export interface TeamsPeopleStore {
  foundPeople(): Promise<FoundPerson[]>;
  savePeople(people: FoundPerson[]): Promise<void>;
}

/** A member as Teams' roster calls answer (TeamsChannelAccount). */
export interface RosterMember {
  id: string;
  aadObjectId?: string | undefined;
  email?: string | undefined;
  userPrincipalName?: string | undefined;
}

/** The members who are people of the agreement, by e-mail or user principal name (case-insensitive). */
export function matchMembers(people: readonly Person[], members: readonly RosterMember[]): FoundPerson[] {
  const emails = new Set(people.map((p) => p.email));
  const found: FoundPerson[] = [];
  for (const m of members) {
    const email = [m.email, m.userPrincipalName].map((e) => e?.trim().toLowerCase()).find((e) => e && emails.has(e));
    if (email && m.id) found.push({ email, userId: m.id, aadObjectId: m.aadObjectId || undefined });
  }
  return found;
}

export interface TeamsPeople extends TeamsDirectory {
  /** The agreement's person behind a Teams user id or AAD object id. */
  emailOf(teamsUserId: string | undefined, aadObjectId: string | undefined): string | undefined;
  /** The id a card's refresh names its viewers by: the Teams user id when known. */
  viewerIdOf(email: string): string | undefined;
  /** Where the person's id comes from; undefined while nobody has found them. */
  sourceOf(email: string): 'file' | 'teams' | undefined;
  /** People of the agreement whom neither the file nor Teams gives an id. */
  missing(): Person[];
  /** Takes people found in Teams (from the store or a roster). */
  learn(found: readonly FoundPerson[]): void;
}

/** Follows the agreement as it is reloaded, and what was found in Teams. */
export function teamsPeople(agreement: () => Agreement): TeamsPeople {
  const found = new Map<string, FoundPerson>();
  let seen: Agreement | undefined;
  let stale = true;
  let byEmail = new Map<string, Person>();
  let byId = new Map<string, string>();
  const maps = () => {
    const now = agreement();
    if (now !== seen || stale) {
      seen = now;
      stale = false;
      byEmail = new Map(now.people.map((p) => [p.email, p]));
      byId = new Map();
      // Found ids first, so that an id written in the file overwrites them.
      for (const f of found.values()) {
        const p = byEmail.get(f.email);
        if (!p || p.teamsId) continue;
        byId.set(f.userId, f.email);
        if (f.aadObjectId) byId.set(f.aadObjectId, f.email);
      }
      for (const p of now.people) if (p.teamsId) byId.set(p.teamsId, p.email);
    }
    return { byEmail, byId };
  };
  const person = (email: string) => maps().byEmail.get(email);
  return {
    nameOf: (email) => person(email)?.name ?? email,
    // The AAD object id: personal chats are remembered under it (src/bot/teams/listeners.ts).
    teamsIdOf: (email) => person(email)?.teamsId ?? (person(email) ? (found.get(email)?.aadObjectId ?? found.get(email)?.userId) : undefined),
    viewerIdOf: (email) => person(email)?.teamsId ?? (person(email) ? found.get(email)?.userId : undefined),
    emailOf: (id, aad) => (aad && maps().byId.get(aad)) || (id ? maps().byId.get(id) : undefined),
    sourceOf: (email) => (person(email)?.teamsId ? 'file' : person(email) && found.has(email) ? 'teams' : undefined),
    missing: () => agreement().people.filter((p) => !p.teamsId && !found.has(p.email)),
    learn(list) {
      for (const f of list) found.set(f.email, f);
      if (list.length) stale = true;
    },
  };
}
